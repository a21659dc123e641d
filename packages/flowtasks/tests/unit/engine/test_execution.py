"""Executions: timeout, history, events callback, saving, redrive, unsupported features.

https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html (TimeoutSeconds)
https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
"""

from __future__ import annotations

import importlib
import json
import threading
from collections import Counter
from typing import Any

import pytest

from flowtasks.errors import TaskError, UsageError
from flowtasks.local import Execution, FakeClock, redrive, run
from flowtasks.protocol import ECS_RESOURCE, TaskCall

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def test_execution_timeout_seconds() -> None:
    # statemachine-structure.html: "TimeoutSeconds: the maximum number of seconds an execution
    # of the state machine can run. If it runs longer, the execution fails with States.Timeout"
    # (status TIMED_OUT, event ExecutionTimedOut).
    definition = {
        "TimeoutSeconds": 10,
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 60, "Next": "After"},
            "After": {"Type": "Pass", "End": True},
        },
    }
    clock = FakeClock()
    execution = run(definition, clock=clock)
    assert execution.status == "TIMED_OUT"
    assert execution.error == "States.Timeout"
    assert execution.history[-1]["type"] == "ExecutionTimedOut"
    assert sum(clock.sleeps) == 10
    assert "PassStateEntered" not in [e["type"] for e in execution.history]


def test_history_event_shape_and_on_event() -> None:
    seen: list[dict[str, Any]] = []
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    execution = run(definition, {"a": 1}, on_event=seen.append)
    assert seen == execution.history
    ids = [e["id"] for e in execution.history]
    assert ids == list(range(1, len(ids) + 1))
    for event in execution.history:
        assert set(event) >= {"id", "previousEventId", "timestamp", "type"}
        assert event["timestamp"].endswith("Z")
    entered = execution.history[1]
    assert entered["stateEnteredEventDetails"] == {"name": "P", "input": '{"a":1}'}
    # AWS-recorded histories (LocalStack's snapshots, e.g. test_base_scenarios.py::
    # test_parallel_state_retry) record the first state's entered event after event 0.
    assert entered["previousEventId"] == 0
    assert execution.history[2]["stateExitedEventDetails"] == {"name": "P", "output": '{"a":1}'}
    started = execution.history[0]["executionStartedEventDetails"]
    assert json.loads(started["input"]) == {"a": 1}


def test_to_dict_round_trip_is_json() -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    execution = run(definition, {"a": 1})
    data = json.loads(json.dumps(execution.to_dict()))
    again = Execution.from_dict(data)
    assert again == execution


def test_output_is_not_shared_with_the_definition() -> None:
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": {"x": []}, "End": True}},
    }
    first = run(definition)
    first.output["x"].append(1)
    assert run(definition).output == {"x": []}


def test_our_task_without_handler_runs_through_the_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[TaskCall] = []

    def run_task(call: TaskCall, history: Any = None) -> Any:
        calls.append(call)
        return {"ran": call.state}

    # the module, not the function `flowtasks.runner.execute` that the package exports
    monkeypatch.setattr(importlib.import_module("flowtasks.runner.execute"), "run_task", run_task)
    definition = {
        "StartAt": "Fetch",
        "States": {
            "Fetch": {
                "Type": "Task",
                "Resource": ECS_RESOURCE,
                "Parameters": {
                    "Overrides": {
                        "ContainerOverrides": [
                            {
                                "Name": "app",
                                "Command": ["flow-task", "state", "demo.Flow", "Fetch"],
                                "Environment": [
                                    {"Name": "FLOWTASKS_INPUT", "Value.$": "States.JsonToString($)"}
                                ],
                            }
                        ]
                    }
                },
                "End": True,
            }
        },
    }
    execution = run(definition, {"day": "2024-01-01"})
    assert execution.output == {"ran": "Fetch"}
    assert calls[0].flow == "demo.Flow"
    assert json.loads(calls[0].env["FLOWTASKS_INPUT"]) == {"day": "2024-01-01"}


class Flaky:
    """Handlers that fail on named inputs until `fixed`."""

    def __init__(self, failing: set[Any]) -> None:
        self.failing = failing
        self.fixed = False
        self.calls: Counter[str] = Counter()

    def __call__(self, name: str) -> Any:
        def handler(event: Any) -> Any:
            self.calls[f"{name}:{json.dumps(event)}"] += 1
            key = event if isinstance(event, int) else name
            if not self.fixed and key in self.failing:
                raise TaskError("Broken", name)
            return event

        return handler


def test_redrive_resumes_from_the_failed_state() -> None:
    # redrive-executions.html: the redriven execution continues from the failed state with the
    # same input; succeeded states are not run again; ExecutionRedriven event; RedriveCount.
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": LAMBDA, "Next": "B"},
            "B": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Parameters": {"count.$": "$$.Execution.RedriveCount"},
                "Next": "C",
            },
            "C": {"Type": "Pass", "End": True},
        },
    }
    flaky = Flaky({"B"})
    handlers = {name: flaky(name) for name in "AB"}
    failed = run(definition, {"x": 1}, handlers=handlers)
    assert failed.status == "FAILED"
    flaky.fixed = True
    saved = Execution.from_dict(json.loads(json.dumps(failed.to_dict())))
    again = redrive(saved, handlers=handlers)
    assert again.status == "SUCCEEDED"
    assert again.output == {"count": 1}
    assert again.redrive_count == 1
    assert flaky.calls['A:{"x": 1}'] == 1
    redriven = [e for e in again.history if e["type"] == "ExecutionRedriven"]
    assert redriven[0]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert again.history[: len(failed.history)] == failed.history
    assert again.execution_arn == failed.execution_arn


def test_redrive_reruns_only_failed_map_iterations() -> None:
    # redrive-executions.html: "For workflows that include an Inline Map or Parallel state,
    # RedriveExecution ... redrives only the iterations and branches that failed or aborted."
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "StartAt": "Work",
                    "States": {"Work": {"Type": "Task", "Resource": LAMBDA, "End": True}},
                },
                "End": True,
            }
        },
    }
    flaky = Flaky({2})
    handlers = {"Work": flaky("Work")}
    failed = run(definition, [0, 1, 2, 3], handlers=handlers)
    assert failed.status == "FAILED"
    flaky.fixed = True
    again = redrive(failed, handlers=handlers)
    assert again.output == [0, 1, 2, 3]
    assert flaky.calls["Work:0"] == 1
    assert flaky.calls["Work:1"] == 1
    assert flaky.calls["Work:2"] == 2


def test_redrive_reruns_only_failed_parallel_branches() -> None:
    def branch(name: str) -> dict[str, Any]:
        return {
            "StartAt": name,
            "States": {name: {"Type": "Task", "Resource": LAMBDA, "End": True}},
        }

    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Parallel", "Branches": [branch("L"), branch("R")], "End": True}},
    }
    flaky = Flaky({"R"})
    left_done = threading.Event()
    left, right = flaky("L"), flaky("R")

    def finish_left(event: Any) -> Any:
        left_done.set()
        return left(event)

    def fail_right_after_left(event: Any) -> Any:
        left_done.wait(5)  # so L has succeeded (not been stopped) when R fails
        return right(event)

    handlers = {"L": finish_left, "R": fail_right_after_left}
    failed = run(definition, {"v": 1}, handlers=handlers)
    flaky.fixed = True
    again = redrive(failed, handlers=handlers)
    assert again.output == [{"v": 1}, {"v": 1}]
    assert flaky.calls['L:{"v": 1}'] == 1
    assert flaky.calls['R:{"v": 1}'] == 2


def test_redrive_of_a_succeeded_execution_is_refused() -> None:
    execution = run({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with pytest.raises(UsageError):
        redrive(execution)


def test_endless_loop_stops_at_the_history_quota() -> None:
    # service-quotas.html: "Maximum execution history size: 25,000 events"; past it the
    # execution fails.
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}],
                "Default": "A",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    execution = run(definition)
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert len(execution.history) == 25_000
    assert execution.history[-1]["type"] == "ExecutionFailed"
    small = run(definition, history_limit=50)
    assert len(small.history) == 50
