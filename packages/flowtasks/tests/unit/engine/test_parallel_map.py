"""Parallel and inline Map states.

https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flowtasks.errors import TaskError
from flowtasks.local import run

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def branch(state: dict[str, Any], name: str = "S") -> dict[str, Any]:
    """A branch of one state. Names are unique across the whole machine (ASL spec "States")."""
    return {"StartAt": name, "States": {name: {**state, "End": True}}}


def parallel(*branches: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "P",
        "States": {"P": {"Type": "Parallel", "Branches": list(branches), "End": True, **fields}},
    }


def test_parallel_outputs_in_branch_order() -> None:
    # state-parallel.html: the output is an array with one element per branch, in order.
    definition = parallel(
        branch({"Type": "Pass", "Result": "first"}, "S1"),
        branch({"Type": "Pass", "Parameters": {"v.$": "$.v"}}, "S2"),
    )
    execution = run(definition, {"v": 2})
    assert execution.output == ["first", {"v": 2}]
    types = [e["type"] for e in execution.history]
    assert types[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert types[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_parallel_runs_branches_concurrently() -> None:
    barrier = threading.Barrier(3, timeout=5)

    def meet(_: Any) -> Any:
        barrier.wait()  # deadlocks (then times out) unless all three run at once
        return "met"

    task = {"Type": "Task", "Resource": LAMBDA}
    three = parallel(branch(task, "S1"), branch(task, "S2"), branch(task, "S3"))
    execution = run(three, handlers={LAMBDA: meet})
    assert execution.output == ["met", "met", "met"]


def test_parallel_branch_failure_fails_state_and_stops_others() -> None:
    # state-parallel.html: "If any branch fails ... the entire Parallel state fails, and all
    # of its branches are stopped." The error is the branch's.
    started = threading.Event()
    later: list[str] = []

    def slow(_: Any) -> Any:
        started.set()
        time.sleep(0.2)
        return "slow"

    def fail(_: Any) -> Any:
        started.wait(5)
        raise TaskError("Branch.Broke", "no")

    slow_branch = {
        "StartAt": "Slow",
        "States": {
            "Slow": {"Type": "Task", "Resource": LAMBDA, "Next": "After"},
            "After": {"Type": "Task", "Resource": LAMBDA, "End": True},
        },
    }
    fail_branch = {
        "StartAt": "Fail",
        "States": {"Fail": {"Type": "Task", "Resource": LAMBDA, "End": True}},
    }
    execution = run(
        parallel(slow_branch, fail_branch),
        handlers={"Slow": slow, "Fail": fail, "After": lambda e: later.append("x")},
    )
    assert (execution.error, execution.cause) == ("Branch.Broke", "no")
    assert later == []
    assert "ParallelStateFailed" in [e["type"] for e in execution.history]


def test_parallel_failure_is_caught_at_the_parallel_state() -> None:
    definition = parallel(
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Custom", "Cause": "c"}}},
        Catch=[{"ErrorEquals": ["Custom"], "ResultPath": "$.err", "Next": "Done"}],
    )
    definition["States"]["P"].pop("End")
    definition["States"]["P"]["Next"] = "Done"
    definition["States"]["Done"] = {"Type": "Succeed"}
    execution = run(definition, {"a": 1})
    assert execution.output == {"a": 1, "err": {"Error": "Custom", "Cause": "c"}}


def inline_map(processor_state: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "S",
                    "States": {"S": {**processor_state, "End": True}},
                },
                "End": True,
                **fields,
            }
        },
    }


def test_map_items_path_and_item_selector_with_context() -> None:
    # input-output-itemselector.html: ItemSelector builds each iteration's input with
    # $$.Map.Item.Index and $$.Map.Item.Value.
    definition = inline_map(
        {"Type": "Pass"},
        ItemsPath="$.things",
        ItemSelector={"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value", "k.$": "$.k"},
    )
    execution = run(definition, {"things": ["a", "b"], "k": 9})
    assert execution.output == [
        {"index": 0, "value": "a", "k": 9},
        {"index": 1, "value": "b", "k": 9},
    ]


def test_map_legacy_iterator_and_parameters() -> None:
    # state-map-inline.html: "Iterator" and Map "Parameters" are the older names of
    # ItemProcessor and ItemSelector.
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "Parameters": {"v.$": "$$.Map.Item.Value"},
                "Iterator": {"StartAt": "S", "States": {"S": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    assert run(definition, [1, 2]).output == [{"v": 1}, {"v": 2}]


def test_map_events() -> None:
    execution = run(inline_map({"Type": "Pass"}), [1])
    types = [e["type"] for e in execution.history]
    assert types == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    started = execution.history[2]
    assert started["mapStateStartedEventDetails"] == {"length": 1}
    iteration = execution.history[3]
    assert iteration["mapIterationStartedEventDetails"] == {"name": "M", "index": 0}
    assert iteration["previousEventId"] == started["id"]


def test_map_max_concurrency_bounds_concurrent_iterations() -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def work(item: Any) -> Any:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01)
        with lock:
            running -= 1
        return item

    definition = inline_map({"Type": "Task", "Resource": LAMBDA}, MaxConcurrency=3)
    execution = run(definition, list(range(12)), handlers={"S": work})
    assert execution.output == list(range(12))
    assert 1 < peak <= 3


def test_map_iteration_failure_fails_the_map_with_its_error() -> None:
    def work(item: Any) -> Any:
        if item == 2:
            raise TaskError("Item.Bad", "two")
        return item

    execution = run(
        inline_map({"Type": "Task", "Resource": LAMBDA}), [1, 2, 3], handlers={"S": work}
    )
    assert (execution.error, execution.cause) == ("Item.Bad", "two")
    types = [e["type"] for e in execution.history]
    assert "MapIterationFailed" in types
    assert "MapStateFailed" in types


def test_map_tolerated_failures() -> None:
    # state-map-distributed.html "ToleratedFailureCount/Percentage": beyond the threshold the
    # state fails with States.ExceedToleratedFailureThreshold.
    def work(item: Any) -> Any:
        if item % 2:
            raise TaskError("Odd", str(item))
        return item

    state = {"Type": "Task", "Resource": LAMBDA}
    ok = run(inline_map(state, ToleratedFailureCount=2), [0, 1, 2, 3], handlers={"S": work})
    assert ok.status == "SUCCEEDED"
    assert ok.output[0] == 0
    assert ok.output[1] == {"Error": "Odd", "Cause": "1"}
    too_many = run(inline_map(state, ToleratedFailureCount=1), [0, 1, 2, 3], handlers={"S": work})
    assert too_many.error == "States.ExceedToleratedFailureThreshold"
    by_percent = run(
        inline_map(state, ToleratedFailurePercentagePath="$[0]"),
        [50, 1, 2, 3],
        handlers={"S": work},
    )
    assert by_percent.status == "SUCCEEDED"


def test_map_items_must_be_an_array() -> None:
    execution = run(inline_map({"Type": "Pass"}, ItemsPath="$.x"), {"x": {"not": "array"}})
    assert execution.error == "States.Runtime"


def test_no_thread_leaks() -> None:
    baseline = threading.active_count()

    def work(item: Any) -> Any:
        time.sleep(0.001)
        if item == 30:
            raise TaskError("Stop", "")
        return item

    task = {"Type": "Task", "Resource": LAMBDA}
    for _ in range(3):
        run(inline_map(task), list(range(50)), handlers={"S": work})
        run(inline_map(task), list(range(50)), handlers={"S": lambda i: i})
        run(parallel(branch(task, "S1"), branch(task, "S2")), handlers={LAMBDA: lambda i: i})
    assert threading.active_count() == baseline


def test_a_large_simple_map_runs_every_item() -> None:
    # its speed is measured by benchmarks/engine.py, not asserted here (shared machines)
    definition = inline_map({"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.i, 1)"}})
    items = [{"i": i} for i in range(10_000)]
    execution = run(definition, items, history_limit=None)
    assert execution.output[9_999] == {"n": 10_000}


def test_large_inline_map_passes_the_history_quota() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html: "Maximum
    # execution history size: 25,000 events"; an inline Map's iterations are in that history.
    definition = inline_map({"Type": "Pass"})
    execution = run(definition, list(range(10_000)))
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert len(execution.history) <= 25_000


# LocalStack's parallel_state_retry.json5, run against AWS in its test_base_scenarios.py::
# TestBaseScenarios::test_parallel_state_retry (snapshot recorded 16-12-2023).
PARALLEL_STATE_RETRY: dict[str, Any] = {
    "StartAt": "ParallelState",
    "States": {
        "ParallelState": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Branch1",
                    "States": {
                        "Branch1": {
                            "Type": "Fail",
                            "Error": "FailureType",
                            "Cause": "Cause description",
                        }
                    },
                }
            ],
            "Retry": [{"ErrorEquals": ["FailureType"], "MaxAttempts": 2}],
            "Next": "Final",
        },
        "Final": {"Type": "Pass", "End": True},
    },
}


def test_a_retried_parallel_state_records_its_failure_once_as_recorded_against_aws() -> None:
    execution = run(PARALLEL_STATE_RETRY, {}, skip_waits=True)
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "FailureType",
        "Cause description",
    )
    # (id, previousEventId, type) of every event, exactly as in the AWS recording.
    assert [(e["id"], e["previousEventId"], e["type"]) for e in execution.history] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "ParallelStateEntered"),
        (3, 2, "ParallelStateStarted"),
        (4, 3, "FailStateEntered"),
        (5, 4, "ParallelStateStarted"),
        (6, 5, "FailStateEntered"),
        (7, 6, "ParallelStateStarted"),
        (8, 7, "FailStateEntered"),
        (9, 8, "ParallelStateFailed"),
        (10, 9, "ExecutionFailed"),
    ]


def test_a_retried_then_caught_parallel_state_records_its_failure_once_before_exiting() -> None:
    # test_parallel_state_catch's AWS recording: ParallelStateFailed, then ParallelStateExited.
    definition = {**PARALLEL_STATE_RETRY, "States": dict(PARALLEL_STATE_RETRY["States"])}
    definition["States"]["ParallelState"] = {
        **definition["States"]["ParallelState"],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Final"}],
    }
    execution = run(definition, {}, skip_waits=True)
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"Error": "FailureType", "Cause": "Cause description"}
    types = [e["type"] for e in execution.history]
    assert types.count("ParallelStateStarted") == 3
    assert types.count("ParallelStateFailed") == 1
    assert types[types.index("ParallelStateFailed") + 1] == "ParallelStateExited"


def test_a_retried_map_state_records_its_failure_once() -> None:
    # LocalStack's map_state_retry.json5 (test_base_scenarios.py::test_map_state_retry, marked
    # aws.validated): its StateMap, matched against that AWS recording, records MapStateFailed
    # once, when retries are exhausted; each attempt records its own iteration events.
    definition = {
        "StartAt": "StartState",
        "States": {
            "StartState": {
                "Type": "Pass",
                "Result": [1],
                "ResultPath": "$.arr",
                "Next": "MapState",
            },
            "MapState": {
                "Type": "Map",
                "ResultPath": None,
                "InputPath": "$.arr",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "HandleItemFail",
                    "States": {
                        "HandleItemFail": {
                            "Type": "Fail",
                            "Error": "HandleItemFailError",
                            "Cause": "HandleItemFailCause",
                        }
                    },
                },
                "Retry": [{"ErrorEquals": ["HandleItemFailError"], "MaxAttempts": 2}],
                "Next": "Final",
            },
            "Final": {"Type": "Pass", "End": True},
        },
    }
    execution = run(definition, {}, skip_waits=True)
    assert (execution.status, execution.error) == ("FAILED", "HandleItemFailError")
    attempt = ["MapStateStarted", "MapIterationStarted", "FailStateEntered", "MapIterationFailed"]
    assert [e["type"] for e in execution.history] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapStateEntered",
        *attempt,
        *attempt,
        *attempt,
        "MapStateFailed",
        "ExecutionFailed",
    ]
