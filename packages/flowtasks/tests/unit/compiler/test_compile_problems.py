"""Compile refuses a bad flow with every problem at once, each located and actionable."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from flowtasks import (
    Catch,
    Choice,
    DefinitionError,
    DistributedMap,
    Fail,
    Flow,
    Goto,
    Map,
    Parallel,
    Pass,
    Problem,
    Retry,
    Succeed,
    TaskState,
    Var,
    Wait,
    task,
)
from flowtasks.asl import compile_flow


@task
def good(x: Any) -> Any:
    return x


@task
def two_args(a: Any, b: Any) -> Any:
    return a


@task
def keyword_required(payload: Any, *, limit: int) -> Any:
    return payload


@task
def keyword_default(*, limit: int = 3) -> Any:
    return limit


def problems_of(flow: Flow) -> list[Problem]:
    with pytest.raises(DefinitionError) as info:
        compile_flow(flow, "t")
    assert str(info.value).startswith(f"flow t.{flow.name} is invalid")
    return list(info.value.problems)


def only(flow: Flow) -> Problem:
    problems = problems_of(flow)
    assert len(problems) == 1, problems
    return problems[0]


def line(offset: int = 0) -> str:
    """``test_compile_problems.py:N`` of the caller's line plus `offset`."""
    return f"test_compile_problems.py:{sys._getframe(1).f_lineno + offset}"


def test_duplicate_state_names_name_both_places() -> None:
    first = Pass("Same")
    at = line(1)
    second = Pass("Same")
    problem = only(Flow("Dup", first >> second))
    assert problem.where == "t.Dup > States.Same"
    assert "duplicate state name 'Same'" in problem.message
    assert first.source in problem.message
    assert second.source in problem.message
    assert problem.source == second.source
    assert second.source.endswith(at)


def test_a_duplicate_name_on_one_line_says_twice_on_that_line() -> None:
    first, second = Pass("Same"), Pass("Same")  # one line: one file:line for both
    problem = only(Flow("Dup", first >> second))
    file, _, line = first.source.rpartition(":")
    assert first.source == second.source
    assert problem.message == (
        f"duplicate state name 'Same': defined twice on line {line} of {file}; "
        "give one of them another name"
    )


def test_an_unknown_goto_target_suggests_the_closest_state() -> None:
    problem = only(Flow("Typo", Pass("Retry") >> Pass("Publish") >> Goto("Publsh")))
    assert problem.where == "t.Typo > States.Publish > Next"
    assert problem.message == (
        "Next goes to unknown state 'Publsh'; did you mean 'Publish'? known: Publish, Retry"
    )


def test_the_same_state_object_twice_suggests_with_or_goto() -> None:
    problem = only(Flow("Twice", good >> Pass("Mid") >> good))
    assert problem.where == "t.Twice > States.Good"
    assert "the same state 'Good' is used twice" in problem.message
    assert ".with_(name=...)" in problem.message
    assert "Goto" in problem.message


def test_same_task_twice_with_a_new_name_is_fine() -> None:
    compiled = compile_flow(Flow("Again", good >> good.with_(name="GoodAgain")), "t")
    assert compiled.definition["States"]["Good"]["Next"] == "GoodAgain"


def test_next_to_an_unknown_state() -> None:
    start = Pass("Start")
    problem = only(Flow("Unknown", start >> Goto("Nowhere")))
    assert problem.where == "t.Unknown > States.Start > Next"
    assert problem.message.startswith("Next goes to unknown state 'Nowhere'; known: Start")
    assert problem.source == start.source


def test_goto_cannot_leave_its_branch() -> None:
    top = Pass("Top")
    flow = Flow("Scope", top >> Map("Each", Pass("Inner") >> Goto(top), items_path="$.i"))
    problem = only(flow)
    assert problem.where == "t.Scope > States.Each > ItemProcessor > States.Inner > Next"
    assert "unknown state 'Top'" in problem.message


def test_unreachable_states() -> None:
    at = line(1)
    after = Pass("After")
    problem = only(Flow("Dead", Fail("Stop", error="E") >> after))
    assert problem.where == "t.Dead > States.After"
    assert problem.message.startswith("unreachable")
    assert problem.source == after.source
    assert problem.source.endswith(at)


def test_nothing_can_follow_a_goto() -> None:
    end, extra = Succeed("End"), Pass("Extra")
    choice = Choice("C").when(Var("$.a").is_null(), Pass("Yes") >> Goto(end) >> extra)
    problems = problems_of(Flow("AfterGoto", choice.otherwise(end)))
    assert [p.where for p in problems] == ["t.AfterGoto > States.Extra"]
    assert "nothing can follow Goto('End')" in problems[0].message
    assert problems[0].source == extra.source


def test_states_all_must_be_last() -> None:
    problem = only(Flow("Order", good.with_(retry=[Retry("States.ALL"), Retry(KeyError)])))
    assert problem.where == "t.Order > States.Good > Retry[0]"
    assert "must be the last Retry rule" in problem.message


def test_states_all_must_be_alone() -> None:
    handler = Pass("Handler")
    flow = Flow("Alone", good.with_(catch=Catch(["States.ALL", KeyError], next=handler)))
    problem = only(flow)
    assert problem.where == "t.Alone > States.Good > Catch[0]"
    assert "'States.ALL' must be alone" in problem.message
    assert "KeyError" in problem.message


@pytest.mark.parametrize(
    ("state", "field", "needle"),
    [
        (Pass("P", input_path="no.dollar"), "InputPath", "must start with '$'"),
        (Pass("P", output_path="$.a["), "OutputPath", "invalid JSONPath"),
        (Pass("P", result_path="$.a[*]"), "ResultPath", "not a valid Reference Path"),
        (Pass("P", parameters={"x.$": "nope"}), "Parameters.x.$", "must start with '$'"),
        (Pass("P", parameters={"a": {"b.$": 3}}), "Parameters.a.b.$", "takes a JSONPath"),
        (Wait("P", seconds_path="$.a[*]"), "SecondsPath", "not a valid Reference Path"),
        (Choice("P").when(Var("x").is_null(), Succeed("S")), "Choices[0]", "Variable:"),
    ],
)
def test_invalid_jsonpath_is_located_by_field(state: Any, field: str, needle: str) -> None:
    problem = only(Flow("Paths", state))
    assert problem.where == f"t.Paths > States.P > {field}"
    assert needle in problem.message
    assert problem.source == state.source


def test_unknown_intrinsic_function() -> None:
    state = Pass("P", parameters={"id.$": "States.Nope($.a)"})
    problem = only(Flow("Intrinsic", state))
    assert problem.where == "t.Intrinsic > States.P > Parameters.id.$"
    assert "unknown function 'States.Nope'" in problem.message


MALFORMED = "States.Format(1"
"""An intrinsic call missing its ')': AWS "Intrinsic functions" give the call grammar."""


def test_a_malformed_intrinsic_is_reported_as_an_intrinsic_not_a_path() -> None:
    problem = only(Flow("Bad", Pass("P", parameters={"a.$": MALFORMED})))
    assert problem.where == "t.Bad > States.P > Parameters.a.$"
    assert problem.message.startswith("malformed intrinsic function 'States.Format(1'")
    assert "expected ',' or ')'" in problem.message
    assert "must start with '$'" not in problem.message


@pytest.mark.parametrize("compute", ["ecs", "lambda"])
def test_a_task_parameter_is_checked_as_written_not_as_compiled(compute: Any) -> None:
    state = good.with_(compute=compute, parameters={"a.$": MALFORMED, "b.$": "no.dollar"})
    problems = problems_of(Flow("TaskParams", Parallel("Fork", [state])))
    assert [(p.where, p.source) for p in problems] == [
        ("t.TaskParams > States.Good > Parameters.a.$", state.source),
        ("t.TaskParams > States.Good > Parameters.b.$", state.source),
    ]
    assert problems[0].message.startswith("malformed intrinsic function 'States.Format(1'")
    assert "must start with '$'" in problems[1].message
    assert not any("JsonToString" in p.message for p in problems)


def test_reusing_a_state_that_continues_elsewhere_is_refused() -> None:
    """A Choice rule's chain continues after the Choice; a state placed earlier with another
    Next would silently make the rule a jump (a loop here), so compile asks for Goto."""
    notify = Pass("Notify")
    at = line(4)  # the .when(...) line of the rule at fault
    route = (
        Choice("Route")
        .when(Var("$.a").is_present(), Pass("A"))
        .when(Var("$.b").is_present(), notify)
    )
    problem = only(Flow("Hidden", notify >> Pass("Between") >> route))
    assert problem.where == "t.Hidden > States.Route > Choices[1]"
    assert problem.source is not None
    assert problem.source.endswith(at)
    assert "'Notify' is already placed" in problem.message
    assert "continues at 'Between'" in problem.message
    assert "Goto('Notify')" in problem.message


def test_a_catch_handler_placed_with_another_next_is_refused() -> None:
    cleanup = Pass("Cleanup")
    flow = Flow("Handler", cleanup >> good.with_(catch=Catch("States.ALL", cleanup)))
    problem = only(flow)
    assert problem.where == "t.Handler > States.Good > Catch[0]"
    assert "continues at 'Good'" in problem.message


def test_a_branch_that_cannot_terminate() -> None:
    loop = Pass("Loop")
    branch = loop >> Pass("Again") >> Goto(loop)
    problem = only(Flow("Forever", Parallel("Fork", [branch, Succeed("Fine")])))
    assert problem.where == "t.Forever > States.Fork > Branches[0] > States.Again"
    assert problem.message.startswith("cannot terminate: from Again, Loop")
    assert problem.source is not None


def test_a_flow_that_cannot_terminate() -> None:
    loop = Pass("Loop")
    problem = only(Flow("Spin", loop >> Goto(loop)))
    assert problem.where == "t.Spin > States.Loop"
    assert "cannot terminate" in problem.message


def test_lambda_task_is_not_importable() -> None:
    state = task(lambda x: x).with_(name="Anon")
    problem = only(Flow("Lam", state))
    assert problem.where == "t.Lam > States.Anon > function"
    assert "is a lambda or a closure" in problem.message
    assert "top level of a module" in problem.message


def test_closure_task_is_not_importable() -> None:
    def make() -> TaskState[Any, Any]:
        @task
        def local(x: Any) -> Any:
            return x

        return local

    problem = only(Flow("Closure", make()))
    assert problem.where == "t.Closure > States.Local > function"
    assert "<locals>" in problem.message


def test_main_module_task_is_not_importable() -> None:
    def runs_in_main(x: Any) -> Any:
        return x

    main_copy = types.FunctionType(runs_in_main.__code__, {}, "runs_in_main")
    main_copy.__module__ = "__main__"
    main_copy.__qualname__ = "runs_in_main"
    problem = only(Flow("Main", task(main_copy)))
    assert problem.where == "t.Main > States.RunsInMain > function"
    assert "lives in __main__" in problem.message


def test_task_function_taking_two_arguments() -> None:
    problem = only(Flow("Args", two_args))
    assert problem.where == "t.Args > States.TwoArgs > function"
    assert "two_args takes 2 required arguments (a, b)" in problem.message


def test_task_function_with_a_required_keyword_only_parameter() -> None:
    # the runner passes only the state input, so `limit` could never be given
    problem = only(Flow("Kw", keyword_required))
    assert problem.where == "t.Kw > States.KeywordRequired > function"
    assert "keyword_required takes 2 required arguments (payload, limit)" in problem.message


def test_task_function_with_only_defaulted_keyword_parameters_compiles() -> None:
    compiled = compile_flow(Flow("KwDefault", keyword_default), "t")
    assert compiled.definition["States"]["KeywordDefault"]["Type"] == "Task"
    assert keyword_default.call({"limit": 9}) == 3  # takes no input: called with no argument


def test_task_parameters_only_top_level_references() -> None:
    state = good.with_(parameters={"nested": {"x.$": "$.a"}, "bad key": 1, "fine.$": "$.b"})
    problems = problems_of(Flow("Params", state))
    assert [p.where for p in problems] == [
        "t.Params > States.Good > Parameters.bad key",
        "t.Params > States.Good > Parameters.nested",
    ]
    assert "valid environment name" in problems[0].message
    assert "only top-level keys" in problems[1].message
    assert "Pass state" in problems[1].message


def test_wait_needs_exactly_one_timing() -> None:
    both = Wait("Both", seconds=1, timestamp="2026-01-01T00:00:00Z")
    problems = problems_of(Flow("Waits", Wait("None") >> both))
    assert [p.where for p in problems] == ["t.Waits > States.None", "t.Waits > States.Both"]
    assert all("exactly one of" in p.message for p in problems)


def test_choice_needs_a_rule() -> None:
    problem = problems_of(Flow("NoRules", Choice("Empty").otherwise(Succeed("S"))))[0]
    assert problem.where == "t.NoRules > States.Empty > Choices"
    assert ".when(" in problem.message


def test_flow_name_and_distributed_concurrency() -> None:
    flow = Flow(
        "bad name!",
        DistributedMap("Fan", Pass("Item"), items_path="$.i", max_concurrency=20_000),
    )
    problems = problems_of(flow)
    assert [p.where for p in problems] == [
        "t.bad name! > name",
        "t.bad name! > States.Fan > MaxConcurrency",
    ]
    assert "letters, digits" in problems[0].message
    assert problems[0].source == flow.source
    assert "0..10000" in problems[1].message


def test_every_problem_is_listed_at_once() -> None:
    flow = Flow(
        "Many",
        Pass("A", input_path="bad")
        >> good.with_(retry=[Retry("States.ALL"), Retry("X")])
        >> Fail("F", error="E")
        >> Pass("Orphan"),
    )
    wheres = [p.where for p in problems_of(flow)]
    assert wheres == [
        "t.Many > States.A > InputPath",
        "t.Many > States.Good > Retry[0]",
        "t.Many > States.Orphan",
    ]
    with pytest.raises(DefinitionError, match="3 problems"):
        compile_flow(flow, "t")


def test_a_bad_choice_rule_is_located_at_its_when_line_even_inside_a_branch() -> None:
    at = line(4)
    route = (
        Choice("Route")
        .when(Var("$.ok").is_present(), Succeed("Fine"))
        .when(Var("$.[bad").numeric_equals(2), Succeed("Odd"))
    )
    problem = only(Flow("Nested", Parallel("Fork", [route])))
    assert problem.where == "t.Nested > States.Fork > Branches[0] > States.Route > Choices[1]"
    assert problem.source is not None
    assert problem.source.endswith(at)
    assert "invalid JSONPath '$.[bad'" in problem.message


def test_cpu_and_memory_are_refused_for_a_lambda_task() -> None:
    sized = good.with_(name="Sized", compute="lambda", cpu=1024, memory=2048)
    problems = problems_of(Flow("LambdaSize", sized))
    assert [p.where for p in problems] == [
        "t.LambdaSize > States.Sized > cpu",
        "t.LambdaSize > States.Sized > memory",
    ]
    assert problems[0].message.startswith("cpu=1024 sizes an ECS task, but compute='lambda'")
    assert "drop memory=, or use compute='ecs'" in problems[1].message
    ecs = compile_flow(Flow("EcsSize", good.with_(name="Sized", cpu=1024, memory=2048)), "t")
    overrides = ecs.definition["States"]["Sized"]["Parameters"]["Overrides"]
    assert (overrides["Cpu"], overrides["Memory"]) == ("1024", "2048")
