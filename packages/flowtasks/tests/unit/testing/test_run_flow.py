"""`run_flow` / `FlowRun`: run ASL with mocked Tasks, then ask about the path, payloads, retries.

Expected behaviour follows the AWS Step Functions developer guide: Retry/Catch ("Handling errors
in Step Functions workflows", https://docs.aws.amazon.com/step-functions/latest/dg/
concepts-error-handling.html: MaxAttempts counts retries after the first attempt; a Catch runs
once retries are exhausted) and Choice ("Choice workflow state").
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from flowtasks import TaskError, UsageError
from flowtasks.protocol import ECS_RESOURCE
from flowtasks.testing import (
    FlowAssertionError,
    FlowRunner,
    MockExhaustedError,
    returns,
    run_flow,
    task_states,
)

LAMBDA = "arn:aws:states:::lambda:invoke"

RETRYING: dict[str, Any] = {
    "StartAt": "Fetch",
    "States": {
        "Fetch": {
            "Type": "Task",
            "Resource": LAMBDA,
            "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2, "IntervalSeconds": 1}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover", "ResultPath": "$.error"}],
            "ResultPath": "$.fetched",
            "Next": "Done",
        },
        "Recover": {"Type": "Pass", "Result": "recovered", "ResultPath": "$.note", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}

LOOP: dict[str, Any] = {
    "StartAt": "Count",
    "States": {
        "Count": {"Type": "Task", "Resource": LAMBDA, "Next": "Enough?"},
        "Enough?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 3, "Next": "Stop"}],
            "Default": "Count",
        },
        "Stop": {"Type": "Fail", "Error": "Stopped", "Cause": "counted to three"},
    },
}


def test_a_retried_task_then_succeeds() -> None:
    run = run_flow(
        RETRYING,
        {"id": 7},
        mocks={"Fetch": [TaskError("Busy", "try later"), TaskError("Busy"), {"rows": 3}]},
    )
    run.assert_succeeded({"id": 7, "fetched": {"rows": 3}})
    run.assert_path("Fetch", "Done").assert_retries("Fetch", 2)
    assert run.retries("Fetch") == 2
    assert run.attempt_errors("Fetch") == [("Busy", "try later"), ("Busy", "")]
    assert run.calls("Fetch") == [{"id": 7}] * 3
    assert run.state_input("Fetch") == {"id": 7}
    assert run.state_output("Fetch") == {"id": 7, "fetched": {"rows": 3}}


def test_retries_exhausted_then_caught() -> None:
    run = run_flow(RETRYING, {}, mocks={"Fetch": TaskError("Busy", "still busy")})
    run.assert_succeeded().assert_path("Fetch", "Recover", "Done")
    assert run.retries("Fetch") == 2
    assert run.output == {"error": {"Error": "Busy", "Cause": "still busy"}, "note": "recovered"}
    run.assert_not_visited("Nowhere")


def test_a_list_mock_called_too_often_fails_the_test() -> None:
    with pytest.raises(MockExhaustedError, match="Fetch"):
        run_flow(RETRYING, {}, mocks={"Fetch": [TaskError("Busy"), TaskError("Busy")]})


def test_visits_of_a_state_in_a_loop() -> None:
    run = run_flow(LOOP, {"n": 0}, mocks={"Count": lambda data: {"n": data["n"] + 1}})
    run.assert_failed("Stopped", "counted to three")
    assert run.visits("Count") == 3
    assert run.state_inputs("Count") == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert run.state_output("Count", visit=-1) == {"n": 3}
    assert run.failed_state == "Stop"
    run.assert_visited("Count", "Enough?", "Count", "Stop")


def test_assertion_messages_show_the_path_and_the_error() -> None:
    run = run_flow(LOOP, {"n": 2}, mocks={"Count": {"n": 3}})
    with pytest.raises(FlowAssertionError) as failed:
        run.assert_succeeded()
    message = str(failed.value)
    assert "FAILED" in message
    assert "Count -> Enough? -> Stop" in message
    assert "Stopped" in message
    assert "counted to three" in message


def test_path_and_visited_assertions_fail_with_both_paths() -> None:
    run = run_flow(RETRYING, {}, mocks={"Fetch": {}})
    with pytest.raises(FlowAssertionError, match="expected: Fetch -> Recover"):
        run.assert_path("Fetch", "Recover", "Done")
    with pytest.raises(FlowAssertionError, match="'Recover' is missing"):
        run.assert_visited("Fetch", "Recover")
    with pytest.raises(FlowAssertionError, match="not to enter Done"):
        run.assert_not_visited("Done")
    with pytest.raises(FlowAssertionError, match="retried 0 time"):
        run.assert_retries("Fetch", 1)
    with pytest.raises(FlowAssertionError, match="another output"):
        run.assert_succeeded({"different": True})
    with pytest.raises(FlowAssertionError, match="expected the run to fail"):
        run.assert_failed()


def test_asking_about_a_state_that_never_ran_fails_clearly() -> None:
    run = run_flow(RETRYING, {}, mocks={"Fetch": {}})
    with pytest.raises(FlowAssertionError, match="'Recover' never ran"):
        run.state_input("Recover")
    with pytest.raises(FlowAssertionError, match="no visit 1"):
        run.state_output("Fetch", visit=1)
    with pytest.raises(FlowAssertionError, match="no mock named 'Other'"):
        run.calls("Other")


def test_a_mock_must_name_a_task_state() -> None:
    # one check and one message for run_flow's mocks and flow-task run --mock (two copies
    # with different messages before)
    message = "mock: no Task state 'Fetc'. Did you mean 'Fetch'? Task states: Fetch"
    with pytest.raises(UsageError, match=re.escape(message)):
        run_flow(RETRYING, {}, mocks={"Fetc": {}})
    with pytest.raises(UsageError, match="'Recover' is a Pass state"):
        run_flow(RETRYING, {}, mocks={"Fetch": {}, "Recover": {}})


def test_a_mock_may_be_keyed_by_resource() -> None:
    run = run_flow(RETRYING, {}, mocks={LAMBDA: {"by": "resource"}})
    assert run.output == {"fetched": {"by": "resource"}}


def test_a_list_result_is_given_with_returns() -> None:
    run = run_flow(RETRYING, {}, mocks={"Fetch": returns([1, 2])})
    assert run.output == {"fetched": [1, 2]}


def test_our_task_mock_receives_the_task_payload_not_the_ecs_request() -> None:
    definition = {
        "StartAt": "Load",
        "States": {
            "Load": {
                "Type": "Task",
                "Resource": ECS_RESOURCE,
                "Parameters": {
                    "Cluster": "flows",
                    "TaskDefinition": "demo",
                    "LaunchType": "FARGATE",
                    "Overrides": {
                        "ContainerOverrides": [
                            {
                                "Name": "demo",
                                "Command": ["flow-task", "state", "demo.Example", "Load"],
                                "Environment": [
                                    {
                                        "Name": "FLOWTASKS_INPUT",
                                        "Value.$": "States.JsonToString($)",
                                    },
                                    {"Name": "FLOWTASKS_TASK_TOKEN", "Value.$": "$$.Task.Token"},
                                ],
                            }
                        ]
                    },
                },
                "End": True,
            }
        },
    }
    run = run_flow(definition, {"vendor": "acme"}, mocks={"Load": lambda data: {"got": data}})
    assert run.calls("Load") == [{"vendor": "acme"}]
    assert run.output == {"got": {"vendor": "acme"}}


def test_a_definition_file_path_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "machine.asl.json"
    path.write_text(json.dumps(RETRYING), encoding="utf-8")
    run_flow(path, {}, mocks={"Fetch": {}}).assert_succeeded({"fetched": {}})


def test_task_states_include_nested_ones() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {
                        "StartAt": "A",
                        "States": {"A": {"Type": "Task", "Resource": "r:a", "End": True}},
                    },
                    {
                        "StartAt": "M",
                        "States": {
                            "M": {
                                "Type": "Map",
                                "End": True,
                                "ItemProcessor": {
                                    "StartAt": "B",
                                    "States": {
                                        "B": {"Type": "Task", "Resource": "r:b", "End": True}
                                    },
                                },
                            }
                        },
                    },
                ],
            }
        },
    }
    assert task_states(definition) == {"A": "r:a", "B": "r:b"}


def test_flow_runner_merges_default_mocks_with_per_run_ones() -> None:
    runner = FlowRunner(mocks={"Fetch": {"default": True}})
    assert runner.run(RETRYING, {}).output == {"fetched": {"default": True}}
    assert runner(RETRYING, {}, mocks={"Fetch": {"own": 1}}).output == {"fetched": {"own": 1}}


def test_distributed_map_children_are_runs_of_their_own() -> None:
    """A Distributed Map runs its batches as child executions, whose states are not in the
    parent's history ("Using Map state in Distributed mode", AWS developer guide)."""
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemBatcher": {"MaxItemsPerBatch": 2},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Count",
                    "States": {"Count": {"Type": "Task", "Resource": LAMBDA, "End": True}},
                },
                "End": True,
            }
        },
    }
    run = run_flow(
        definition, {"items": [1, 2, 3]}, mocks={"Count": lambda batch: len(batch["Items"])}
    )
    run.assert_succeeded([2, 1]).assert_path("Each")
    children = run.children
    assert len(children) == 2
    assert all(child.path == ["Count"] for child in children)
    assert sorted(child.output for child in children) == [1, 2]
    assert sorted(len(call["Items"]) for call in run.calls("Count")) == [1, 2]
