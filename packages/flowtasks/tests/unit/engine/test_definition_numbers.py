"""Numeric fields of the wrong type are refused before anything runs, as CreateStateMachine does.

- state-wait.html: Wait ``Seconds`` is "an integer value from 0 to 99999999";
- state-task.html: ``TimeoutSeconds`` / ``HeartbeatSeconds`` are "a positive, non-zero integer";
- state-map.html: ``MaxConcurrency`` an integer (0 = no limit), ``ToleratedFailureCount`` a
  non-negative integer, ``ToleratedFailurePercentage`` "a number between zero and 100";
- concepts-error-handling.html: the Retry fields (checked by `flowtasks.asl.validate`);
- in a JSONata state each may be a ``{% ... %}`` expression, checked when it is evaluated.

`run` raises nothing but `DefinitionError` for a bad definition: a typical culprit is an
unsubstituted ``${Placeholder}`` of DefinitionSubstitutions.
"""

from __future__ import annotations

from typing import Any

import pytest

from flowtasks.errors import DefinitionError
from flowtasks.local import run

LAMBDA = "arn:aws:states:::lambda:invoke"
PROCESSOR = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def one_state(spec: dict[str, Any], language: str = "JSONPath") -> dict[str, Any]:
    return {"QueryLanguage": language, "StartAt": "S", "States": {"S": {**spec, "End": True}}}


def with_field(kind: str, field: str, value: Any, language: str = "JSONPath") -> dict[str, Any]:
    if kind == "Wait":
        return one_state({"Type": "Wait", field: value}, language)
    if kind == "Task":
        return one_state({"Type": "Task", "Resource": LAMBDA, field: value}, language)
    if kind == "Retry":
        retrier = {"ErrorEquals": ["States.ALL"], field: value}
        return one_state({"Type": "Task", "Resource": LAMBDA, "Retry": [retrier]}, language)
    spec = {"Type": "Map", "ItemProcessor": PROCESSOR, field: value}
    if language == "JSONata":
        spec["Items"] = [1]
    return one_state(spec, language)


FIELDS = [
    ("Wait", "Seconds"),
    ("Task", "TimeoutSeconds"),
    ("Task", "HeartbeatSeconds"),
    ("Retry", "IntervalSeconds"),
    ("Retry", "MaxAttempts"),
    ("Retry", "BackoffRate"),
    ("Retry", "MaxDelaySeconds"),
    ("Map", "MaxConcurrency"),
    ("Map", "ToleratedFailureCount"),
    ("Map", "ToleratedFailurePercentage"),
]
BAD = ["${Placeholder}", "10", [10], {"n": 10}, True, None]


def test_an_unsubstituted_wait_seconds_is_refused_naming_the_state_and_field() -> None:
    definition = {
        "StartAt": "Sleep for Reminder",
        "States": {
            "Sleep for Reminder": {"Type": "Wait", "Seconds": "${ReminderTimeout}", "End": True}
        },
    }
    with pytest.raises(DefinitionError) as raised:
        run(definition, {})
    (problem,) = raised.value.problems
    assert problem.where == "definition > States.Sleep for Reminder > Seconds"
    assert "'Sleep for Reminder'" in problem.message
    assert "'${ReminderTimeout}'" in problem.message
    assert "unsubstituted DefinitionSubstitutions placeholder" in problem.message


@pytest.mark.parametrize("language", ["JSONPath", "JSONata"])
@pytest.mark.parametrize("value", BAD, ids=repr)
@pytest.mark.parametrize(("kind", "field"), FIELDS, ids=[f"{k}.{f}" for k, f in FIELDS])
def test_a_numeric_field_that_is_not_a_number_is_a_definition_error(
    kind: str, field: str, value: Any, language: str
) -> None:
    with pytest.raises(DefinitionError) as raised:
        run(with_field(kind, field, value, language), {}, handlers={"S": lambda _: 1})
    assert any(field in f"{p.where} {p.message}" for p in raised.value.problems)


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("Wait", "Seconds", -1),
        ("Wait", "Seconds", 100_000_000),
        ("Wait", "Seconds", 1.5),
        ("Task", "TimeoutSeconds", 0),
        ("Task", "TimeoutSeconds", 1.5),
        ("Task", "HeartbeatSeconds", -5),
        ("Map", "MaxConcurrency", -1),
        ("Map", "MaxConcurrency", 2.5),
        ("Map", "ToleratedFailureCount", -1),
        ("Map", "ToleratedFailurePercentage", 101),
    ],
)
def test_a_number_out_of_the_documented_range_is_a_definition_error(
    kind: str, field: str, value: Any
) -> None:
    with pytest.raises(DefinitionError, match=field):
        run(with_field(kind, field, value), {})


def test_documented_values_and_jsonata_expressions_are_accepted() -> None:
    for kind, field, value in [
        ("Wait", "Seconds", 0),
        ("Task", "TimeoutSeconds", 60),
        ("Task", "HeartbeatSeconds", 30),
        ("Map", "MaxConcurrency", 0),
        ("Map", "ToleratedFailurePercentage", 12.5),
    ]:
        execution = run(with_field(kind, field, value), [1], handlers={"S": lambda _: 1})
        assert execution.status == "SUCCEEDED", (field, execution.cause)
    expression = with_field("Map", "MaxConcurrency", "{% 1 + 1 %}", "JSONata")
    assert run(expression, {}).status == "SUCCEEDED"


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("Map", "MaxConcurrency", "{% '${Placeholder}' %}"),
        ("Map", "ToleratedFailurePercentage", "{% [] %}"),
        ("Task", "TimeoutSeconds", "{% 'soon' %}"),
        ("Wait", "Seconds", "{% -1 %}"),
        ("Wait", "Seconds", "{% 1000000000000 %}"),
    ],
)
def test_a_jsonata_expression_giving_a_bad_number_fails_the_state_clearly(
    kind: str, field: str, value: Any
) -> None:
    execution = run(with_field(kind, field, value, "JSONata"), {}, handlers={"S": lambda _: 1})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert f"S.{field}" in (execution.cause or "")


@pytest.mark.parametrize("selected", ["${Placeholder}", -1, 1_000_000_000_000, [5]], ids=repr)
def test_seconds_path_selecting_a_bad_number_fails_the_state_clearly(selected: Any) -> None:
    definition = one_state({"Type": "Wait", "SecondsPath": "$.wait"})
    execution = run(definition, {"wait": selected}, skip_waits=True)
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    # AWS's causes name the parameter and its path (test_resolved_values.py has them verbatim)
    assert "SecondsPath" in (execution.cause or "")
    assert "$.wait" in (execution.cause or "") or "'S'" in (execution.cause or "")
