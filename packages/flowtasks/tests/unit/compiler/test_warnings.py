"""Warnings where a flow will hit an AWS limit (limits from the Step Functions "Quotas" page:
25,000 history events per Standard execution, 5 minutes per Express execution, about 40
concurrent inline Map iterations)."""

from __future__ import annotations

from typing import Any

from flowtasks import Choice, DistributedMap, Flow, Goto, Map, Pass, Retry, Var, Wait, task
from flowtasks.asl import compile_flow


@task(timeout_seconds=200)
def slow(x: Any) -> Any:
    return x


def warnings_of(flow: Flow) -> list[tuple[str, str, str]]:
    return [(w.where, w.severity, w.message) for w in compile_flow(flow, "w").warnings]


def test_inline_map_with_high_concurrency_calls_for_distributed_mode() -> None:
    flow = Flow("Wide", Map("M", Pass("I"), items_path="$.x", max_concurrency=100))
    [(where, severity, message)] = warnings_of(flow)
    assert (where, severity) == ("w.Wide > States.M", "warning")
    assert "max_concurrency=100" in message
    assert "DistributedMap" in message
    assert compile_flow(flow, "w").warnings[0].source is not None


def test_distributed_map_may_be_wide() -> None:
    flow = Flow("Wide", DistributedMap("M", Pass("I"), items_path="$.x", max_concurrency=5000))
    assert warnings_of(flow) == []


def test_inline_map_over_many_items_can_pass_the_history_limit() -> None:
    flow = Flow("Big", Map("M", slow >> Pass("P"), items_path="$.x", max_items=5000))
    [(where, _, message)] = warnings_of(flow)
    assert where == "w.Big > States.M"
    assert "records about 50000 history events" in message
    small = Flow("Small", Map("M", slow, items_path="$.x", max_items=100))
    assert warnings_of(small) == []


def test_a_loop_can_pass_the_history_limit() -> None:
    poll = Pass("Poll")
    flow = Flow(
        "Loop",
        poll
        >> Choice("Done").when(
            Var("$.done").boolean_equals(False), Wait("W", seconds=5) >> Goto(poll)
        ),
    )
    [(where, _, message)] = warnings_of(flow)
    assert where == "w.Loop > States.Poll"
    assert "loop through Poll -> Done -> W adds about 6 history events a pass" in message
    assert "after about 4166 passes" in message


def test_express_flow_with_a_long_timeout() -> None:
    flow = Flow("Fast", Pass("P"), type="EXPRESS", timeout_seconds=600)
    [(where, _, message)] = warnings_of(flow)
    assert where == "w.Fast"
    assert "timeout_seconds=600" in message
    assert "300 seconds" in message


def test_express_flow_whose_waits_and_timeouts_exceed_five_minutes() -> None:
    flow = Flow("Fast", Wait("W", seconds=120) >> slow, type="EXPRESS")
    [(_, _, message)] = warnings_of(flow)
    assert "can run for 320 seconds" in message
    retried = Flow("Retried", slow.with_(retry=Retry("States.ALL", max_attempts=1)), type="EXPRESS")
    assert "can run for 401 seconds" in warnings_of(retried)[0][2]


def test_express_flow_within_five_minutes_and_loops_in_express_are_fine() -> None:
    assert warnings_of(Flow("Ok", Wait("W", seconds=60) >> slow, type="EXPRESS")) == []
    assert (
        warnings_of(Flow("Bounded", Wait("W", seconds=9000), type="EXPRESS", timeout_seconds=60))
        == []
    )
