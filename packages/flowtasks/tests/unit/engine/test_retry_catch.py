"""Retry and Catch, as "Error handling in Step Functions" defines them
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html) and the
ASL specification (https://states-language.net/spec.html#errors). Timing uses a fake clock.
"""

from __future__ import annotations

from typing import Any

import pytest

from flowtasks.errors import TaskError
from flowtasks.local import FakeClock, run
from flowtasks.local.retry import Retrier, matches

LAMBDA = "arn:aws:states:::lambda:invoke"


def flaky(errors: list[str]) -> Any:
    """A handler failing with each error name in turn, then returning "ok"."""
    remaining = list(errors)
    calls: list[int] = []

    def handler(_: Any) -> Any:
        calls.append(1)
        if remaining:
            raise TaskError(remaining.pop(0), "boom")
        return "ok"

    handler.calls = calls  # type: ignore[attr-defined]
    return handler


def task(retry: list[dict[str, Any]] | None = None, catch: list[Any] | None = None) -> Any:
    state: dict[str, Any] = {"Type": "Task", "Resource": LAMBDA, "End": True}
    if retry is not None:
        state["Retry"] = retry
    if catch is not None:
        state["Catch"] = catch
    states: dict[str, Any] = {"T": state}
    if catch is not None:
        states["Recover"] = {"Type": "Pass", "End": True}
    return {"StartAt": "T", "States": states}


def test_backoff_intervals() -> None:
    # "IntervalSeconds ... BackoffRate: the multiplier by which the retry interval increases
    # with each attempt" -> 3, 6, 12.
    clock = FakeClock()
    retry = [{"ErrorEquals": ["E"], "IntervalSeconds": 3, "MaxAttempts": 3, "BackoffRate": 2}]
    execution = run(task(retry), handlers={"T": flaky(["E", "E", "E"])}, clock=clock)
    assert execution.output == "ok"
    assert clock.sleeps == [3, 6, 12]


def test_defaults_interval_1_backoff_2_max_attempts_3() -> None:
    clock = FakeClock()
    handler = flaky(["E"] * 4)
    execution = run(task([{"ErrorEquals": ["E"]}]), handlers={"T": handler}, clock=clock)
    assert execution.error == "E"
    assert clock.sleeps == [1, 2, 4]
    assert len(handler.calls) == 4


def test_max_delay_seconds_caps_the_interval() -> None:
    # "MaxDelaySeconds: the maximum value in seconds up to which a retry interval can increase"
    clock = FakeClock()
    retry = [{"ErrorEquals": ["E"], "IntervalSeconds": 10, "MaxAttempts": 4, "MaxDelaySeconds": 25}]
    run(task(retry), handlers={"T": flaky(["E"] * 4)}, clock=clock)
    assert clock.sleeps == [10, 20, 25, 25]


def test_full_jitter_stays_within_bounds() -> None:
    # "JitterStrategy FULL": a random interval between 0 and the computed backoff.
    retrier = Retrier({"ErrorEquals": ["E"], "IntervalSeconds": 4, "JitterStrategy": "FULL"})
    assert retrier.delay(2, rand=lambda: 0.5) == 8.0
    clock = FakeClock()
    retry = [{"ErrorEquals": ["E"], "IntervalSeconds": 4, "JitterStrategy": "FULL"}]
    run(task(retry), handlers={"T": flaky(["E"] * 3)}, clock=clock)
    for sleep, cap in zip(clock.sleeps, [4, 8, 16], strict=True):
        assert 0 <= sleep <= cap


def test_max_attempts_zero_never_retries() -> None:
    # spec: "A MaxAttempts value of zero is permitted and indicates that the error should never
    # be retried."
    handler = flaky(["E"])
    execution = run(task([{"ErrorEquals": ["E"], "MaxAttempts": 0}]), handlers={"T": handler})
    assert execution.error == "E"
    assert len(handler.calls) == 1


def test_first_matching_retrier_decides_and_counts_separately() -> None:
    # spec: retriers are evaluated in order; each keeps its own attempt count. Once the first
    # matching retrier is exhausted, later (matching) retriers are not consulted.
    clock = FakeClock()
    retry = [
        {"ErrorEquals": ["A"], "IntervalSeconds": 1, "MaxAttempts": 1},
        {"ErrorEquals": ["B"], "IntervalSeconds": 5, "MaxAttempts": 2},
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 100, "MaxAttempts": 5},
    ]
    execution = run(task(retry), handlers={"T": flaky(["A", "B", "B"])}, clock=clock)
    assert execution.output == "ok"
    assert clock.sleeps == [1, 5, 10]
    clock = FakeClock()
    execution = run(task(retry), handlers={"T": flaky(["A", "A"])}, clock=clock)
    assert execution.error == "A"
    assert clock.sleeps == [1]


def test_retry_count_in_context() -> None:
    # input-output-contextobject.html: $$.State.RetryCount
    seen: list[int] = []
    definition = task([{"ErrorEquals": ["E"], "IntervalSeconds": 1}])
    definition["States"]["T"]["Parameters"] = {"n.$": "$$.State.RetryCount"}

    def handler(event: Any) -> Any:
        seen.append(event["n"])
        if len(seen) < 3:
            raise TaskError("E")
        return "ok"

    run(definition, handlers={"T": handler}, skip_waits=True)
    assert seen == [0, 1, 2]


@pytest.mark.parametrize(
    ("equals", "error", "expected"),
    [
        (["States.ALL"], "Any.Error", True),
        (["States.ALL"], "States.Timeout", True),
        (["States.ALL"], "States.DataLimitExceeded", False),
        (["States.ALL"], "States.Runtime", False),
        (["States.TaskFailed"], "KeyError", True),
        (["States.TaskFailed"], "States.Timeout", False),
        (["States.DataLimitExceeded"], "States.DataLimitExceeded", True),
        (["States.Runtime"], "States.Runtime", False),
        (["Other"], "KeyError", False),
    ],
)
def test_error_matching(equals: list[str], error: str, expected: bool) -> None:
    # concepts-error-handling.html: States.ALL does not match States.DataLimitExceeded or
    # States.Runtime; States.TaskFailed matches any error except States.Timeout; States.Runtime
    # errors are not retriable and always fail the execution.
    assert matches(equals, error) is expected


def test_runtime_error_is_never_retried_nor_caught() -> None:
    definition = task(
        [{"ErrorEquals": ["States.ALL"]}],
        [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
    )
    definition["States"]["T"]["Parameters"] = {"x.$": "$.missing"}
    clock = FakeClock()
    execution = run(definition, handlers={"T": lambda e: e}, clock=clock)
    assert execution.error == "States.Runtime"
    assert clock.sleeps == []


def test_catch_result_path_gets_error_and_cause() -> None:
    # concepts-error-handling.html "Catch": the error output {"Error", "Cause"} is placed at the
    # catcher's ResultPath in the state input, then Next.
    catch = [{"ErrorEquals": ["E"], "ResultPath": "$.failure", "Next": "Recover"}]
    execution = run(task(catch=catch), {"keep": 1}, handlers={"T": flaky(["E"])})
    assert execution.output == {"keep": 1, "failure": {"Error": "E", "Cause": "boom"}}
    types = [e["type"] for e in execution.history]
    assert types.index("TaskFailed") < types.index("TaskStateExited")
    assert "PassStateEntered" in types


def test_catch_default_result_path_replaces_input() -> None:
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]
    execution = run(task(catch=catch), {"keep": 1}, handlers={"T": flaky(["E"])})
    assert execution.output == {"Error": "E", "Cause": "boom"}


def test_retry_then_catch_after_exhaustion() -> None:
    clock = FakeClock()
    execution = run(
        task(
            [{"ErrorEquals": ["E"], "MaxAttempts": 2}],
            [{"ErrorEquals": ["E"], "Next": "Recover"}],
        ),
        handlers={"T": flaky(["E"] * 5)},
        clock=clock,
    )
    assert execution.status == "SUCCEEDED"
    assert clock.sleeps == [1, 2]
    assert [e["type"] for e in execution.history].count("TaskScheduled") == 3


def test_timeout_is_retried_by_name_but_not_task_failed() -> None:
    clock = FakeClock()

    def slow(_: Any) -> Any:
        clock.sleep(5)
        return 1

    definition = task([{"ErrorEquals": ["States.TaskFailed"]}])
    definition["States"]["T"]["TimeoutSeconds"] = 2
    execution = run(definition, handlers={"T": slow}, clock=clock)
    assert execution.error == "States.Timeout"
    assert clock.sleeps == [5]  # only the handler's own sleep: no retry interval
