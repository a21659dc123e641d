"""Choice state rules, checked and compiled into closures.

Semantics of the AWS developer guide, "Choice workflow state" (Choice Rules, data-test
expressions, Boolean expressions) and the ASL spec ("Choice State"):

- ``Variable`` and the ``...Path`` operands must be Reference Paths (a single node);
- a comparison whose value has another type than the operator expects is simply false;
- a ``Variable`` (or a ``...Path`` operand) that selects nothing fails the state with
  ``States.Runtime`` ("Invalid path '$.x': The choice state's condition path references an
  invalid value."), except under ``IsPresent``;
- numbers compare by value (an int equals the same float), booleans are never numbers;
- timestamps compare as instants; they must follow RFC 3339 with an uppercase ``T`` and ``Z``;
- ``StringMatches`` takes ``*`` as a wildcard, ``\\*`` as a literal star, ``\\\\`` as a backslash.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flowtasks.asl.jsonpath import PathNotFound, check_path, compile_path
from flowtasks.asl.states_errors import StatesErrorName, StatesFailure

__all__ = ["OPERATORS", "check_choice_rule", "compile_choice", "compile_rule", "parse_timestamp"]

_NUMBER_TYPES = (int, float)
"""The Python types of JSON numbers (bool, a subclass of int, is not one)."""

Test = Callable[[Any, Any], bool]
Chooser = Callable[[Any, Any], "str | None"]

_KINDS = ("String", "Numeric", "Boolean", "Timestamp")
_RELATIONS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
_TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")

OPERATORS: frozenset[str] = frozenset(
    [f"{kind}{rel}" for kind in _KINDS for rel in _RELATIONS if kind != "Boolean"]
    + [f"{kind}{rel}Path" for kind in _KINDS for rel in _RELATIONS if kind != "Boolean"]
    + ["BooleanEquals", "BooleanEqualsPath", "StringMatches", *_TYPE_TESTS]
)
"""Every data-test operator of the guide."""

_RULE_KEYS = frozenset({"Next", "Comment", "Assign", "Output"})

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


def _is_number(value: Any) -> bool:
    return type(value) in _NUMBER_TYPES


# ---------------------------------------------------------------------------------------------
# checking


def check_choice_rule(rule: Mapping[str, Any], *, nested: bool = False) -> list[str]:
    """Every problem of one Choice rule (a top-level rule needs ``Next``; nested ones in
    And/Or/Not must not have it). Empty when the rule is valid."""
    candidate: object = rule  # definitions come from JSON: check, don't trust the annotation
    if not isinstance(candidate, Mapping):
        return [f"a choice rule must be an object, got {type(candidate).__name__}"]
    problems: list[str] = []
    if nested and "Next" in rule:
        problems.append("a rule nested in And/Or/Not must not have 'Next'")
    if not nested and not isinstance(rule.get("Next"), str):
        problems.append("a top-level choice rule needs 'Next' (a state name)")
    if "Condition" in rule:  # JSONata rule
        if not isinstance(rule["Condition"], str):
            problems.append("'Condition' must be a JSONata string")
        return problems
    combinators = [k for k in ("And", "Or", "Not") if k in rule]
    operators = [k for k in rule if k in OPERATORS]
    unknown = [
        k for k in rule if k not in OPERATORS and k not in _RULE_KEYS and k not in combinators
    ]
    unknown = [k for k in unknown if k != "Variable"]
    for key in unknown:
        problems.append(f"unknown field {key!r} in a choice rule")
    if len(combinators) + len(operators) != 1:
        found = combinators + operators
        problems.append(
            "a choice rule needs exactly one operator (or And/Or/Not), found "
            + (", ".join(found) if found else "none")
        )
        return problems
    if combinators:
        if "Variable" in rule:
            problems.append("'Variable' is not allowed beside And/Or/Not")
        key = combinators[0]
        value = rule[key]
        if key == "Not":
            if not isinstance(value, Mapping):
                problems.append("'Not' must be a single choice rule object")
            else:
                problems.extend(f"Not: {p}" for p in check_choice_rule(value, nested=True))
        elif not isinstance(value, list) or not value:
            problems.append(f"{key!r} must be a non-empty array of choice rules")
        else:
            for i, sub in enumerate(value):
                problems.extend(f"{key}[{i}]: {p}" for p in check_choice_rule(sub, nested=True))
        return problems
    variable = rule.get("Variable")
    if not isinstance(variable, str):
        problems.append("a data-test rule needs 'Variable' (a path)")
    else:
        message = check_path(variable, reference=True)
        if message:
            problems.append(f"Variable: {message}")
    op = operators[0]
    problems.extend(_check_operand(op, rule[op]))
    return problems


def _check_operand(op: str, value: Any) -> list[str]:
    if op.endswith("Path"):
        if not isinstance(value, str):
            return [f"{op} must be a path string, got {value!r}"]
        message = check_path(value, reference=True)
        return [f"{op}: {message}"] if message else []
    if op in _TYPE_TESTS or op == "BooleanEquals":
        ok = isinstance(value, bool)
        wanted = "true or false"
    elif op.startswith("Numeric"):
        ok = _is_number(value)
        wanted = "a number"
    elif op.startswith("Timestamp"):
        ok = parse_timestamp(value) is not None
        wanted = "an RFC 3339 timestamp such as 2016-08-18T17:33:00Z"
    else:  # String*
        ok = isinstance(value, str)
        wanted = "a string"
    return [] if ok else [f"{op} must be {wanted}, got {value!r}"]


# ---------------------------------------------------------------------------------------------
# compiling


def compile_choice(state: Mapping[str, Any]) -> Chooser:
    """Compile a Choice state into ``chooser(data, context) -> Next | Default | None``.

    Rules are tried in order; None means no rule matched and there is no Default (the engine
    then fails with States.NoChoiceMatched). Raises ValueError for an invalid rule.
    """
    compiled: list[tuple[Test, str]] = []
    for i, rule in enumerate(state.get("Choices", ())):
        problems = check_choice_rule(rule)
        if problems:
            raise ValueError(f"Choices[{i}]: " + "; ".join(problems))
        compiled.append((compile_rule(rule), rule["Next"]))
    default = state.get("Default")
    rules = tuple(compiled)

    def choose(data: Any, context: Any) -> str | None:
        for test, target in rules:
            if test(data, context):
                return target
        return default

    return choose


def _invalid_path(path: str) -> StatesFailure:
    return StatesFailure(
        StatesErrorName.RUNTIME,
        f"Invalid path '{path}': The choice state's condition path references an invalid value.",
    )


def compile_rule(rule: Mapping[str, Any]) -> Test:
    """Compile one (already checked) rule into ``test(data, context) -> bool``."""
    if "And" in rule:
        parts = tuple(compile_rule(r) for r in rule["And"])
        return lambda d, c: all(p(d, c) for p in parts)
    if "Or" in rule:
        parts = tuple(compile_rule(r) for r in rule["Or"])
        return lambda d, c: any(p(d, c) for p in parts)
    if "Not" in rule:
        inner = compile_rule(rule["Not"])
        return lambda d, c: not inner(d, c)
    variable: str = rule["Variable"]
    reader = compile_path(variable)
    op = next(k for k in rule if k in OPERATORS)
    operand = rule[op]

    if op == "IsPresent":
        want = bool(operand)

        def present(d: Any, c: Any) -> bool:
            try:
                reader(d, c)
            except PathNotFound:
                return not want
            return want

        return present

    if op.endswith("Path"):
        compare = _comparator(op[: -len("Path")])
        other_reader = compile_path(operand)
        other_path: str = operand

        def test_path(d: Any, c: Any) -> bool:
            try:
                value = reader(d, c)
            except PathNotFound:
                raise _invalid_path(variable) from None
            try:
                other = other_reader(d, c)
            except PathNotFound:
                raise _invalid_path(other_path) from None
            return compare(value, other)

        return test_path

    predicate = _constant_predicate(op, operand)

    def test(d: Any, c: Any) -> bool:
        try:
            value = reader(d, c)
        except PathNotFound:
            raise _invalid_path(variable) from None
        return predicate(value)

    return test


def _constant_predicate(op: str, operand: Any) -> Callable[[Any], bool]:
    """``value -> bool`` for an operator with a literal operand, specialised per type."""
    if op in _TYPE_CHECKS:
        want = bool(operand)
        check = _TYPE_CHECKS[op]
        return lambda v: check(v) is want
    if op == "StringMatches":
        match = _wildcard(operand).fullmatch
        return lambda v: type(v) is str and match(v) is not None
    if op == "BooleanEquals":
        return lambda v: type(v) is bool and v is operand
    kind = next(k for k in _KINDS if op.startswith(k))
    relate = _RELATE[op[len(kind) :]]
    if kind == "Numeric":
        return lambda v: type(v) in _NUMBER_TYPES and relate(v, operand)
    if kind == "String":
        if relate is operator.eq:
            return lambda v: type(v) is str and v == operand
        return lambda v: type(v) is str and _java_compare(relate, v, operand)
    instant = parse_timestamp(operand)

    def timestamp(v: Any) -> bool:
        parsed = parse_timestamp(v)
        return parsed is not None and relate(parsed, instant)

    return timestamp


def _comparator(op: str) -> Callable[[Any, Any], bool]:
    """``(value, other) -> bool`` for an operator whose operand is read from a path."""
    if op == "BooleanEquals":
        return lambda a, b: type(a) is bool and type(b) is bool and a is b
    kind = next(k for k in _KINDS if op.startswith(k))
    relate = _RELATE[op[len(kind) :]]
    if kind == "Numeric":
        return lambda a, b: type(a) in _NUMBER_TYPES and type(b) in _NUMBER_TYPES and relate(a, b)
    if kind == "String":
        return lambda a, b: type(a) is str and type(b) is str and _java_compare(relate, a, b)

    def timestamps(a: Any, b: Any) -> bool:
        x, y = parse_timestamp(a), parse_timestamp(b)
        return x is not None and y is not None and relate(x, y)

    return timestamps


def _java_compare(relate: Callable[[Any, Any], bool], a: str, b: str) -> bool:
    """Order strings as Java's ``compareTo`` does (UTF-16 code units), as the guide says."""
    if a.isascii() and b.isascii():
        return relate(a, b)
    return relate(a.encode("utf-16-be"), b.encode("utf-16-be"))


_RELATE: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}

_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda v: v is None,
    "IsNumeric": _is_number,
    "IsString": lambda v: type(v) is str,
    "IsBoolean": lambda v: type(v) is bool,
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}


def _wildcard(pattern: str) -> re.Pattern[str]:
    """StringMatches pattern -> regex: ``*`` any run of characters, ``\\*`` and ``\\\\`` literal."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*\\":
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif ch == "*":
            out.append(".*")
            i += 1
        else:
            out.append(re.escape(ch))
            i += 1
    return re.compile("".join(out), re.DOTALL)
