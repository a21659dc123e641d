"""Choice state rules (JSONPath), compiled into closures.

Rules are checked by `flowtasks.asl.choice_rules.check_choice_rule` (the one static check, with
the operator table and `parse_timestamp`); this module only evaluates them. Semantics of the AWS
developer guide, "Choice workflow state" (Choice Rules, data-test expressions, Boolean
expressions) and the ASL spec ("Choice State"):

- a comparison whose value has another type than the operator expects is simply false;
- a ``Variable`` (or a ``...Path`` operand) that selects nothing fails the state with
  ``States.Runtime`` ("Invalid path '$.x': The choice state's condition path references an
  invalid value."), except under ``IsPresent``;
- numbers compare by value (an int equals the same float), booleans are never numbers;
- timestamps compare as instants;
- ``StringMatches`` takes ``*`` as a wildcard, ``\\*`` as a literal star, ``\\\\`` as a backslash.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from flowtasks.asl.choice_rules import (
    KINDS,
    OPERATORS,
    check_choice_rule,
    is_number,
    parse_timestamp,
)
from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.expressions.jsonpath import PathNotFound, compile_path

__all__ = ["compile_choice", "compile_rule"]

_NUMBER_TYPES = (int, float)
"""The Python types of JSON numbers (bool, a subclass of int, is not one)."""

Test = Callable[[Any, Any], bool]
Chooser = Callable[[Any, Any], "str | None"]


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


def _read_or_fail(path: str) -> Callable[[Any, Any], Any]:
    """A reader of `path` that fails the state with States.Runtime when it selects nothing."""
    reader = compile_path(path)
    cause = f"Invalid path '{path}': The choice state's condition path references an invalid value."

    def read(data: Any, context: Any) -> Any:
        try:
            return reader(data, context)
        except PathNotFound:
            raise StatesFailure(StatesErrorName.RUNTIME, cause) from None

    return read


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
    op = next(k for k in rule if k in OPERATORS)
    operand = rule[op]

    if op == "IsPresent":
        reader = compile_path(variable)
        want = bool(operand)

        def present(d: Any, c: Any) -> bool:
            try:
                reader(d, c)
            except PathNotFound:
                return not want
            return want

        return present

    value_of = _read_or_fail(variable)
    if op.endswith("Path"):
        compare = _comparator(op[: -len("Path")])
        other_of = _read_or_fail(operand)
        return lambda d, c: compare(value_of(d, c), other_of(d, c))
    predicate = _constant_predicate(op, operand)
    return lambda d, c: predicate(value_of(d, c))


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
    kind = next(k for k in KINDS if op.startswith(k))
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
    kind = next(k for k in KINDS if op.startswith(k))
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
    "IsNumeric": is_number,
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
