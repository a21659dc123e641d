"""Live progress of a run (flowtasks.runner.progress), fed with hand-written history events."""

from __future__ import annotations

import io
from typing import Any

from flowtasks.runner.progress import Progress

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
