"""validate_definition: structural checks of any ASL (ours, others', JSONPath and JSONata).

Rules from the ASL specification (https://states-language.net/spec.html): "Top-level fields",
"State Types", "Transitions", "Choice Rules", "Retrying after error", "Fallback states".
The real-world definitions of ../shared/asl-examples are checked in tests/corpus.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowtasks.asl.validate import validate_definition


def messages(definition: Any) -> list[tuple[str, str]]:
    return [(p.where, p.message) for p in validate_definition(definition)]


def machine(**states: Any) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


def test_a_sound_definition_has_no_problems_and_text_is_accepted() -> None:
    good = machine(A={"Type": "Pass", "Next": "B"}, B={"Type": "Succeed"})
    assert validate_definition(good) == []
    assert validate_definition(json.dumps(good)) == []


def test_not_json_or_not_an_object() -> None:
    assert messages("{")[0][1].startswith("not valid JSON")
    assert messages("[]") == [("definition", "an ASL definition must be a JSON object")]


def test_start_at_must_name_a_state() -> None:
    assert messages({"StartAt": "X", "States": {"A": {"Type": "Succeed"}}}) == [
        ("definition > StartAt", "StartAt 'X' is not a state here (A)")
    ]
    assert messages({"StartAt": "X", "States": {}}) == [
        ("definition", "States must be a non-empty object of states")
    ]


def test_unknown_type() -> None:
    [(where, message)] = messages(machine(A={"Type": "Lambda", "End": True}))
    assert where == "definition > States.A > Type"
    assert message.startswith("unknown state Type 'Lambda'; use one of Choice, Fail")


def test_neither_next_nor_end() -> None:
    problems = messages(machine(A={"Type": "Pass"}))
    assert (
        "definition > States.A",
        "the state has neither Next nor End: add Next (a state name) or End: true",
    ) in problems


def test_next_and_end_together_and_terminal_with_next() -> None:
    problems = messages(
        machine(A={"Type": "Pass", "Next": "B", "End": True}, B={"Type": "Succeed", "Next": "A"})
    )
    assert ("definition > States.A", "a state has either Next or End: true, not both") in problems
    assert ("definition > States.B", "a Succeed state ends by itself; remove Next/End") in problems


def test_transitions_to_unknown_states() -> None:
    problems = messages(
        machine(
            A={
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "Z"}],
                "Default": "Y",
            },
        )
    )
    assert problems == [
        (
            "definition > States.A > Choices[0].Next",
            "Choices[0].Next goes to unknown state 'Z'; known: A",
        ),
        ("definition > States.A > Default", "Default goes to unknown state 'Y'; known: A"),
    ]


def test_unreachable_and_non_terminating_states() -> None:
    problems = messages(
        machine(
            A={"Type": "Pass", "Next": "B"},
            B={"Type": "Pass", "Next": "A"},
            C={"Type": "Succeed"},
        )
    )
    assert problems[0][0] == "definition > States.C"
    assert problems[0][1].startswith("unreachable")
    assert problems[1] == (
        "definition > States.A",
        "cannot terminate: from A, B no path reaches a Succeed, Fail or End: true; give the loop "
        "a way out (a Choice rule or Default to a later state)",
    )


def test_choice_rules_are_checked() -> None:
    rules = [
        {"Variable": "$.a", "Next": "S"},
        {"Variable": "$.a", "StringEquals": 1, "Next": "S"},
        {"And": [], "Next": "S"},
        {"Not": {"Variable": "bad", "IsNull": True}, "Next": "S"},
        {"Variable": "$.a", "NumericEqualsPath": "x", "Next": "S"},
        {"Variable": "$.a", "IsNull": True},
    ]
    problems = messages(
        machine(C={"Type": "Choice", "Choices": rules, "Default": "S"}, S={"Type": "Succeed"})
    )
    found = dict(problems)
    assert (
        found["definition > States.C > Choices[0]"]
        == "a Choice rule needs exactly one operator (or And/Or/Not); found: none"
    )
    assert found["definition > States.C > Choices[1]"] == "StringEquals must be a string, got 1"
    assert (
        found["definition > States.C > Choices[2]"]
        == "And must be a non-empty array of Choice rules"
    )
    assert found["definition > States.C > Choices[3]"].startswith("Not: Variable: invalid JSONPath")
    assert found["definition > States.C > Choices[4]"].startswith(
        "NumericEqualsPath: invalid JSONPath"
    )
    assert (
        found["definition > States.C > Choices[5]"]
        == "a Choice rule needs Next: the state to continue at"
    )
    assert messages(machine(C={"Type": "Choice", "Choices": []})) == [
        ("definition > States.C > Choices", "a Choice state needs a non-empty list of Choices")
    ]


def test_retry_and_catch_shape() -> None:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "End": True,
        "Retry": [
            {"ErrorEquals": ["States.ALL"], "BackoffRate": 0.5},
            {"ErrorEquals": []},
            {
                "ErrorEquals": ["X"],
                "IntervalSeconds": 0,
                "MaxAttempts": -1,
                "JitterStrategy": "SOME",
            },
        ],
        "Catch": [{"ErrorEquals": ["States.ALL", "Y"], "Next": "T", "ResultPath": "$.a[*]"}],
    }
    found = messages(machine(T=task))
    assert (
        "definition > States.T > Retry[0]",
        "the rule with 'States.ALL' must be the last Retry rule; move it to the end",
    ) in found
    assert (
        "definition > States.T > Retry[0].BackoffRate",
        "must be a number >= 1.0, not 0.5",
    ) in found
    assert (
        "definition > States.T > Retry[1]",
        "ErrorEquals must be a non-empty list of error names",
    ) in found
    assert (
        "definition > States.T > Retry[2].IntervalSeconds",
        "must be a positive integer, not 0",
    ) in found
    assert (
        "definition > States.T > Retry[2].MaxAttempts",
        "must be a non-negative integer, not -1",
    ) in found
    assert (
        "definition > States.T > Retry[2].JitterStrategy",
        "must be 'FULL' or 'NONE', not 'SOME'",
    ) in found
    assert (
        "definition > States.T > Catch[0]",
        "'States.ALL' must be alone in its ErrorEquals; move Y to a rule before it",
    ) in found
    assert any(w == "definition > States.T > Catch[0].ResultPath" for w, _ in found)


def test_paths_templates_and_intrinsics() -> None:
    found = dict(
        messages(
            machine(
                P={
                    "Type": "Pass",
                    "InputPath": "x",
                    "ResultPath": "$..a",
                    "Parameters": {"a": [{"b.$": "States.Nope()"}], "c.$": "$myVariable.field"},
                    "End": True,
                }
            )
        )
    )
    assert "must start with '$'" in found["definition > States.P > InputPath"]
    assert "not a valid Reference Path" in found["definition > States.P > ResultPath"]
    assert "unknown function 'States.Nope'" in found["definition > States.P > Parameters.a[0].b.$"]
    assert "definition > States.P > Parameters.c.$" not in found  # variables are valid references


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("States.Format(1", "expected ',' or ')'"),
        ("States.Array($.a", "expected ',' or ')'"),
        ("States.Format", "expected '(' after States.Format"),
        ("States.Format('a')x", "unexpected text after the closing ')'"),
    ],
)
def test_a_malformed_intrinsic_is_named_as_such(value: str, reason: str) -> None:
    """Any '.$' value starting with "States." is an intrinsic call (AWS developer guide,
    "Intrinsic functions for JSONPath states"), so it is not reported as a path without '$'."""
    for field in ("Parameters", "ResultSelector"):  # ResultSelector: Task, Parallel, Map only
        state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"}
        definition = machine(P={**state, field: {"a.$": value}, "End": True})
        [(where, message)] = messages(definition)
        assert where == f"definition > States.P > {field}.a.$"
        assert message.startswith(f"malformed intrinsic function {value!r}")
        assert reason in message
        assert "must start with '$'" not in message
    [(where, message)] = messages(machine(F={"Type": "Fail", "CausePath": value}))
    assert where == "definition > States.F > CausePath"
    assert message.startswith("malformed intrinsic function")


def test_nested_branches_and_processors_are_checked() -> None:
    inner_bad = {"StartAt": "I", "States": {"I": {"Type": "Pass"}}}
    definition = machine(
        P={"Type": "Parallel", "Branches": [inner_bad], "Next": "M"},
        M={"Type": "Map", "ItemProcessor": inner_bad, "Next": "N"},
        N={"Type": "Map", "Iterator": inner_bad, "End": True},
    )
    wheres = [w for w, _ in messages(definition)]
    assert "definition > States.P > Branches[0] > States.I" in wheres
    assert "definition > States.M > ItemProcessor > States.I" in wheres
    assert "definition > States.N > Iterator > States.I" in wheres
    assert messages(machine(P={"Type": "Parallel", "Branches": [], "End": True})) == [
        ("definition > States.P > Branches", "a Parallel state needs a list of Branches")
    ]


def test_wait_and_task_requirements() -> None:
    found = dict(
        messages(
            machine(
                W={"Type": "Wait", "Seconds": 1, "Timestamp": "x", "Next": "T"},
                T={"Type": "Task", "End": True},
            )
        )
    )
    assert found["definition > States.W"].startswith("a Wait needs exactly one of")
    assert found["definition > States.T > Resource"] == "a Task needs a Resource"


def test_jsonata_states_skip_jsonpath_checks() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "Output": "{% $states.input.x %}", "Next": "C"},
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.ok %}", "Next": "S"}],
                "Default": "S",
            },
            "S": {"Type": "Succeed"},
        },
    }
    assert validate_definition(definition) == []
    definition["States"]["C"]["Choices"] = [{"Next": "S"}]
    assert messages(definition) == [
        (
            "definition > States.C > Choices[0]",
            "a JSONata Choice rule needs a Condition: true, false or a '{% ... %}' expression",
        )
    ]


def test_subject_and_sources_locate_problems() -> None:
    problems = validate_definition(
        machine(A={"Type": "Pass"}), subject="demo.X", source_of={"A": "flow.py:3"}.get
    )
    assert [(p.where, p.source) for p in problems] == [("demo.X > States.A", "flow.py:3")]


@pytest.mark.parametrize("timeout", [True, 0, -5, 1.5, "60"])
def test_machine_timeout_seconds_must_be_a_positive_integer(timeout: object) -> None:
    # "TimeoutSeconds (Optional): The maximum number of seconds an execution of the state machine
    # can run" -- a positive integer (states-language.net/spec.html#toplevelfields). JSON true is
    # not a number, although Python's bool is an int.
    definition = {"StartAt": "A", "TimeoutSeconds": timeout, "States": {"A": {"Type": "Succeed"}}}
    assert messages(definition) == [
        ("definition", f"TimeoutSeconds must be a positive integer, not {timeout!r}")
    ]
    assert messages({**definition, "TimeoutSeconds": 60}) == []


def test_problems_carry_their_location_as_fields() -> None:
    from flowtasks.asl.validate import validate_definition

    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Load",
                    "States": {"Load": {"Type": "Pass", "Next": "Nowhere"}},
                },
                "End": True,
            }
        },
    }
    (problem,) = [p for p in validate_definition(definition, subject="demo.F") if p.field]
    assert (problem.subject, problem.scope, problem.state, problem.field) == (
        "demo.F",
        ("States.Fan", "ItemProcessor"),
        "Load",
        "Next",
    )
    assert problem.where == "demo.F > States.Fan > ItemProcessor > States.Load > Next"
