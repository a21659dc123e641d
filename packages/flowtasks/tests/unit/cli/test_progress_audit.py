"""Every progress line, checked against the history it summarises (`flowtasks.history`).

Each scenario runs on the engine with `Progress` as its ``on_event``; `audit` then reads the
same history with `read_history` and checks each kind of line against it:

- ``▸`` lines are the states entered, in history order, each indented by its nesting;
- ``✓`` / ``↪`` lines are the states that exited normally / through a Catch;
- ``✗`` lines are the failed attempts (a Task's with its error, cause and ``at file:line`` when
  its code raised; a Parallel's or Map's naming the branch or iteration and the state inside
  that failed);
- ``↻ ... retrying`` lines are the engine's retry decisions: never one without a retrier.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from flowtasks.cli.progress import Progress
from flowtasks.history import ExecutionRecord, StateRecord, read_history
from flowtasks.local import FakeClock, run
from flowtasks.local.limits import MAX_PAYLOAD_BYTES
from flowtasks.testing import TaskError

LINE = re.compile(r"^(?P<indent> *)(?P<mark>[▸✓✗↪↻]) (?P<name>\S+)(?: (?P<rest>.*))?$")
BAR_THRESHOLD = 20


class Stream(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return False


@dataclass
class Audited:
    lines: list[str]
    record: ExecutionRecord
    marks: dict[str, Counter[str]] = field(default_factory=dict)

    def count(self, mark: str, name: str) -> int:
        return self.marks.get(mark, Counter())[name]

    def lines_of(self, mark: str, name: str) -> list[str]:
        found = []
        for line in self.lines:
            match = LINE.match(line)
            if match and match["mark"] == mark and match["name"] == name:
                found.append(match["rest"] or "")
        return found


def _quiet(state: StateRecord) -> bool:
    """Inside a Map that shows a progress bar (its inner lines are not printed)."""
    parent = state.parent
    while parent is not None:
        if parent.type == "Map" and (parent.items or 0) >= BAR_THRESHOLD:
            return True
        parent = parent.parent
    return False


def _inside(record: StateRecord, container: StateRecord) -> bool:
    parent = record.parent
    while parent is not None and parent is not container:
        parent = parent.parent
    return parent is container


def audit(definition: dict[str, Any], input: Any, handlers: dict[str, Any]) -> Audited:
    """Run, print the progress, and check every line against the history."""
    stream = Stream()
    progress = Progress(definition, stream, skip_waits=True, clock=lambda: 0.0)
    execution = run(definition, input, handlers, True, clock=FakeClock(), on_event=progress)
    progress.close()
    lines = stream.getvalue().splitlines()
    record = read_history(execution.history, definition)
    audited = Audited(lines, record)
    shown: list[tuple[str, str]] = []
    for line in lines:
        match = LINE.match(line)
        if match is None:
            continue  # Map item counts, bars, tracebacks
        audited.marks.setdefault(match["mark"], Counter())[match["name"]] += 1
        if match["mark"] == "▸":
            shown.append((match["indent"], match["name"]))

    visible = [state for state in record.states if not _quiet(state)]
    # ▸: exactly the states entered, in history order, each at its depth
    assert shown == [("  " * (len(s.path) + 1), s.name) for s in visible], lines
    # inside a Map with a bar, only the first 3 failures are shown (the bar counts them all)
    quiet = [s for s in record.states if _quiet(s)]
    hidden = [f for s in quiet for f in s.failures]
    quiet_names = {s.name for s in quiet}
    assert sum(audited.count("✗", name) for name in quiet_names) == min(3, len(hidden)), lines
    names = {state.name for state in record.states} - quiet_names
    for name in names:
        records = [s for s in record.of(name) if not _quiet(s)]
        failures = [f for s in records for f in s.failures]
        # ✓ and ↪: how each record ended
        assert audited.count("✓", name) == sum(s.status == "succeeded" for s in records), lines
        assert audited.count("↪", name) == sum(s.status == "caught" for s in records), lines
        # ↻: one per retry the engine decided, so never "retrying" without a retrier
        retries = [f for f in failures if f.action == "retry"]
        assert audited.count("↻", name) == len(retries), lines
        for text in audited.lines_of("↻", name):
            assert text.startswith("retrying"), text
        # ✗: one per failed attempt, saying what failed
        assert audited.count("✗", name) == len(failures), lines
        for text, failure in zip(audited.lines_of("✗", name), failures, strict=True):
            assert text.startswith(failure.error), (text, failure)
            kind = records[0].type
            if kind in ("Parallel", "Map"):
                container = next(s for s in records if failure in s.failures)
                inner = re.search(
                    r"\((branch \d+ of \d+|iteration \d+ of \d+), state (\S+): ", text
                )
                assert inner is not None, text
                failed_inside = [r for r in record.states if _inside(r, container)]
                assert inner[2] in {r.name for r in failed_inside}, text
            else:
                if failure.cause:
                    assert failure.cause[:40] in text, (text, failure)
                if failure.location is not None:
                    assert text.endswith(f"  at {failure.location}"), text
    return audited


def task(name: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": f"arn:aws:lambda:us-east-1:1:function:{name}", **fields}


def failing(error: str, times: int = 10**6, then: Any = None) -> Callable[[Any], Any]:
    left = {"n": times}

    def handler(_: Any) -> Any:
        if left["n"] > 0:
            left["n"] -= 1
            raise TaskError(error, f"{error} happened")
        return then

    return handler


def test_a_retried_task_then_a_caught_one() -> None:
    machine = {
        "StartAt": "Fetch",
        "States": {
            "Fetch": task(
                "f",
                Retry=[{"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "MaxAttempts": 3}],
                Next="Load",
            ),
            "Load": task("l", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Recover"}], End=True),
            "Recover": {"Type": "Pass", "End": True},
        },
    }
    audited = audit(machine, {}, {"Fetch": failing("Busy", 2, {}), "Load": failing("Bad")})
    assert audited.lines_of("↻", "Fetch") == [
        "retrying, 2s wait skipped (retry 1 of 3)",
        "retrying, 4s wait skipped (retry 2 of 3)",
    ]
    assert audited.lines_of("↪", "Load") == ["caught 0.00s"]


def test_a_parallel_with_only_a_catch_never_says_retrying() -> None:
    # the first-hour report: "↻ P retrying" then a bare "✗ P"
    machine = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                    {"StartAt": "B", "States": {"B": task("b", End=True)}},
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Pass", "End": True},
        },
    }
    audited = audit(machine, {}, {"B": failing("Boom")})
    assert not any("retrying" in line for line in audited.lines)
    assert audited.lines_of("✗", "P") == ["Boom (branch 2 of 2, state B: Boom: Boom happened)"]
    assert audited.lines_of("↪", "P") == ["caught 0.00s"]


def test_a_retried_parallel_names_the_failed_state_each_time() -> None:
    fail = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "No", "Cause": "said no"}}}
    machine = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    fail,
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                ],
                "Retry": [{"ErrorEquals": ["No"], "MaxAttempts": 1}],
                "End": True,
            }
        },
    }
    audited = audit(machine, {}, {})
    assert audited.record.status == "FAILED"
    assert audited.lines_of("✗", "P") == ["No (branch 1 of 2, state F: No: said no)"] * 2
    assert audited.lines_of("↻", "P") == ["retrying, 1s wait skipped (retry 1 of 1)"]


def test_a_failed_map_names_the_iteration_and_its_state() -> None:
    machine = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "StartAt": "Check",
                    "States": {
                        "Check": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}],
                            "Default": "Good",
                        },
                        "Good": {"Type": "Pass", "End": True},
                        "Bad": task("bad", End=True),
                    },
                },
                "End": True,
            }
        },
    }
    audited = audit(machine, [0, 1, 2, 3], {"Bad": failing("Invalid")})
    assert audited.record.status == "FAILED"
    assert audited.lines_of("✗", "M") == [
        "Invalid (iteration 2 of 4, state Bad: Invalid: Invalid happened)"
    ]


def test_a_map_within_a_parallel_names_the_branch_and_the_innermost_state() -> None:
    inner_map = {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "T", "States": {"T": task("t", End=True)}},
        "End": True,
    }
    machine = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Skip", "States": {"Skip": {"Type": "Pass", "End": True}}},
                    {"StartAt": "Each", "States": {"Each": inner_map}},
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        },
    }
    audited = audit(machine, [1], {"T": failing("Deep")})
    assert audited.lines_of("✗", "Each") == [
        "Deep (iteration 0 of 1, state T: Deep: Deep happened)"
    ]
    assert audited.lines_of("✗", "P") == ["Deep (branch 2 of 2, state T: Deep: Deep happened)"]


def test_a_map_with_a_bar_and_tolerated_failures() -> None:
    machine = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ToleratedFailureCount": 30,
                "ItemProcessor": {"StartAt": "T", "States": {"T": task("t", End=True)}},
                "End": True,
            }
        },
    }
    calls = {"n": 0}

    def every_third(_: Any) -> Any:
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            raise TaskError("Odd", "one in three")
        return {}

    audited = audit(machine, list(range(BAR_THRESHOLD + 1)), {"T": every_third})
    assert audited.record.status == "SUCCEEDED"
    bar = [line for line in audited.lines if line.startswith("  M [")]
    assert bar[-1].endswith(f"{BAR_THRESHOLD + 1}/{BAR_THRESHOLD + 1}  7 failed")
    assert audited.lines_of("✓", "M") == ["0.00s"]


def test_a_task_whose_code_raises_shows_where() -> None:
    def export(event: Any) -> Any:
        return event["rates"]  # KeyError here

    audited = audit(
        {"StartAt": "Export", "States": {"Export": task("e", End=True)}}, {}, {"Export": export}
    )
    (line,) = audited.lines_of("✗", "Export")
    assert line.startswith("KeyError: 'rates'  at ")
    assert line.endswith(f"test_progress_audit.py:{export.__code__.co_firstlineno + 1}")


def test_an_oversized_result_that_is_retried_says_so() -> None:
    big = "x" * (MAX_PAYLOAD_BYTES + 1)
    machine = {
        "StartAt": "T",
        "States": {
            "T": task(
                "t",
                Retry=[{"ErrorEquals": ["States.DataLimitExceeded"], "MaxAttempts": 1}],
                End=True,
            )
        },
    }
    results = iter([big, "small"])
    audited = audit(machine, {}, {"T": lambda _: next(results)})
    assert audited.record.status == "SUCCEEDED"
    assert audited.lines_of("↻", "T") == ["retrying, 1s wait skipped (retry 1 of 1)"]


@pytest.mark.parametrize("tolerated", [0, 1])
def test_every_line_of_a_fail_state_run_matches(tolerated: int) -> None:
    machine = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ToleratedFailureCount": tolerated,
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "StartAt": "Stop",
                    "States": {"Stop": {"Type": "Fail", "Error": "Stop", "Cause": "stopped"}},
                },
                "Next": "After",
            },
            "After": {"Type": "Pass", "End": True},
        },
    }
    audited = audit(machine, [1], {})
    assert audited.record.status == ("SUCCEEDED" if tolerated else "FAILED")
