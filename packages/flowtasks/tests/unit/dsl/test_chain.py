"""Chains: ``a >> b`` reads top to bottom, returns new values, and flows list their tasks."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from flowtasks import (
    Chain,
    Choice,
    Flow,
    Goto,
    Map,
    Parallel,
    Pass,
    Succeed,
    Var,
    task,
)
from flowtasks.dsl.chain import as_chain
from flowtasks.dsl.triggers import Manual


@task
def step_one(x: Any) -> Any:
    return x


@task
def step_two(x: Any) -> Any:
    return x


@task
def inner(x: Any) -> Any:
    return x


def test_rshift_builds_a_chain_in_order() -> None:
    a, b, c = Pass("A"), Pass("B"), Pass("C")
    chain = a >> b >> c
    assert isinstance(chain, Chain)
    assert [s.name for s in chain.states()] == ["A", "B", "C"]


def test_chaining_returns_new_values() -> None:
    a, b, c = Pass("A"), Pass("B"), Pass("C")
    ab = a >> b
    abc = ab >> c
    assert [s.name for s in ab.states()] == ["A", "B"]
    assert [s.name for s in abc.states()] == ["A", "B", "C"]
    joined = ab >> (Pass("D") >> Pass("E"))
    assert [s.name for s in joined.states()] == ["A", "B", "D", "E"]


def test_goto_takes_a_state_or_a_name() -> None:
    a = Pass("A")
    assert Goto(a).target == "A"
    assert Goto("B").target == "B"
    assert as_chain("B").nodes == (Goto("B"),)
    chain = a >> Goto(a)
    assert chain.states() == (a,)


def test_as_chain_refuses_other_values() -> None:
    with pytest.raises(TypeError, match="expected a state"):
        as_chain(42)  # type: ignore[arg-type]


def test_choice_when_and_otherwise_return_new_choices() -> None:
    base = Choice("Route")
    one = base.when(Var("$.x").is_present(), Pass("Yes"))
    two = one.otherwise(Pass("No"))
    assert base.rules == ()
    assert len(one.rules) == 1
    assert one.default is None
    assert two.default is not None
    assert two.source == base.source


def test_states_record_where_they_were_defined() -> None:
    line = sys._getframe().f_lineno + 1
    state = Pass("Here")
    assert state.source.endswith(f"test_chain.py:{line}")


def test_flow_task_states_include_nested_ones() -> None:
    flow = Flow(
        "Nested",
        step_one
        >> Parallel("Fork", [step_two, Pass("Idle")])
        >> Map("Each", inner.with_(name="InnerAgain"), items_path="$.items")
        >> Choice("Pick").when(Var("$.a").is_null(), inner),
    )
    states = flow.task_states()
    assert list(states) == ["StepOne", "StepTwo", "InnerAgain", "Inner"]
    assert states["InnerAgain"].function is inner.function


def test_flow_fields_and_defaults() -> None:
    flow = Flow("F", Succeed("Done"))
    assert (flow.name, flow.description, flow.timeout_seconds) == ("F", "", None)
    assert (flow.type, flow.triggers) == ("STANDARD", ())
    assert isinstance(flow.definition, Chain)
    manual = Manual()
    express = Flow("E", Succeed("Done"), type="EXPRESS", timeout_seconds=60, triggers=[manual])
    assert (express.type, express.timeout_seconds, express.triggers) == ("EXPRESS", 60, (manual,))


def test_map_needs_an_iterator() -> None:
    with pytest.raises(TypeError, match="needs an iterator"):
        Map("Empty")


def test_task_needs_a_function() -> None:
    from flowtasks import TaskState

    with pytest.raises(TypeError, match="needs a function"):
        TaskState("NoFunction")
