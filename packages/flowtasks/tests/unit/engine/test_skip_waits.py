"""Skipped waits advance the execution's time: `run(..., skip_waits=True)` behaves as if every
Wait and retry interval had passed, only without sleeping.

What time drives, per the developer guide:
- statemachine-structure.html: "TimeoutSeconds: the maximum number of seconds an execution of
  the state machine can run. If it runs longer than the specified time, the execution fails
  with a States.Timeout error" (status TIMED_OUT);
- state-wait.html: a Wait ``Timestamp`` waits "until an absolute time", so a time already past
  does not wait;
- concepts-error-handling.html: a retrier waits IntervalSeconds before the retry;
- state-parallel.html / state-map-inline.html: branches and iterations run concurrently (a Map
  at most MaxConcurrency at a time), so their waits overlap.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from flowtasks.errors import TaskError
from flowtasks.local import FakeClock, run
from flowtasks.local.history import iso

START = 1_700_000_000.0
LAMBDA = "arn:aws:states:::lambda:invoke"


def seconds(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def entered_time_after(*states: tuple[str, dict[str, Any]], **machine: Any) -> dict[str, Any]:
    """A machine running `states` in order, then a Pass whose output is $$.State.EnteredTime."""
    names = [name for name, _ in states] + ["Now"]
    body = {name: {**spec, "Next": names[i + 1]} for i, (name, spec) in enumerate(states)}
    body["Now"] = {"Type": "Pass", "Parameters": {"t.$": "$$.State.EnteredTime"}, "End": True}
    return {"StartAt": names[0], "States": body, **machine}


def test_a_skipped_wait_still_times_the_execution_out() -> None:
    definition = {
        "TimeoutSeconds": 1,
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}},
    }
    began = time.monotonic()
    execution = run(definition, {}, skip_waits=True)
    assert time.monotonic() - began < 1  # nothing was slept
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert execution.history[-1]["type"] == "ExecutionTimedOut"
    # The timeout happens 1 s (the TimeoutSeconds) after the start, in the execution's time.
    elapsed = seconds(execution.history[-1]["timestamp"]) - seconds(
        execution.history[0]["timestamp"]
    )
    assert 1 <= elapsed < 1.5


def test_a_skipped_retry_interval_counts_against_the_execution_timeout() -> None:
    definition = {
        "TimeoutSeconds": 10,
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 60}],
                "End": True,
            }
        },
    }
    calls: list[int] = []

    def busy_once(_: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise TaskError("Busy", "try later")
        return 1

    execution = run(definition, {}, handlers={"T": busy_once}, skip_waits=True)
    assert execution.status == "TIMED_OUT"
    assert calls == [1]  # the retry would start 60 s in, after the 10 s timeout


def test_entered_time_and_history_timestamps_include_skipped_waits() -> None:
    clock = FakeClock(START)
    definition = entered_time_after(("W", {"Type": "Wait", "Seconds": 3600}))
    execution = run(definition, {}, skip_waits=True, clock=clock)
    assert execution.output == {"t": iso(START + 3600)}
    stamps = {e["type"]: seconds(e["timestamp"]) for e in execution.history}
    assert stamps["WaitStateEntered"] == START
    assert stamps["WaitStateExited"] == START + 3600
    assert stamps["ExecutionSucceeded"] == START + 3600
    assert execution.stop_date == iso(START + 3600)
    assert clock.sleeps == []  # skipped: nothing asked the clock to sleep


def test_a_wait_timestamp_compares_with_the_time_after_skipped_waits() -> None:
    clock = FakeClock(START)
    already_past = entered_time_after(
        ("W", {"Type": "Wait", "Seconds": 10}),
        ("Until", {"Type": "Wait", "Timestamp": iso(START + 5)}),
    )
    assert run(already_past, {}, skip_waits=True, clock=clock).output == {"t": iso(START + 10)}
    still_ahead = entered_time_after(
        ("W", {"Type": "Wait", "Seconds": 10}),
        ("Until", {"Type": "Wait", "Timestamp": iso(START + 30)}),
    )
    clock = FakeClock(START)
    assert run(still_ahead, {}, skip_waits=True, clock=clock).output == {"t": iso(START + 30)}


def wait_in_each(count: int, wait: int, state: str, **fields: Any) -> dict[str, Any]:
    def inner(name: str = "W") -> dict[str, Any]:
        return {"StartAt": name, "States": {name: {"Type": "Wait", "Seconds": wait, "End": True}}}

    if state == "Parallel":  # state names are unique across the whole machine (ASL spec)
        branches = [inner(f"W{i}") for i in range(count)]
        spec: dict[str, Any] = {"Type": "Parallel", "Branches": branches}
    else:
        spec = {"Type": "Map", "ItemProcessor": inner(), **fields}
    return {"TimeoutSeconds": 10, "StartAt": "S", "States": {"S": {**spec, "End": True}}}


def test_skipped_waits_of_parallel_branches_overlap() -> None:
    clock = FakeClock(START)
    execution = run(wait_in_each(3, 6, "Parallel"), {}, skip_waits=True, clock=clock)
    assert execution.status == "SUCCEEDED"  # 6 s, not 18 s
    assert execution.stop_date == iso(START + 6)


def test_skipped_waits_of_map_iterations_overlap_up_to_max_concurrency() -> None:
    items = [1, 2, 3]
    unlimited = run(wait_in_each(3, 4, "Map"), items, skip_waits=True, clock=FakeClock(START))
    assert unlimited.status == "SUCCEEDED"
    assert unlimited.stop_date == iso(START + 4)
    two_at_a_time = wait_in_each(3, 4, "Map", MaxConcurrency=2)
    execution = run(two_at_a_time, items, skip_waits=True, clock=FakeClock(START))
    assert execution.status == "SUCCEEDED"
    assert execution.stop_date == iso(START + 8)
    one_at_a_time = wait_in_each(3, 4, "Map", MaxConcurrency=1)
    execution = run(one_at_a_time, items, skip_waits=True, clock=FakeClock(START))
    assert execution.status == "TIMED_OUT"  # 12 s of waits one after another
