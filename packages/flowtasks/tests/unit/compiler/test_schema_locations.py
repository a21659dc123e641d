"""`flowtasks.asl.schema` walks the definition with `flowtasks.asl.walk` and locates each
problem by its fields (scope, state, field): the message does not repeat the location."""

from __future__ import annotations

from typing import Any

from flowtasks.asl.schema import schema_problems
from flowtasks.asl.validate import validate_definition

END = {"Type": "Pass", "End": True}


def branch(name: str, state: dict[str, Any] = END) -> dict[str, Any]:
    return {"StartAt": name, "States": {name: state}}


def test_a_field_the_type_does_not_allow_is_located_at_the_field() -> None:
    definition = {"StartAt": "S", "States": {"S": {**END, "Foo": 1}}}
    (problem,) = schema_problems(definition, "demo.F", source_of={"S": "flows.py:7"}.get)
    assert (problem.scope, problem.state, problem.field) == ((), "S", "Foo")
    assert problem.source == "flows.py:7"
    assert problem.message.startswith("Field 'Foo' is not supported by a Pass state; remove it.")
    assert str(problem).startswith("demo.F > States.S > Foo (flows.py:7): Field 'Foo'")


def test_a_nested_problem_carries_its_scope() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    branch("A"),
                    branch("B", {"Type": "Wait", "Timestamp": "x", "End": True}),
                ],
                "End": True,
            }
        },
    }
    (problem,) = schema_problems(definition)
    assert (problem.scope, problem.state, problem.field) == (
        ("States.P", "Branches[1]"),
        "B",
        "Timestamp",
    )
    assert problem.message.startswith("String does not match RFC3339 timestamp: Timestamp is 'x'")


def test_a_reused_state_name_is_reported_at_the_later_one_naming_the_first() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "Branches": [branch("A")], "Next": "A"},
            "A": END,
        },
    }
    (problem,) = schema_problems(definition, "f")
    assert (problem.scope, problem.state) == ((), "A")
    assert "'A' is also used at f > States.P > Branches[0] > States.A;" in problem.message


def test_branches_that_are_not_a_list_are_reported_not_raised() -> None:
    for branches in (5, True, "x", {"a": 1}):
        definition = {
            "StartAt": "P",
            "States": {"P": {"Type": "Parallel", "Branches": branches, "End": True}},
        }
        messages = [p.message for p in validate_definition(definition)]
        assert "a Parallel state needs a list of Branches" in messages


def test_a_parallel_states_query_language_does_not_pass_into_its_branches() -> None:
    # AWS (floci-io/floci issue 2968, measured): the states of a branch inherit the language of
    # the machine around the Parallel state, or the branch's own; the Parallel's does not count.
    def parallel(inner: dict[str, Any], **own: Any) -> dict[str, Any]:
        state = {"Type": "Parallel", "QueryLanguage": "JSONata", "End": True}
        return {"StartAt": "P", "States": {"P": {**state, "Branches": [{**inner, **own}]}}}

    output = branch("A", {**END, "Output": 1})
    (problem,) = schema_problems(parallel(output))
    assert (problem.scope, problem.state, problem.field) == (
        ("States.P", "Branches[0]"),
        "A",
        "Output",
    )
    assert "set to 'JSONPath', but field 'Output'" in problem.message
    assert schema_problems(parallel(output, QueryLanguage="JSONata")) == []
