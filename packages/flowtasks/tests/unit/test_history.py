"""`flowtasks.history` reads states, payloads, attempts, errors and the engine's decisions from
GetExecutionHistory events: AWS-recorded ones here, and the local engine's own.

The history below is the one AWS recorded for LocalStack's AWS-validated test
``test_base_scenarios.py::TestBaseScenarios::test_lambda_invoke_with_retry_base``
(localstack/localstack, ``tests/aws/services/stepfunctions/v2/scenarios/
test_base_scenarios.snapshot.json``): a Task whose Lambda raises, retried 3 times, then caught
into a Pass state. Payloads are JSON text, as GetExecutionHistory returns them
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html).
"""

from __future__ import annotations

import json
from typing import Any

from flowtasks.history import Catch, HistoryReader, PathStep, Retry, read_history
from flowtasks.local import run

INPUT = json.dumps({"Value1": "HelloWorld!", "Value2": None})
CAUGHT = json.dumps({"Error": "Exception", "Cause": "Some exception was raised."})


def _event(event_id: int, previous: int, kind: str, details: dict[str, Any] | None = None):
    event: dict[str, Any] = {
        "id": event_id,
        "previousEventId": previous,
        "type": kind,
        "timestamp": "2023-10-24T12:52:08.000Z",
    }
    if details is not None:
        key = (
            "stateEnteredEventDetails"
            if kind.endswith("StateEntered")
            else "stateExitedEventDetails"
            if kind.endswith("StateExited")
            else kind[0].lower() + kind[1:] + "EventDetails"
        )
        event[key] = details
    return event


def _retried_lambda_history() -> list[dict[str, Any]]:
    events = [
        _event(1, 0, "ExecutionStarted", {"input": INPUT}),
        _event(2, 0, "TaskStateEntered", {"name": "InvokeLambdaWithRetry", "input": INPUT}),
    ]
    previous = 2
    for _ in range(4):  # the first attempt and 3 retries
        base = len(events) + 1
        events += [
            _event(base, previous, "LambdaFunctionScheduled", {"input": INPUT}),
            _event(base + 1, base, "LambdaFunctionStarted"),
            _event(
                base + 2,
                base + 1,
                "LambdaFunctionFailed",
                {"error": "Exception", "cause": "Some exception was raised."},
            ),
        ]
        previous = base + 2
    events += [
        _event(15, 14, "TaskStateExited", {"name": "InvokeLambdaWithRetry", "output": CAUGHT}),
        _event(16, 15, "PassStateEntered", {"name": "HandleError", "input": CAUGHT}),
        _event(17, 16, "PassStateExited", {"name": "HandleError", "output": CAUGHT}),
        _event(18, 17, "ExecutionSucceeded", {"output": CAUGHT}),
    ]
    return events


def test_path_lists_states_in_the_order_entered() -> None:
    view = read_history(_retried_lambda_history())
    assert [state.name for state in view.states] == ["InvokeLambdaWithRetry", "HandleError"]


def test_payloads_are_decoded_from_json_text() -> None:
    (task,) = read_history(_retried_lambda_history()).of("InvokeLambdaWithRetry")
    assert task.input == {"Value1": "HelloWorld!", "Value2": None}
    assert task.output == {"Error": "Exception", "Cause": "Some exception was raised."}
    assert task.exited


def test_each_scheduled_event_is_one_attempt() -> None:
    (task,) = read_history(_retried_lambda_history()).of("InvokeLambdaWithRetry")
    assert task.attempts == 4
    assert task.retries == 3
    assert task.errors == [("Exception", "Some exception was raised.")] * 4


def test_a_state_without_attempt_events_has_no_retries() -> None:
    (handler,) = read_history(_retried_lambda_history()).of("HandleError")
    assert handler.attempts == 0
    assert handler.retries == 0
    assert handler.errors == []


def test_the_state_a_failed_run_stopped_in_is_the_last_one_not_exited() -> None:
    failed_event = _event(15, 14, "ExecutionFailed", {"error": "Exception", "cause": "boom"})
    events = [*_retried_lambda_history()[:14], failed_event]
    view = read_history(events)
    failed = view.failed_state()
    assert failed is not None
    assert failed.name == "InvokeLambdaWithRetry"
    assert not failed.exited


def test_a_container_exit_after_its_children_is_matched_to_the_container() -> None:
    # A Map's MapStateExited follows its iterations' events (previousEventId points at the
    # last child event), as in the AWS-recorded test_map_state_no_processor_config snapshot.
    events = [
        _event(1, 0, "ExecutionStarted", {"input": "{}"}),
        _event(2, 0, "MapStateEntered", {"name": "MapState", "input": '{"arr":[1]}'}),
        _event(3, 2, "MapStateStarted"),
        _event(4, 3, "MapIterationStarted"),
        _event(5, 4, "PassStateEntered", {"name": "HandleItem", "input": "1"}),
        _event(6, 5, "PassStateExited", {"name": "HandleItem", "output": "1"}),
        _event(7, 6, "MapIterationSucceeded"),
        _event(8, 7, "MapStateSucceeded"),
        _event(9, 7, "MapStateExited", {"name": "MapState", "output": "[1]"}),
        _event(10, 9, "ExecutionSucceeded", {"output": "[1]"}),
    ]
    view = read_history(events)
    (map_state,) = view.of("MapState")
    assert map_state.output == [1]
    assert map_state.attempts == 1  # MapStateStarted
    assert view.of("HandleItem")[0].output == 1
    assert view.failed_state() is None


def test_the_execution_status_input_output_and_times() -> None:
    execution = read_history(_retried_lambda_history())
    assert execution.status == "SUCCEEDED"
    assert execution.input == {"Value1": "HelloWorld!", "Value2": None}
    assert execution.output == {"Error": "Exception", "Cause": "Some exception was raised."}
    assert execution.started_at is not None
    assert execution.started_at.year == 2023
    assert execution.stopped_at is not None
    assert execution.stopped_at.tzinfo is not None


def test_a_retried_parallel_state_counts_its_attempts() -> None:
    # AWS-recorded history of LocalStack's test_base_scenarios.py::TestBaseScenarios::
    # test_parallel_state_retry (16-12-2023): the branch fails, the Parallel state is retried
    # twice; each retry's ParallelStateStarted follows the failed branch's last event.
    events = [
        _event(1, 0, "ExecutionStarted", {"input": "{}"}),
        _event(2, 0, "ParallelStateEntered", {"name": "ParallelState", "input": "{}"}),
        _event(3, 2, "ParallelStateStarted"),
        _event(4, 3, "FailStateEntered", {"name": "Branch1", "input": "{}"}),
        _event(5, 4, "ParallelStateStarted"),
        _event(6, 5, "FailStateEntered", {"name": "Branch1", "input": "{}"}),
        _event(7, 6, "ParallelStateStarted"),
        _event(8, 7, "FailStateEntered", {"name": "Branch1", "input": "{}"}),
        _event(9, 8, "ParallelStateFailed"),
        _event(10, 9, "ExecutionFailed", {"error": "FailureType", "cause": "Cause description"}),
    ]
    view = read_history(events)
    (parallel,) = view.of("ParallelState")
    assert parallel.attempts == 3
    assert parallel.retries == 2
    assert parallel.status == "failed"
    assert [visit.attempts for visit in view.of("Branch1")] == [0, 0, 0]
    assert [visit.name for visit in view.states] == [
        "ParallelState",
        "Branch1",
        "Branch1",
        "Branch1",
    ]
    assert {visit.path for visit in view.of("Branch1")} == {
        (PathStep("ParallelState", "branch", None),)
    }
    assert view.status == "FAILED"
    assert (view.error, view.cause) == ("FailureType", "Cause description")


def test_a_state_that_exits_after_its_last_attempt_failed_was_caught() -> None:
    view = read_history(_retried_lambda_history())
    (task,) = view.of("InvokeLambdaWithRetry")
    assert task.status == "caught"
    # AWS does not record which catcher: unknown, and its Next is the state entered next
    assert task.caught == Catch(None, "HandleError")
    assert [failure.action for failure in task.failures] == [None] * 4
    assert [failure.attempt for failure in task.failures] == [1, 2, 3, 4]
    assert view.outcomes() == {"InvokeLambdaWithRetry": "caught", "HandleError": "succeeded"}


def test_a_caught_map_failure_as_aws_records_it() -> None:
    # AWS-recorded test_base_scenarios.py::TestBaseScenarios::test_map_state_catch: the failed
    # iteration's MapStateFailed follows its last inner event, then MapStateExited.
    error = json.dumps({"Error": "HandleItemFailError", "Cause": "HandleItemFailCause"})
    events = [
        _event(1, 0, "ExecutionStarted", {"input": "{}"}),
        _event(2, 0, "MapStateEntered", {"name": "MapState", "input": '{"arr":[1]}'}),
        _event(3, 2, "MapStateStarted", {"length": 1}),
        _event(4, 3, "MapIterationStarted", {"index": 0, "name": "MapState"}),
        _event(5, 4, "FailStateEntered", {"name": "HandleItemFail", "input": "1"}),
        _event(6, 5, "MapIterationFailed", {"index": 0, "name": "MapState"}),
        _event(7, 5, "MapStateFailed"),
        _event(8, 7, "MapStateExited", {"name": "MapState", "output": error}),
        _event(9, 8, "PassStateEntered", {"name": "FinalCaught", "input": error}),
        _event(10, 9, "PassStateExited", {"name": "FinalCaught", "output": error}),
        _event(11, 10, "ExecutionSucceeded", {"output": error}),
    ]
    view = read_history(events)
    (map_state,) = view.of("MapState")
    assert map_state.status == "caught"
    assert map_state.items == 1
    assert map_state.iterations == {0: "failed"}
    (inner,) = view.of("HandleItemFail")
    assert inner.path == (PathStep("MapState", "iteration", 0),)
    assert inner.status == "failed"
    assert view.of("FinalCaught")[0].path == ()


RETRIED_TASK = {
    "StartAt": "Fetch",
    "States": {
        "Fetch": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [
                {"ErrorEquals": ["Other"]},
                {"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "MaxAttempts": 1},
            ],
            "Catch": [
                {"ErrorEquals": ["Other"], "Next": "Done"},
                {"ErrorEquals": ["States.ALL"], "Next": "Recover"},
            ],
            "Next": "Done",
        },
        "Recover": {"Type": "Pass", "Assign": {"recovered": True}, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def _busy(_: Any) -> Any:
    from flowtasks.errors import TaskError

    raise TaskError("Busy", "not yet")


def test_the_engine_records_its_retry_and_catch_decisions() -> None:
    execution = run(RETRIED_TASK, {}, {"Fetch": _busy}, skip_waits=True)
    view = read_history(execution.history, RETRIED_TASK)
    (fetch,) = view.of("Fetch")
    assert fetch.attempts == 2
    first, second = fetch.failures
    assert (first.error, first.cause, first.event_type) == ("Busy", "not yet", "TaskFailed")
    assert first.action == "retry"
    assert first.retry == Retry(retrier=1, retry=1, max_attempts=1, delay_seconds=2.0)
    assert second.action == "catch"
    assert second.catch == Catch(catcher=1, next="Recover")
    assert fetch.status == "caught"
    assert fetch.caught == Catch(1, "Recover")
    (recover,) = view.of("Recover")
    assert recover.assigned == {"recovered": True}
    assert fetch.entered_at is not None
    assert fetch.exited_at is not None
    assert fetch.exited_at >= fetch.entered_at


def test_the_engine_keeps_its_decisions_out_of_the_aws_event_details() -> None:
    execution = run(RETRIED_TASK, {}, {"Fetch": _busy}, skip_waits=True)
    failed = [event for event in execution.history if event["type"] == "TaskFailed"]
    assert set(failed[0]["taskFailedEventDetails"]) == {
        "resourceType",
        "resource",
        "error",
        "cause",
    }
    assert failed[0]["flowtasks"]["decision"]["action"] == "retry"


PARALLEL_RETRY = {
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "Retry": [{"ErrorEquals": ["X"], "MaxAttempts": 1, "IntervalSeconds": 3}],
            "Branches": [
                {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": True}}},
                {"StartAt": "Bad", "States": {"Bad": {"Type": "Fail", "Error": "X", "Cause": "c"}}},
            ],
            "End": True,
        }
    },
}


def test_a_retried_parallel_carries_the_decision_on_its_next_start() -> None:
    execution = run(PARALLEL_RETRY, {}, skip_waits=True)
    view = read_history(execution.history, PARALLEL_RETRY)
    (both,) = view.of("Both")
    assert both.attempts == 2
    retried, final = both.failures
    assert (retried.event_type, retried.action, retried.attempt) == (
        "ParallelStateStarted",
        "retry",
        1,
    )
    assert retried.retry == Retry(0, 1, 1, 3.0)
    assert (final.event_type, final.error, final.action) == ("ParallelStateFailed", "X", "fail")
    assert both.status == "failed"
    assert {state.path for state in view.of("Bad")} == {(PathStep("Both", "branch", 1),)}
    assert view.status == "FAILED"


def test_a_failure_recorded_only_on_execution_failed_is_put_on_its_state() -> None:
    definition = {
        "StartAt": "Shape",
        "States": {
            "Shape": {"Type": "Pass", "Parameters": {"x.$": "$.missing"}, "End": True},
        },
    }
    execution = run(definition, {})
    view = read_history(execution.history)
    (shape,) = view.of("Shape")
    assert shape.status == "failed"
    (failure,) = shape.failures
    assert failure.error == "States.Runtime"
    assert failure.event_type == "ExecutionFailed"
    assert not failure.cause.startswith("An error occurred")  # the state is known: no preamble
    assert view.cause is not None
    assert view.cause.startswith("An error occurred")


def test_feeding_events_one_by_one_tells_what_each_did() -> None:
    execution = run(RETRIED_TASK, {}, {"Fetch": _busy}, skip_waits=True)
    reader = HistoryReader(RETRIED_TASK)
    kinds = [
        (change.kind, change.state.name if change.state else None)
        for change in map(reader.feed, execution.history)
    ]
    assert kinds[:4] == [
        ("execution", None),
        ("entered", "Fetch"),
        ("attempt", "Fetch"),
        ("other", "Fetch"),
    ]
    assert ("failed", "Fetch") in kinds
    assert kinds[-1] == ("execution", None)
    assert reader.execution.status == "SUCCEEDED"


def test_map_iterations_are_the_path_of_their_states() -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Double",
                    "States": {"Double": {"Type": "Pass", "Parameters": {"n.$": "$"}, "End": True}},
                },
                "End": True,
            }
        },
    }
    execution = run(definition, [5, 6, 7])
    view = read_history(execution.history, definition)
    assert sorted(state.path[0].index or 0 for state in view.of("Double")) == [0, 1, 2]
    assert {state.input for state in view.of("Double")} == {5, 6, 7}
    (each,) = view.of("Each")
    assert each.iterations == {0: "succeeded", 1: "succeeded", 2: "succeeded"}
    assert each.output == [{"n": 5}, {"n": 6}, {"n": 7}]
