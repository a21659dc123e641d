"""Live progress of a run (flowtasks.cli.progress), fed with hand-written history events."""

from __future__ import annotations

import io
import re
from typing import Any

from flowtasks.cli.progress import Progress
from flowtasks.errors import TaskError
from flowtasks.local import FakeClock, run

MAP = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "One",
                "States": {"One": {"Type": "Task", "Resource": "r", "End": True}},
            },
            "End": True,
        }
    },
}


class Stream(io.StringIO):
    def __init__(self, tty: bool, encoding: str = "utf-8") -> None:
        super().__init__()
        self._tty = tty
        self._encoding = encoding

    def isatty(self) -> bool:
        return self._tty

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


def feed(progress: Progress, events: list[dict[str, Any]]) -> None:
    for event in events:
        progress(event)
    progress.close()


def map_events(items: int, failing: set[int]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted"},
        {
            "id": 2,
            "previousEventId": 1,
            "type": "MapStateEntered",
            "stateEnteredEventDetails": {"name": "Fan"},
        },
        {
            "id": 3,
            "previousEventId": 2,
            "type": "MapStateStarted",
            "mapStateStartedEventDetails": {"length": items},
        },
    ]
    for index in range(items):
        base = len(events) + 1
        kind = "MapIterationFailed" if index in failing else "MapIterationSucceeded"
        events += [
            {
                "id": base,
                "previousEventId": 3,
                "type": "TaskStateEntered",
                "stateEnteredEventDetails": {"name": "One"},
            },
            {
                "id": base + 1,
                "previousEventId": base,
                "type": "TaskFailed" if index in failing else "TaskSucceeded",
                "taskFailedEventDetails": {"error": "E", "cause": "c"},
            },
            {
                "id": base + 2,
                "previousEventId": base + 1,
                "type": kind,
                kind[0].lower() + kind[1:] + "EventDetails": {"name": "Fan", "index": index},
            },
        ]
    events.append(
        {"id": len(events) + 1, "previousEventId": len(events), "type": "MapStateSucceeded"}
    )
    return events


def test_a_large_map_draws_a_bar_every_ten_percent_without_a_tty() -> None:
    stream = Stream(tty=False)
    feed(Progress(MAP, stream, header="run x: m"), map_events(40, failing={5, 6, 7, 8, 9}))
    lines = stream.getvalue().splitlines()

    assert lines[0] == "run x: m"
    assert lines[1] == "  ▸ Fan"
    assert lines[2] == "  Fan [" + "░" * 30 + "] 0/40"
    assert lines[-1] == "  Fan [" + "█" * 30 + "] 40/40  5 failed"
    assert len([line for line in lines if line.startswith("  Fan [")]) == 11
    assert not any("▸ One" in line for line in lines)  # inner states stay quiet...
    assert sum("✗ One E: c" in line for line in lines) == 3  # ...but the first failures show


def test_on_a_tty_the_bar_redraws_in_place() -> None:
    stream = Stream(tty=True)
    clock = iter(float(i) for i in range(1000))
    feed(Progress(MAP, stream, clock=lambda: next(clock)), map_events(25, failing=set()))
    text = stream.getvalue()

    assert "\r  Fan [" in text
    assert text.endswith("] 25/25\n")


def test_small_maps_show_their_inner_states_and_ascii_without_utf8() -> None:
    stream = Stream(tty=False, encoding="ascii")
    feed(Progress(MAP, stream, bar_threshold=20), map_events(2, failing={1}))
    lines = stream.getvalue().splitlines()

    assert lines[0] == "  > Fan"
    assert lines[1] == "    Fan: 2 items"
    assert "    > One" in lines
    assert "    x One E: c" in lines


def test_retries_and_exits_with_durations() -> None:
    machine = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": True}}}
    events = [
        {
            "id": 1,
            "previousEventId": 0,
            "type": "TaskStateEntered",
            "stateEnteredEventDetails": {"name": "T"},
        },
        {"id": 2, "previousEventId": 1, "type": "TaskScheduled"},
        {
            "id": 3,
            "previousEventId": 2,
            "type": "TaskFailed",
            "taskFailedEventDetails": {"error": "Boom", "cause": "x" * 300},
        },
        {"id": 4, "previousEventId": 3, "type": "TaskScheduled"},
        {"id": 5, "previousEventId": 4, "type": "TaskSucceeded"},
        {
            "id": 6,
            "previousEventId": 5,
            "type": "TaskStateExited",
            "stateExitedEventDetails": {"name": "T"},
        },
    ]
    times = iter([10.0, 12.5])
    stream = Stream(tty=False)
    feed(Progress(machine, stream, clock=lambda: next(times)), events)

    assert stream.getvalue().splitlines() == [
        "  ▸ T",
        "  ✗ T Boom: " + "x" * 197 + "...",
        "  ↻ T retrying",
        "  ✓ T 2.50s",
    ]


def test_an_exit_right_after_a_failure_is_shown_as_caught() -> None:
    machine = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": True}}}
    events = [
        {"id": 1, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "T"}},
        {
            "id": 2,
            "previousEventId": 1,
            "type": "TaskFailed",
            "taskFailedEventDetails": {"error": "E"},
        },
        {
            "id": 3,
            "previousEventId": 2,
            "type": "TaskStateExited",
            "stateExitedEventDetails": {"name": "T"},
        },
    ]
    times = iter([0.0, 1.0])
    stream = Stream(tty=False)
    feed(Progress(machine, stream, clock=lambda: next(times)), events)

    assert stream.getvalue().splitlines() == ["  ▸ T", "  ✗ T E", "  ↪ T caught 1.00s"]


def entered(event_id: int, previous: int, kind: str, name: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "previousEventId": previous,
        "type": f"{kind}StateEntered",
        "stateEnteredEventDetails": {"name": name},
    }


def failed(event_id: int, previous: int, error: str, kind: str = "TaskFailed") -> dict[str, Any]:
    key = kind[0].lower() + kind[1:] + "EventDetails"
    return {"id": event_id, "previousEventId": previous, "type": kind, key: {"error": error}}


def retried_task(retry: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "StartAt": "ListFiles",
        "States": {"ListFiles": {"Type": "Task", "Resource": "r", "Retry": retry, "End": True}},
    }


def failing(*errors: str) -> Any:
    """A handler failing with each error in turn, then succeeding."""
    left = list(errors)

    def handler(_: Any) -> Any:
        if left:
            raise TaskError(left.pop(0), "")
        return {}

    return handler


def progress_of(machine: dict[str, Any], handler: Any, skip_waits: bool = False) -> list[str]:
    """The lines printed for a real engine run of `machine` (time from a FakeClock)."""
    stream = Stream(tty=False)
    progress = Progress(machine, stream, skip_waits=skip_waits, clock=lambda: 0.0)
    run(machine, {}, {"ListFiles": handler}, skip_waits, clock=FakeClock(), on_event=progress)
    progress.close()
    # the handler is this file's code: its failures end with "  at <this file>:<line>"
    return [
        re.sub(r"  at \S+test_progress\.py:\d+$", "", line)
        for line in stream.getvalue().splitlines()
    ]


def test_a_retry_line_shows_the_engine_s_delay_before_the_next_attempt() -> None:
    # Delay of retry n (from 0): IntervalSeconds x BackoffRate^n, capped by MaxDelaySeconds
    # (https://states-language.net/spec.html#retrying-after-error); the first matching retrier
    # decides and counts its own attempts; once they are used up the error is not retried.
    machine = retried_task(
        [
            {"ErrorEquals": ["Other"], "MaxAttempts": 5},
            {"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2},
        ]
    )
    assert progress_of(machine, failing("Busy", "Busy", "Busy", "Busy")) == [
        "  ▸ ListFiles",
        "  ✗ ListFiles Busy",
        "  ↻ ListFiles retrying in 2s (retry 1 of 3)",
        "  ✗ ListFiles Busy",
        "  ↻ ListFiles retrying in 4s (retry 2 of 3)",
        "  ✗ ListFiles Busy",
        "  ↻ ListFiles retrying in 8s (retry 3 of 3)",
        "  ✗ ListFiles Busy",
    ]


def test_retry_lines_for_capped_jittered_skipped_and_unmatched_errors() -> None:
    capped = retried_task(
        [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxDelaySeconds": 4}]
    )
    lines = progress_of(capped, failing("E", "E", "States.Runtime"), skip_waits=True)
    assert lines[1:] == [
        "  ✗ ListFiles E",
        "  ↻ ListFiles retrying, 3s wait skipped (retry 1 of 3)",
        "  ✗ ListFiles E",
        "  ↻ ListFiles retrying, 4s wait skipped (retry 2 of 3)",
        "  ✗ ListFiles States.Runtime",  # never retried
    ]

    jitter = retried_task([{"ErrorEquals": ["E"], "JitterStrategy": "FULL"}])
    (retry_line,) = [line for line in progress_of(jitter, failing("E")) if "↻" in line]
    # the delay the engine drew, between 0 and IntervalSeconds
    assert re.fullmatch(
        r"  ↻ ListFiles retrying (now|in 0(\.\d+)?s|in 1s) \(retry 1 of 3\)", retry_line
    )


def test_an_oversized_result_that_the_engine_retries_shows_its_retry() -> None:
    # A Task's oversized result is States.DataLimitExceeded that States.ALL does match (the
    # engine's terminal=False); the progress follows the engine's decision, not its own.
    machine = retried_task([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}])
    calls = []

    def handler(_: Any) -> Any:
        calls.append(1)
        return "x" * 300_000 if len(calls) == 1 else {}

    lines = progress_of(machine, handler)
    assert lines[1].startswith("  ✗ ListFiles States.DataLimitExceeded")
    assert lines[2] == "  ↻ ListFiles retrying in 1s (retry 1 of 1)"
    assert lines[3].startswith("  ✓ ListFiles")


def test_a_runtime_failure_recorded_only_on_execution_failed_is_shown_on_its_state() -> None:
    # AWS records a States.Runtime failure of a Choice or Pass state as ExecutionFailed only;
    # its cause names the state and the id of its StateEntered event.
    machine = {
        "StartAt": "HasInvoices",
        "States": {"HasInvoices": {"Type": "Choice", "Choices": [], "Default": "X"}},
    }
    cause = (
        "An error occurred while executing the state 'HasInvoices' (entered at the event id #2). "
        "Invalid path '$.count'"
    )
    events = [
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted"},
        entered(2, 1, "Choice", "HasInvoices"),
        {
            "id": 3,
            "previousEventId": 2,
            "type": "ExecutionFailed",
            "executionFailedEventDetails": {"error": "States.Runtime", "cause": cause},
        },
    ]
    stream = Stream(tty=False)
    feed(Progress(machine, stream), events)
    assert stream.getvalue().splitlines() == [
        "  ▸ HasInvoices",
        "  ✗ HasInvoices States.Runtime: Invalid path '$.count'",
    ]

    events[-1]["executionFailedEventDetails"]["cause"] = "something else"  # located by event
    stream = Stream(tty=False)
    feed(Progress(machine, stream), events)
    assert stream.getvalue().splitlines()[-1] == "  ✗ HasInvoices States.Runtime: something else"


def test_a_runtime_failure_inside_a_parallel_comes_before_the_parallel_s_failure() -> None:
    machine = {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
                "End": True,
            }
        },
    }
    cause = "An error occurred while executing the state 'B' (entered at the event id #3). Bad"
    events = [
        entered(1, 0, "Parallel", "Par"),
        {"id": 2, "previousEventId": 1, "type": "ParallelStateStarted"},
        entered(3, 2, "Pass", "B"),
        # the Parallel's own event may point at the last event of its branch
        {"id": 4, "previousEventId": 3, "type": "ParallelStateFailed"},
        {
            "id": 5,
            "previousEventId": 4,
            "type": "ExecutionFailed",
            "executionFailedEventDetails": {"error": "States.Runtime", "cause": cause},
        },
    ]
    stream = Stream(tty=False)
    feed(Progress(machine, stream), events)
    assert stream.getvalue().splitlines() == [
        "  ▸ Par (1 branches)",
        "    ▸ B",
        "    ✗ B States.Runtime: Bad",
        "  ✗ Par",
    ]
