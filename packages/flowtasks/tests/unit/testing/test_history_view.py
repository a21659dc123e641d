"""`HistoryView` reads states, payloads, attempts and errors from GetExecutionHistory events.

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

from flowtasks.testing.history_view import HistoryView

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
    view = HistoryView(_retried_lambda_history())
    assert view.path == ["InvokeLambdaWithRetry", "HandleError"]


def test_payloads_are_decoded_from_json_text() -> None:
    (task,) = HistoryView(_retried_lambda_history()).of("InvokeLambdaWithRetry")
    assert task.input == {"Value1": "HelloWorld!", "Value2": None}
    assert task.output == {"Error": "Exception", "Cause": "Some exception was raised."}
    assert task.exited


def test_each_scheduled_event_is_one_attempt() -> None:
    (task,) = HistoryView(_retried_lambda_history()).of("InvokeLambdaWithRetry")
    assert task.attempts == 4
    assert task.retries == 3
    assert task.errors == [("Exception", "Some exception was raised.")] * 4


def test_a_state_without_attempt_events_has_no_retries() -> None:
    (handler,) = HistoryView(_retried_lambda_history()).of("HandleError")
    assert handler.attempts == 0
    assert handler.retries == 0
    assert handler.errors is None


def test_the_state_a_failed_run_stopped_in_is_the_last_one_not_exited() -> None:
    failed_event = _event(15, 14, "ExecutionFailed", {"error": "Exception", "cause": "boom"})
    events = [*_retried_lambda_history()[:14], failed_event]
    view = HistoryView(events)
    failed = view.failed_visit()
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
    view = HistoryView(events)
    (map_state,) = view.of("MapState")
    assert map_state.output == [1]
    assert map_state.attempts == 1  # MapStateStarted
    assert view.of("HandleItem")[0].output == 1
    assert view.failed_visit() is None


def test_event_types_in_order() -> None:
    types = HistoryView(_retried_lambda_history()).types()
    assert types[:5] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionFailed",
    ]
    assert types[-1] == "ExecutionSucceeded"


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
    view = HistoryView(events)
    (parallel,) = view.of("ParallelState")
    assert parallel.attempts == 3
    assert parallel.retries == 2
    assert [visit.attempts for visit in view.of("Branch1")] == [0, 0, 0]
    assert view.path == ["ParallelState", "Branch1", "Branch1", "Branch1"]
