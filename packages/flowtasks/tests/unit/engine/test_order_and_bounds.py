"""Order and bounds that a reviewer's deliberate bugs got past: the first matching catcher wins,
compiled Catch and Retry lists keep the author's order, and a Task's timeout fires only past it.

Sources: https://states-language.net/spec.html#catching-errors ("When a state reports an error
and either there is no Retrier, or retries have failed to resolve the error, the interpreter
scans through the Catchers in array order, and when the Error Name appears in the value of a
Catcher's ErrorEquals field, transitions the machine to the state named in the value of the
Next field") and #retrying-after-error (retriers likewise, in array order);
https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html (TimeoutSeconds: "If the
task runs longer than the specified seconds, this state fails with a States.Timeout error").
"""

from __future__ import annotations

from typing import Any

import pytest

from flowtasks import Catch, Flow, Pass, Retry, TaskError, task
from flowtasks.asl import compile_flow
from flowtasks.local import FakeClock, run


def catching(*catchers: tuple[list[str], str]) -> dict[str, Any]:
    states: dict[str, Any] = {
        "T": {
            "Type": "Task",
            "Resource": "x",
            "Catch": [{"ErrorEquals": errors, "Next": to} for errors, to in catchers],
            "End": True,
        }
    }
    for _, to in catchers:
        states[to] = {"Type": "Pass", "Result": to, "End": True}
    return {"StartAt": "T", "States": states}


def fail_with(error: str) -> Any:
    def handler(_: Any) -> Any:
        raise TaskError(error, "boom")

    return handler


def test_the_first_catcher_that_matches_wins_over_a_later_states_all() -> None:
    definition = catching((["KeyError"], "Specific"), (["States.ALL"], "General"))
    execution = run(definition, handlers={"T": fail_with("KeyError")})
    assert (execution.status, execution.output) == ("SUCCEEDED", "Specific")
    execution = run(definition, handlers={"T": fail_with("ValueError")})
    assert execution.output == "General"


def test_of_two_matching_catchers_the_earlier_one_wins() -> None:
    # both match KeyError: only array order decides, whatever the names sort as
    definition = catching((["States.TaskFailed", "Z.Error"], "Zed"), (["KeyError"], "Alpha"))
    execution = run(definition, handlers={"T": fail_with("KeyError")})
    assert execution.output == "Zed"
    definition = catching((["KeyError"], "Alpha"), (["States.TaskFailed", "Z.Error"], "Zed"))
    assert run(definition, handlers={"T": fail_with("KeyError")}).output == "Alpha"


def test_of_two_matching_retriers_the_earlier_one_decides() -> None:
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "x",
                "Retry": [
                    {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 7, "MaxAttempts": 1},
                    {"ErrorEquals": ["KeyError"], "IntervalSeconds": 2, "MaxAttempts": 1},
                ],
                "End": True,
            }
        },
    }
    clock = FakeClock()
    execution = run(definition, handlers={"T": fail_with("KeyError")}, clock=clock)
    assert execution.error == "KeyError"
    assert clock.sleeps == [7]


class ZetaError(Exception):
    pass


class AlphaError(Exception):
    pass


@task
def work(event: Any) -> Any:
    return event


def test_compiled_catch_and_retry_keep_the_author_s_order() -> None:
    flow = Flow(
        "Ordered",
        work.with_(
            retry=[Retry(ZetaError, max_attempts=1), Retry(AlphaError, max_attempts=2)],
            catch=[
                Catch([ZetaError], next=Pass("OnZeta")),
                Catch([KeyError, AlphaError], next=Pass("OnAlpha")),
                Catch(["States.ALL"], next=Pass("OnAny")),
            ],
        ),
    )
    state = compile_flow(flow, "t").definition["States"]["Work"]
    assert [c["ErrorEquals"] for c in state["Catch"]] == [
        ["ZetaError"],
        ["KeyError", "AlphaError"],
        ["States.ALL"],
    ]
    assert [c["Next"] for c in state["Catch"]] == ["OnZeta", "OnAlpha", "OnAny"]
    assert [r["ErrorEquals"] for r in state["Retry"]] == [["ZetaError"], ["AlphaError"]]


def timed(**fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": "x", "End": True, **fields}},
    }


def taking(clock: FakeClock, seconds: float, beats: int = 0) -> Any:
    def handler(_: Any) -> Any:
        clock.sleep(seconds)
        return "done"

    return handler


@pytest.mark.parametrize(
    ("runs_for", "status", "error"),
    [(9.999, "SUCCEEDED", None), (10, "SUCCEEDED", None), (10.001, "FAILED", "States.Timeout")],
)
def test_a_task_times_out_only_when_it_runs_longer_than_timeout_seconds(
    runs_for: float, status: str, error: str | None
) -> None:
    clock = FakeClock()
    execution = run(timed(TimeoutSeconds=10), handlers={"T": taking(clock, runs_for)}, clock=clock)
    assert (execution.status, execution.error) == (status, error)


@pytest.mark.parametrize(
    ("silent_for", "status", "error"),
    [(10, "SUCCEEDED", None), (10.001, "FAILED", "States.Timeout")],  # AWS's name for it
)
def test_a_heartbeat_timeout_fires_only_past_heartbeat_seconds(
    silent_for: float, status: str, error: str | None
) -> None:
    clock = FakeClock()
    definition = timed(TimeoutSeconds=100, HeartbeatSeconds=10)
    execution = run(definition, handlers={"T": taking(clock, silent_for)}, clock=clock)
    assert (execution.status, execution.error) == (status, error)
