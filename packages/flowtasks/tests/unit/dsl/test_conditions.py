"""Choice conditions: every Var method maps 1:1 to the ASL operator of the same name.

Operators: https://states-language.net/spec.html#choice-state ("Choice Rules").
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from flowtasks import And, Condition, Not, Or, Var
from flowtasks.dsl.conditions import COMPARISON_OPERATORS


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def sample(operator: str) -> Any:
    if operator.endswith("Path"):
        return "$.other"
    if operator.startswith("Numeric"):
        return 3
    if operator.startswith(("Is", "Boolean")):
        return True
    return "text"


def test_there_are_all_the_asl_operators() -> None:
    # 3 families x 5 comparisons x (value, Path) + BooleanEquals(Path) + StringMatches + 6 Is*
    assert len(COMPARISON_OPERATORS) == 30 + 3 + 6


@pytest.mark.parametrize("operator", COMPARISON_OPERATORS)
def test_var_method_builds_the_operator_of_the_same_name(operator: str) -> None:
    method = getattr(Var("$.x"), snake(operator))
    condition = method(sample(operator))
    assert condition.to_asl() == {"Variable": "$.x", operator: sample(operator)}


def test_is_tests_default_to_true() -> None:
    assert Var("$.x").is_present().to_asl() == {"Variable": "$.x", "IsPresent": True}
    assert Var("$.x").is_null(False).to_asl() == {"Variable": "$.x", "IsNull": False}


def test_and_or_not_and_their_operators() -> None:
    a = Var("$.a").numeric_greater_than(1)
    b = Var("$.b").string_equals("x")
    c = Var("$.c").boolean_equals(True)
    assert And(a, b).to_asl() == {"And": [a.to_asl(), b.to_asl()]}
    assert (a & b & c).to_asl() == {"And": [a.to_asl(), b.to_asl(), c.to_asl()]}
    assert (a | b).to_asl() == {"Or": [a.to_asl(), b.to_asl()]}
    assert (~a).to_asl() == {"Not": a.to_asl()}
    assert Not(Or(a, b)).to_asl() == {"Not": {"Or": [a.to_asl(), b.to_asl()]}}
    assert ((a & b) | c).to_asl() == {"Or": [{"And": [a.to_asl(), b.to_asl()]}, c.to_asl()]}


def test_and_needs_a_condition() -> None:
    with pytest.raises(ValueError, match="at least one"):
        And()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda v: v.numeric_equals("3"), "NumericEquals compares with a number"),
        (lambda v: v.numeric_equals(True), "NumericEquals compares with a number"),
        (lambda v: v.string_equals(3), "StringEquals compares with a string"),
        (lambda v: v.boolean_equals("true"), "BooleanEquals compares with a boolean"),
        (lambda v: v.timestamp_less_than(0), "TimestampLessThan compares with a string"),
        (lambda v: v.numeric_less_than_path(1), "NumericLessThanPath compares with a string"),
    ],
)
def test_wrong_value_types_are_refused_at_once(call: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call(Var("$.x"))


def test_conditions_are_values() -> None:
    assert Var("$.x").string_equals("a") == Condition("StringEquals", "$.x", "a")
