"""Choice rules: the operator table, RFC 3339 timestamps, and THE static check of a rule.

One place for what the validator, the compiler and the local engine accept. Sources: the AWS
developer guide, "Choice workflow state" (Choice Rules in JSONPath and JSONata, data-test
expressions, Boolean expressions) and the ASL spec ("Choice State"):

- a JSONPath rule is a data test (``Variable`` and exactly one operator) or a Boolean combination
  (``And``/``Or``: non-empty arrays of rules, ``Not``: one rule); only top-level rules have
  ``Next``; ``Variable`` and the ``...Path`` operands are Reference Paths (``$name`` reads a
  workflow variable); the operand's type must fit the operator;
- a JSONata rule has a ``Condition`` (a boolean or a ``{% ... %}`` expression) and ``Next``;
- timestamps follow RFC 3339 with an uppercase ``T`` and ``Z`` (or a numeric offset).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from difflib import get_close_matches
from typing import Any

from flowtasks.asl.checks import path_problem

__all__ = [
    "COMBINATORS",
    "KINDS",
    "OPERATORS",
    "RELATIONS",
    "TYPE_TESTS",
    "check_choice_rule",
    "is_number",
    "parse_timestamp",
]

KINDS = ("String", "Numeric", "Boolean", "Timestamp")
"""The value kinds of the comparison operators (``Boolean`` has only ``Equals``)."""
RELATIONS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
COMBINATORS = ("And", "Or", "Not")

OPERATORS: frozenset[str] = frozenset(
    [f"{kind}{rel}" for kind in KINDS for rel in RELATIONS if kind != "Boolean"]
    + [f"{kind}{rel}Path" for kind in KINDS for rel in RELATIONS if kind != "Boolean"]
    + ["BooleanEquals", "BooleanEqualsPath", "StringMatches", *TYPE_TESTS]
)
"""Every data-test operator of the guide."""

_COMMON_FIELDS = frozenset({"Next", "Comment", "Assign"})
_JSONPATH_FIELDS = _COMMON_FIELDS | {"Variable"} | OPERATORS | set(COMBINATORS)
_JSONATA_FIELDS = _COMMON_FIELDS | {"Output", "Condition"}

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z"
)


def parse_timestamp(value: Any) -> datetime | None:
    """An aware datetime for an RFC 3339 timestamp as Step Functions accepts it, else None."""
    if not isinstance(value, str):
        return None
    m = _TIMESTAMP.match(value)
    if not m:
        return None
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    text = f"{year}-{month}-{day}T{hour}:{minute}:{second}.{micro:06d}"
    text += "+00:00" if zone == "Z" else zone
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def is_number(value: Any) -> bool:
    """True for a JSON number (an int or a float; a bool is not one)."""
    return type(value) in (int, float)


def check_choice_rule(rule: Any, *, nested: bool = False, jsonata: bool = False) -> list[str]:
    """Every problem of one Choice rule; empty when it is valid.

    A top-level rule (a member of ``Choices``) needs ``Next``; a rule ``nested`` in And/Or/Not
    must not have it. `jsonata`: the state's QueryLanguage is JSONata (rules test a
    ``Condition``). A problem inside a nested rule starts with where it is (``And[1]: ...``).
    """
    if not isinstance(rule, Mapping):
        return [f"a Choice rule must be an object, got {type(rule).__name__}"]
    problems: list[str] = []
    if nested and "Next" in rule:
        problems.append("a rule nested in And/Or/Not must not have Next; only top-level rules do")
    if not nested and not isinstance(rule.get("Next"), str):
        problems.append("a Choice rule needs Next: the state to continue at")
    problems.extend(_unknown_fields(rule, jsonata))
    if jsonata:
        if not isinstance(rule.get("Condition"), str | bool):
            problems.append(
                "a JSONata Choice rule needs a Condition: true, false or a '{% ... %}' expression"
            )
        return problems
    if "Condition" in rule:
        problems.append(
            "Condition is for JSONata rules: set the state's QueryLanguage to JSONata, or test "
            "a Variable with an operator"
        )
        return problems
    found = [k for k in rule if k in OPERATORS or k in COMBINATORS]
    if len(found) != 1:
        problems.append(
            "a Choice rule needs exactly one operator (or And/Or/Not); found: "
            + (", ".join(found) or "none")
        )
        return problems
    (key,) = found
    if key in COMBINATORS:
        problems.extend(_combination_problems(rule, key))
        return problems
    variable = rule.get("Variable")
    if variable is None:
        problems.append(f"a rule with {key} needs Variable: the path of the value to test")
    else:
        message = path_problem(variable, reference=True, nullable=False)
        if message:
            problems.append(f"Variable: {message}")
    problems.extend(_operand_problems(key, rule[key]))
    return problems


def _unknown_fields(rule: Mapping[str, Any], jsonata: bool) -> list[str]:
    known = _JSONATA_FIELDS if jsonata else _JSONPATH_FIELDS
    language = "JSONata" if jsonata else "JSONPath"
    problems = []
    for key in rule:
        if key in known:
            continue
        if jsonata and key in _JSONPATH_FIELDS:  # a JSONPath rule in a JSONata state
            problems.append(
                f"{key} is not a field of a JSONata Choice rule: test a Condition such as "
                "'{% $states.input.count > 0 %}'"
            )
            continue
        if not jsonata and key == "Condition":
            continue  # reported with its own message
        close = get_close_matches(str(key), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problems.append(f"unknown field {key!r} in a {language} Choice rule{hint}")
    return problems


def _combination_problems(rule: Mapping[str, Any], key: str) -> list[str]:
    problems = []
    if "Variable" in rule:
        problems.append(f"Variable is not allowed beside {key}; move it into the nested rules")
    value = rule[key]
    if key == "Not":
        if not isinstance(value, Mapping):
            problems.append("Not must be a single Choice rule object")
        else:
            problems.extend(f"Not: {p}" for p in check_choice_rule(value, nested=True))
    elif not isinstance(value, list) or not value:
        problems.append(f"{key} must be a non-empty array of Choice rules")
    else:
        for index, sub in enumerate(value):
            problems.extend(f"{key}[{index}]: {p}" for p in check_choice_rule(sub, nested=True))
    return problems


def _operand_problems(op: str, value: Any) -> list[str]:
    if op.endswith("Path"):
        if not isinstance(value, str):
            return [f"{op} must be a path string, got {value!r}"]
        message = path_problem(value, reference=True)
        return [f"{op}: {message}"] if message else []
    if op in TYPE_TESTS or op == "BooleanEquals":
        ok = isinstance(value, bool)
        wanted = "true or false"
    elif op.startswith("Numeric"):
        ok = is_number(value)
        wanted = "a number"
    elif op.startswith("Timestamp"):
        ok = parse_timestamp(value) is not None
        wanted = "an RFC 3339 timestamp such as 2016-08-18T17:33:00Z"
    else:  # String*
        ok = isinstance(value, str)
        wanted = "a string"
    return [] if ok else [f"{op} must be {wanted}, got {value!r}"]
