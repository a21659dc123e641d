"""Choice rules: every operator, Boolean combinations, Default, and the failure cases.

Sources:
- AWS developer guide, "Choice workflow state"
  (https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html): the operator list,
  the ChoiceStateX example, "Step Functions doesn't attempt to match a numeric field to a string
  value", timestamps per RFC 3339 with uppercase T and Z, string order as Java's compareTo,
  And/Or non-empty arrays without Next, Variable and ...Path values must be Reference Paths,
  the IsPresent-guard example and ``"StringMatches": "log-*.txt"``;
- ASL spec, "Choice State" (https://states-language.net/spec.html#choice-state): StringMatches
  "The wildcard character is escaped by using the standard \\\\ (Ex: \"\\\\*\"). No characters
  other than \"*\" have any special meaning during matching."; the Is* operators take a boolean;
- the cause for a missing Variable, as AWS words it: "Invalid path '$.x': The choice state's
  condition path references an invalid value." (quoted by several public emulators' tests).
"""

from __future__ import annotations

from typing import Any

import pytest

from flowtasks.asl.choice_rules import OPERATORS, check_choice_rule, parse_timestamp
from flowtasks.asl.states_errors import StatesFailure
from flowtasks.local.choice import compile_choice

CONTEXT = {"State": {"Name": "Choose"}, "Map": {"Item": {"Index": 1}}}


def matches(rule: dict[str, Any], data: Any) -> bool:
    chooser = compile_choice({"Choices": [{**rule, "Next": "Yes"}], "Default": "No"})
    return chooser(data, CONTEXT) == "Yes"


def test_guide_choice_state_example() -> None:
    state = {
        "Type": "Choice",
        "Choices": [
            {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
            {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
            {
                "And": [
                    {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                    {"Variable": "$.value", "NumericLessThan": 30},
                ],
                "Next": "ValueInTwenties",
            },
        ],
        "Default": "DefaultState",
    }
    choose = compile_choice(state)
    assert choose({"type": "Private", "value": 22}, CONTEXT) == "ValueInTwenties"
    assert choose({"type": "Public", "value": 22}, CONTEXT) == "Public"
    assert choose({"type": "Private", "value": 0}, CONTEXT) == "ValueIsZero"
    assert choose({"type": "Private", "value": 45}, CONTEXT) == "DefaultState"


def test_first_matching_rule_wins_and_no_default_gives_none() -> None:
    choose = compile_choice(
        {
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "A"},
                {"Variable": "$.n", "NumericGreaterThan": 0, "Next": "B"},
            ]
        }
    )
    assert choose({"n": 5}, CONTEXT) == "A"
    assert choose({"n": 1}, CONTEXT) == "B"
    assert choose({"n": 0}, CONTEXT) is None


@pytest.mark.parametrize(
    ("operator", "operand", "true_for", "false_for"),
    [
        ("StringEquals", "MyString", "MyString", "mystring"),
        ("StringLessThan", "b", "a", "b"),
        ("StringGreaterThan", "MyStringABC", "MyStringABD", "MyStringABC"),
        ("StringLessThanEquals", "b", "b", "c"),
        ("StringGreaterThanEquals", "b", "b", "a"),
        ("NumericEquals", 1, 1.0, 2),
        ("NumericLessThan", 10, 9.5, 10),
        ("NumericGreaterThan", 10, 10.5, 10),
        ("NumericLessThanEquals", 10, 10, 10.01),
        ("NumericGreaterThanEquals", 10, 10.0, 9),
        ("BooleanEquals", True, True, False),
        ("BooleanEquals", False, False, True),
        (
            "TimestampEquals",
            "2001-01-01T12:00:00Z",
            "2001-01-01T13:00:00+01:00",
            "2001-01-01T12:00:01Z",
        ),
        (
            "TimestampLessThan",
            "2001-01-01T12:00:00Z",
            "2001-01-01T11:59:59.999Z",
            "2001-01-01T12:00:00Z",
        ),
        (
            "TimestampGreaterThan",
            "2001-01-01T12:00:00Z",
            "2001-01-01T12:00:00.001Z",
            "2001-01-01T12:00:00Z",
        ),
        (
            "TimestampLessThanEquals",
            "2001-01-01T12:00:00Z",
            "2001-01-01T12:00:00Z",
            "2001-01-02T00:00:00Z",
        ),
        (
            "TimestampGreaterThanEquals",
            "2001-01-01T12:00:00Z",
            "2001-01-01T12:00:00Z",
            "2000-12-31T23:00:00Z",
        ),
    ],
)
def test_comparisons(operator: str, operand: Any, true_for: Any, false_for: Any) -> None:
    rule = {"Variable": "$.v", operator: operand}
    assert matches(rule, {"v": true_for})
    assert not matches(rule, {"v": false_for})


@pytest.mark.parametrize(
    ("operator", "true_for", "false_for"),
    [
        ("StringEqualsPath", ("a", "a"), ("a", "b")),
        ("StringLessThanPath", ("a", "b"), ("b", "a")),
        ("StringGreaterThanPath", ("b", "a"), ("a", "a")),
        ("StringLessThanEqualsPath", ("a", "a"), ("b", "a")),
        ("StringGreaterThanEqualsPath", ("a", "a"), ("a", "b")),
        ("NumericEqualsPath", (1, 1.0), (1, 2)),
        ("NumericLessThanPath", (1, 2), (2, 2)),
        ("NumericGreaterThanPath", (3, 2), (2, 2)),
        ("NumericLessThanEqualsPath", (2, 2), (3, 2)),
        ("NumericGreaterThanEqualsPath", (2, 2), (1, 2)),
        ("BooleanEqualsPath", (True, True), (True, False)),
        (
            "TimestampEqualsPath",
            ("2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
            ("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
        ),
        (
            "TimestampLessThanPath",
            ("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
            ("2021-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
        ),
        (
            "TimestampGreaterThanPath",
            ("2022-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
            ("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
        ),
        (
            "TimestampLessThanEqualsPath",
            ("2021-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
            ("2022-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
        ),
        (
            "TimestampGreaterThanEqualsPath",
            ("2021-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
            ("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
        ),
    ],
)
def test_path_comparisons(
    operator: str, true_for: tuple[Any, Any], false_for: tuple[Any, Any]
) -> None:
    rule = {"Variable": "$.left", operator: "$.right"}
    assert matches(rule, {"left": true_for[0], "right": true_for[1]})
    assert not matches(rule, {"left": false_for[0], "right": false_for[1]})


def test_path_operand_may_read_the_context() -> None:
    assert matches({"Variable": "$.i", "NumericEqualsPath": "$$.Map.Item.Index"}, {"i": 1})


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        ({"NumericEquals": 1}, "1"),
        ({"NumericGreaterThan": 0}, True),
        ({"StringEquals": "1"}, 1),
        ({"StringLessThan": "z"}, None),
        ({"BooleanEquals": True}, 1),
        ({"BooleanEquals": False}, 0),
        ({"TimestampEquals": "2001-01-01T12:00:00Z"}, "not a timestamp"),
        ({"TimestampLessThan": "2001-01-01T12:00:00Z"}, 5),
        ({"StringMatches": "*"}, 5),
    ],
)
def test_type_mismatch_is_false_not_an_error(rule: dict[str, Any], value: Any) -> None:
    assert not matches({"Variable": "$.v", **rule}, {"v": value})


def test_type_mismatch_in_path_comparisons_is_false() -> None:
    assert not matches({"Variable": "$.a", "NumericEqualsPath": "$.b"}, {"a": 1, "b": "1"})
    assert not matches({"Variable": "$.a", "StringEqualsPath": "$.b"}, {"a": "x", "b": None})


def test_a_timestamp_is_also_a_string() -> None:
    # "it's possible that a field considered to be a timestamp can be matched by a
    # StringEquals comparator"
    assert matches(
        {"Variable": "$.t", "StringEquals": "2001-01-01T12:00:00Z"}, {"t": "2001-01-01T12:00:00Z"}
    )


def test_string_order_is_java_compare_to() -> None:
    # Java compares UTF-16 code units: U+FFFF sorts after U+1F600 (a surrogate pair, 0xD83D...)
    assert matches({"Variable": "$.v", "StringGreaterThan": "\U0001f600"}, {"v": "\uffff"})
    assert matches({"Variable": "$.v", "StringLessThan": "b"}, {"v": "B"})


@pytest.mark.parametrize(
    ("pattern", "matching", "not_matching"),
    [
        ("log-*.txt", ["log-2024.txt", "log-.txt"], ["log-2024.csv", "xlog-1.txt"]),
        ("*", ["", "anything"], []),
        ("a*b*c", ["abc", "aXXbYYc"], ["acb"]),
        ("exact", ["exact"], ["exactly", "inexact"]),
        (r"star\*", ["star*"], ["starX", "star"]),
        (r"back\\slash", ["back\\slash"], ["backslash"]),
        ("a.c?[x]", ["a.c?[x]"], ["abc?[x]", "a.cd[x]"]),
        ("line*end", ["line\nmiddle\nend"], []),
    ],
)
def test_string_matches(pattern: str, matching: list[str], not_matching: list[str]) -> None:
    rule = {"Variable": "$.v", "StringMatches": pattern}
    assert all(matches(rule, {"v": v}) for v in matching)
    assert not any(matches(rule, {"v": v}) for v in not_matching)


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("IsNull", None, True),
        ("IsNull", 0, False),
        ("IsNumeric", 1.5, True),
        ("IsNumeric", 0, True),
        ("IsNumeric", "1", False),
        ("IsNumeric", True, False),
        ("IsString", "", True),
        ("IsString", None, False),
        ("IsBoolean", False, True),
        ("IsBoolean", 0, False),
        ("IsTimestamp", "2016-08-18T17:33:00Z", True),
        ("IsTimestamp", "2016-08-18T17:33:00.123456789+02:00", True),
        ("IsTimestamp", "2016-08-18t17:33:00z", False),
        ("IsTimestamp", "2016-08-18 17:33:00Z", False),
        ("IsTimestamp", "2016-08-18T17:33:00", False),
        ("IsTimestamp", "2016-02-30T17:33:00Z", False),
        ("IsTimestamp", 1471541580, False),
    ],
)
def test_type_tests(operator: str, value: Any, expected: bool) -> None:
    assert matches({"Variable": "$.v", operator: True}, {"v": value}) is expected
    assert matches({"Variable": "$.v", operator: False}, {"v": value}) is not expected


def test_is_present() -> None:
    assert matches({"Variable": "$.a", "IsPresent": True}, {"a": None})
    assert not matches({"Variable": "$.a", "IsPresent": True}, {})
    assert matches({"Variable": "$.a.b", "IsPresent": False}, {"a": "text"})
    assert matches({"Variable": "$.list[5]", "IsPresent": False}, {"list": [1]})


def test_is_present_guard_as_in_the_guide() -> None:
    rule = {
        "And": [
            {"Variable": "$.keyThatMightNotExist", "IsPresent": True},
            {"Variable": "$.keyThatMightNotExist", "StringEquals": "foo"},
        ]
    }
    assert matches(rule, {"keyThatMightNotExist": "foo"})
    assert not matches(rule, {})  # And stops at the first false rule: no error


def test_missing_variable_is_a_runtime_error() -> None:
    with pytest.raises(StatesFailure) as caught:
        matches({"Variable": "$.type", "StringEquals": "Private"}, {"value": 1})
    assert caught.value.error == "States.Runtime"
    assert caught.value.cause == (
        "Invalid path '$.type': The choice state's condition path references an invalid value."
    )


def test_missing_variable_errors_even_for_type_tests() -> None:
    with pytest.raises(StatesFailure) as caught:
        matches({"Variable": "$.v", "IsNull": True}, {})
    assert caught.value.error == "States.Runtime"
    assert caught.value.cause == (
        "Invalid path '$.v': The choice state's condition path references an invalid value."
    )


def test_missing_path_operand_is_a_runtime_error() -> None:
    with pytest.raises(StatesFailure) as caught:
        matches({"Variable": "$.left", "NumericEqualsPath": "$.right"}, {"left": 8})
    assert caught.value.error == "States.Runtime"
    assert caught.value.cause.startswith("Invalid path '$.right'")


def test_boolean_combinations() -> None:
    yes = {"Variable": "$.a", "BooleanEquals": True}
    no = {"Variable": "$.a", "BooleanEquals": False}
    data = {"a": True}
    assert matches({"And": [yes, yes]}, data)
    assert not matches({"And": [yes, no]}, data)
    assert matches({"Or": [no, yes]}, data)
    assert not matches({"Or": [no, no]}, data)
    assert matches({"Not": no}, data)
    assert matches({"Not": {"And": [yes, {"Not": yes}]}}, data)
    assert matches({"Or": [no, {"And": [yes, {"Or": [no, yes]}]}]}, data)


def test_variable_may_be_a_context_path_or_use_brackets() -> None:
    assert matches({"Variable": "$$.State.Name", "StringEquals": "Choose"}, {})
    assert matches({"Variable": "$['a b'][0]", "NumericEquals": 1}, {"a b": [1]})


def test_every_documented_operator_is_known() -> None:
    kinds = ("String", "Numeric", "Timestamp")
    relations = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    expected = {f"{k}{r}{p}" for k in kinds for r in relations for p in ("", "Path")}
    expected |= {"BooleanEquals", "BooleanEqualsPath", "StringMatches"}
    expected |= {"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}
    assert expected == OPERATORS


def test_parse_timestamp() -> None:
    parsed = parse_timestamp("2016-08-18T17:33:00Z")
    assert parsed is not None
    assert parsed.isoformat() == "2016-08-18T17:33:00+00:00"
    assert parse_timestamp("2016-08-18T17:33:00.5-05:30") is not None
    assert parse_timestamp("2016-8-18T17:33:00Z") is None


# ---------------------------------------------------------------------------------------------
# checking rules


def test_valid_rules_have_no_problems() -> None:
    assert check_choice_rule({"Variable": "$.a", "NumericEquals": 1, "Next": "X"}) == []
    assert check_choice_rule({"Variable": "$.a", "StringEqualsPath": "$.b", "Next": "X"}) == []
    assert (
        check_choice_rule(
            {
                "And": [
                    {"Variable": "$.a", "IsPresent": True},
                    {"Not": {"Variable": "$.a", "TimestampLessThan": "2020-01-01T00:00:00Z"}},
                ],
                "Next": "X",
                "Comment": "fine",
            }
        )
        == []
    )
    assert check_choice_rule({"Condition": "{% $x > 1 %}", "Next": "X"}, jsonata=True) == []
    assert check_choice_rule({"Condition": False, "Next": "X"}, jsonata=True) == []
    full = {"Condition": "{% true %}", "Output": {}, "Assign": {}, "Comment": "", "Next": "X"}
    assert check_choice_rule(full, jsonata=True) == []
    assert check_choice_rule({"Variable": "$count", "NumericEquals": 1, "Next": "X"}) == []
    assert check_choice_rule({"Variable": "$item.price", "IsPresent": True, "Next": "X"}) == []


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"Variable": "$.a", "NumericEquals": 1}, "needs Next"),
        ({"Variable": "$.a", "Next": "X"}, "exactly one operator"),
        (
            {"Variable": "$.a", "NumericEquals": 1, "StringEquals": "x", "Next": "X"},
            "exactly one operator",
        ),
        ({"Variable": "$.a", "StringContains": "x", "Next": "X"}, "unknown field 'StringContains'"),
        ({"NumericEquals": 1, "Next": "X"}, "needs Variable"),
        ({"Variable": "a", "NumericEquals": 1, "Next": "X"}, "Variable:"),
        ({"Variable": "$.a[*]", "NumericEquals": 1, "Next": "X"}, "Reference Path"),
        (
            {"Variable": "$item[*]", "IsNull": True, "Next": "X"},
            "Variable: '$item[*]' is not a valid Reference Path",
        ),
        ({"Variable": "$.a", "NumericEquals": "1", "Next": "X"}, "must be a number"),
        ({"Variable": "$.a", "NumericEquals": True, "Next": "X"}, "must be a number"),
        ({"Variable": "$.a", "StringEquals": 1, "Next": "X"}, "must be a string"),
        ({"Variable": "$.a", "BooleanEquals": "true", "Next": "X"}, "must be true or false"),
        ({"Variable": "$.a", "IsNull": 1, "Next": "X"}, "must be true or false"),
        ({"Variable": "$.a", "TimestampEquals": "2020-01-01", "Next": "X"}, "RFC 3339"),
        ({"Variable": "$.a", "NumericEqualsPath": 1, "Next": "X"}, "must be a path"),
        ({"Variable": "$.a", "NumericEqualsPath": "$.b[?(@.c)]", "Next": "X"}, "Reference Path"),
        ({"And": [], "Next": "X"}, "non-empty array"),
        ({"Or": {"Variable": "$.a", "IsNull": True}, "Next": "X"}, "non-empty array"),
        ({"Not": [{"Variable": "$.a", "IsNull": True}], "Next": "X"}, "single Choice rule"),
        (
            {"And": [{"Variable": "$.a", "IsNull": True, "Next": "Y"}], "Next": "X"},
            "must not have Next",
        ),
        ({"And": [{"Variable": "$.a", "IsNull": "yes"}], "Next": "X"}, "And[0]: IsNull must be"),
        (
            {"Variable": "$.a", "And": [{"Variable": "$.a", "IsNull": True}], "Next": "X"},
            "Variable is not allowed",
        ),
        (
            {
                "And": [
                    {"Variable": "$.a", "IsNull": True},
                    {"Not": {"Variable": "$.a", "IsNull": 1}},
                ]
            },
            "And[1]: Not: IsNull must be true or false",
        ),
        ({"Variable": "$.a", "NumericEqual": 1, "Next": "X"}, "did you mean 'NumericEquals'?"),
        (
            {"Variable": "$.a", "IsNull": True, "Output": {}, "Next": "X"},
            "unknown field 'Output' in a JSONPath Choice rule",
        ),
        ({"Condition": "{% true %}", "Next": "X"}, "Condition is for JSONata rules"),
    ],
)
def test_rule_problems(rule: dict[str, Any], problem: str) -> None:
    problems = check_choice_rule(rule)
    assert any(problem in p for p in problems), problems


# Choice Rules (JSONata) in the guide: a rule has a Condition (a JSONata expression that evaluates
# to true/false) and Next; Output and Assign are optional.
@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"Next": "X"}, "needs a Condition"),
        ({"Condition": 1, "Next": "X"}, "needs a Condition"),
        ({"Condition": "{% true %}"}, "needs Next"),
        (
            {"Variable": "$.a", "IsNull": True, "Condition": "{% true %}", "Next": "X"},
            "Variable is not a field of a JSONata Choice rule",
        ),
        (
            {"Condition": "{% true %}", "Outputs": {}, "Next": "X"},
            "unknown field 'Outputs' in a JSONata Choice rule; did you mean 'Output'?",
        ),
    ],
)
def test_jsonata_rule_problems(rule: dict[str, Any], problem: str) -> None:
    problems = check_choice_rule(rule, jsonata=True)
    assert any(problem in p for p in problems), problems


def test_a_rule_that_is_not_an_object() -> None:
    assert check_choice_rule(["not", "a", "rule"]) == ["a Choice rule must be an object, got list"]


def test_compile_choice_refuses_invalid_rules() -> None:
    with pytest.raises(ValueError, match=r"Choices\[0\]: .*must be a number"):
        compile_choice({"Choices": [{"Variable": "$.a", "NumericEquals": "1", "Next": "X"}]})
