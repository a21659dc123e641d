"""Checks shared by the compiler and the validator, on ASL fragments (plain dicts).

Each check returns messages (or ``(field, message)`` pairs); callers add the location.
JSONPath and intrinsic syntax come from `flowtasks.expressions` (`jsonpath`, `intrinsic_parser`);
Choice rules are checked by `flowtasks.asl.choice_rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flowtasks.asl.states_errors import StatesErrorName
from flowtasks.expressions.intrinsic_parser import check_intrinsic
from flowtasks.expressions.jsonpath import check_path

ALL = StatesErrorName.ALL
INTRINSIC_PREFIX = "States."
"""A ``.$`` value starting with this is an intrinsic function call (AWS: "Intrinsic functions")."""
_INVALID_INTRINSIC = "invalid intrinsic function "
"""How `check_intrinsic` starts its messages; the rest names the call, position and reason."""


def path_problem(path: Any, *, reference: bool = False, nullable: bool = True) -> str | None:
    """Why `path` is not a valid (Reference) Path, or None. ``$name...`` reads a variable."""
    if path is None and nullable:
        return None
    if not isinstance(path, str):
        return f"must be a JSONPath string, not {path!r}"
    problem = check_path(path, reference=reference)
    if problem is None:
        return None
    return f"{problem}. Write a JSONPath such as '$.field' or '$$.Execution.Id'."


def value_problem(value: Any) -> str | None:
    """Why a ``.$`` template value is neither a path nor a valid intrinsic call, or None.

    A value starting with ``States.`` is taken as an intrinsic call, well formed or not, so a
    malformed call is reported as such rather than as a path lacking its ``$``.
    """
    if not isinstance(value, str):
        return f"a '.$' field takes a JSONPath or an intrinsic function string, not {value!r}"
    if value.lstrip().startswith(INTRINSIC_PREFIX):
        return intrinsic_problem(value)
    return path_problem(value, nullable=False)


def intrinsic_problem(text: str) -> str | None:
    """Why `text` is not a well-formed call of a known intrinsic function, or None."""
    message = check_intrinsic(text)
    if message is None:
        return None
    reason = message.removeprefix(_INVALID_INTRINSIC)
    if reason == message:
        reason = f"{text!r}: {message}"
    return f"malformed intrinsic function {reason}. Fix the call, or use a JSONPath ('$...')."


def template_problems(template: Any, field: str) -> Iterator[tuple[str, str]]:
    """(field, message) for every bad ``.$`` entry of a payload template, at any depth."""
    if isinstance(template, Mapping):
        for key, value in template.items():
            sub = f"{field}.{key}"
            if isinstance(key, str) and key.endswith(".$"):
                message = value_problem(value)
                if message is not None:
                    yield sub, message
            else:
                yield from template_problems(value, sub)
    elif isinstance(template, list):
        for index, item in enumerate(template):
            yield from template_problems(item, f"{field}[{index}]")


def error_rules_problems(rules: Any, field: str) -> Iterator[tuple[str, str]]:
    """(field, message) for a Retry or Catch list: shape, and ``States.ALL`` alone and last."""
    if not isinstance(rules, list):
        yield field, f"{field} must be a list of rules"
        return
    for index, rule in enumerate(rules):
        where = f"{field}[{index}]"
        if not isinstance(rule, Mapping):
            yield where, "must be an object with ErrorEquals"
            continue
        errors = rule.get("ErrorEquals")
        if (
            not isinstance(errors, list)
            or not errors
            or not all(isinstance(e, str) for e in errors)
        ):
            yield where, "ErrorEquals must be a non-empty list of error names"
            continue
        if ALL in errors and len(errors) > 1:
            others = ", ".join(e for e in errors if e != ALL)
            yield (
                where,
                f"'States.ALL' must be alone in its ErrorEquals; move {others} to a rule before it",
            )
        if ALL in errors and index != len(rules) - 1:
            yield (
                where,
                f"the rule with 'States.ALL' must be the last {field} rule; move it to the end",
            )
        if field == "Catch":
            if not isinstance(rule.get("Next"), str):
                yield where, "a Catch rule needs Next: the state to continue at"
            if "ResultPath" in rule:
                message = path_problem(rule["ResultPath"], reference=True)
                if message:
                    yield f"{where}.ResultPath", message
        else:
            yield from ((f"{where}.{f}", m) for f, m in _retry_fields(rule))


def _retry_fields(rule: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    def is_int(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    checks: dict[str, tuple[Callable[[Any], bool], str]] = {
        "IntervalSeconds": (lambda v: is_int(v) and v >= 1, "a positive integer"),
        "MaxAttempts": (lambda v: is_int(v) and v >= 0, "a non-negative integer"),
        "BackoffRate": (
            lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v >= 1.0,
            "a number >= 1.0",
        ),
        "MaxDelaySeconds": (lambda v: is_int(v) and v >= 1, "a positive integer"),
        "JitterStrategy": (lambda v: v in ("FULL", "NONE"), "'FULL' or 'NONE'"),
    }
    for name, (ok, expected) in checks.items():
        if name in rule and not ok(rule[name]):
            yield name, f"must be {expected}, not {rule[name]!r}"
