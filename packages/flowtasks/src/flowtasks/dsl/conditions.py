"""Choice rules: ``Var("$.status").string_equals("done")``; combine with ``&``, ``|``, ``~``.

Every `Var` method maps 1:1 to the ASL comparison operator of the same name in snake case
(https://states-language.net/spec.html#choice-state): ``numeric_greater_than_equals_path`` is
``NumericGreaterThanEqualsPath``. `And`, `Or` and `Not` build the boolean combinations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Condition:
    """One Choice Rule without its ``Next``: a comparison, or And/Or/Not of conditions."""

    operator: str
    variable: str | None = None
    value: Any = None
    children: tuple[Condition, ...] = ()

    def to_asl(self) -> dict[str, Any]:
        """The rule as an ASL object (without ``Next``)."""
        if self.operator in ("And", "Or"):
            return {self.operator: [c.to_asl() for c in self.children]}
        if self.operator == "Not":
            return {"Not": self.children[0].to_asl()}
        return {"Variable": self.variable, self.operator: self.value}

    def __and__(self, other: Condition) -> Condition:
        return And(self, other)

    def __or__(self, other: Condition) -> Condition:
        return Or(self, other)

    def __invert__(self) -> Condition:
        return Not(self)


def And(*conditions: Condition) -> Condition:
    """All `conditions` hold (``And``)."""
    return Condition("And", children=_flatten("And", conditions))


def Or(*conditions: Condition) -> Condition:
    """At least one of `conditions` holds (``Or``)."""
    return Condition("Or", children=_flatten("Or", conditions))


def Not(condition: Condition) -> Condition:
    """`condition` does not hold (``Not``)."""
    return Condition("Not", children=(condition,))


def _flatten(operator: str, conditions: tuple[Condition, ...]) -> tuple[Condition, ...]:
    if not conditions:
        raise ValueError(f"{operator} needs at least one condition")
    flat: list[Condition] = []
    for c in conditions:
        flat.extend(c.children if c.operator == operator else (c,))
    return tuple(flat)


def _check(operator: str, value: Any, kind: str) -> Any:
    ok = {
        "string": isinstance(value, str),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
    }[kind]
    if not ok:
        raise TypeError(f"{operator} compares with a {kind}, not {value!r}")
    return value


@dataclass(frozen=True)
class Var:
    """The ``Variable`` of a Choice Rule: a JSONPath into the state's input (or ``$$`` context)."""

    path: str

    def _op(self, operator: str, value: Any, kind: str) -> Condition:
        return Condition(operator, self.path, _check(operator, value, kind))

    def _path(self, operator: str, path: str) -> Condition:
        return Condition(operator, self.path, _check(operator, path, "string"))

    # String comparisons
    def string_equals(self, value: str) -> Condition:
        return self._op("StringEquals", value, "string")

    def string_equals_path(self, path: str) -> Condition:
        return self._path("StringEqualsPath", path)

    def string_less_than(self, value: str) -> Condition:
        return self._op("StringLessThan", value, "string")

    def string_less_than_path(self, path: str) -> Condition:
        return self._path("StringLessThanPath", path)

    def string_greater_than(self, value: str) -> Condition:
        return self._op("StringGreaterThan", value, "string")

    def string_greater_than_path(self, path: str) -> Condition:
        return self._path("StringGreaterThanPath", path)

    def string_less_than_equals(self, value: str) -> Condition:
        return self._op("StringLessThanEquals", value, "string")

    def string_less_than_equals_path(self, path: str) -> Condition:
        return self._path("StringLessThanEqualsPath", path)

    def string_greater_than_equals(self, value: str) -> Condition:
        return self._op("StringGreaterThanEquals", value, "string")

    def string_greater_than_equals_path(self, path: str) -> Condition:
        return self._path("StringGreaterThanEqualsPath", path)

    def string_matches(self, pattern: str) -> Condition:
        """``*`` matches any run of characters; ``\\*`` a literal star."""
        return self._op("StringMatches", pattern, "string")

    # Numeric comparisons
    def numeric_equals(self, value: float) -> Condition:
        return self._op("NumericEquals", value, "number")

    def numeric_equals_path(self, path: str) -> Condition:
        return self._path("NumericEqualsPath", path)

    def numeric_less_than(self, value: float) -> Condition:
        return self._op("NumericLessThan", value, "number")

    def numeric_less_than_path(self, path: str) -> Condition:
        return self._path("NumericLessThanPath", path)

    def numeric_greater_than(self, value: float) -> Condition:
        return self._op("NumericGreaterThan", value, "number")

    def numeric_greater_than_path(self, path: str) -> Condition:
        return self._path("NumericGreaterThanPath", path)

    def numeric_less_than_equals(self, value: float) -> Condition:
        return self._op("NumericLessThanEquals", value, "number")

    def numeric_less_than_equals_path(self, path: str) -> Condition:
        return self._path("NumericLessThanEqualsPath", path)

    def numeric_greater_than_equals(self, value: float) -> Condition:
        return self._op("NumericGreaterThanEquals", value, "number")

    def numeric_greater_than_equals_path(self, path: str) -> Condition:
        return self._path("NumericGreaterThanEqualsPath", path)

    # Boolean
    def boolean_equals(self, value: bool) -> Condition:
        return self._op("BooleanEquals", value, "boolean")

    def boolean_equals_path(self, path: str) -> Condition:
        return self._path("BooleanEqualsPath", path)

    # Timestamps (RFC 3339 strings)
    def timestamp_equals(self, value: str) -> Condition:
        return self._op("TimestampEquals", value, "string")

    def timestamp_equals_path(self, path: str) -> Condition:
        return self._path("TimestampEqualsPath", path)

    def timestamp_less_than(self, value: str) -> Condition:
        return self._op("TimestampLessThan", value, "string")

    def timestamp_less_than_path(self, path: str) -> Condition:
        return self._path("TimestampLessThanPath", path)

    def timestamp_greater_than(self, value: str) -> Condition:
        return self._op("TimestampGreaterThan", value, "string")

    def timestamp_greater_than_path(self, path: str) -> Condition:
        return self._path("TimestampGreaterThanPath", path)

    def timestamp_less_than_equals(self, value: str) -> Condition:
        return self._op("TimestampLessThanEquals", value, "string")

    def timestamp_less_than_equals_path(self, path: str) -> Condition:
        return self._path("TimestampLessThanEqualsPath", path)

    def timestamp_greater_than_equals(self, value: str) -> Condition:
        return self._op("TimestampGreaterThanEquals", value, "string")

    def timestamp_greater_than_equals_path(self, path: str) -> Condition:
        return self._path("TimestampGreaterThanEqualsPath", path)

    # Type tests: each takes whether the test should hold (default True)
    def is_null(self, value: bool = True) -> Condition:
        return self._op("IsNull", value, "boolean")

    def is_present(self, value: bool = True) -> Condition:
        return self._op("IsPresent", value, "boolean")

    def is_numeric(self, value: bool = True) -> Condition:
        return self._op("IsNumeric", value, "boolean")

    def is_string(self, value: bool = True) -> Condition:
        return self._op("IsString", value, "boolean")

    def is_boolean(self, value: bool = True) -> Condition:
        return self._op("IsBoolean", value, "boolean")

    def is_timestamp(self, value: bool = True) -> Condition:
        return self._op("IsTimestamp", value, "boolean")


COMPARISON_OPERATORS: tuple[str, ...] = tuple(
    sorted(
        name
        for base in ("String", "Numeric", "Timestamp")
        for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
        for name in (base + op, base + op + "Path")
    )
    + sorted(["BooleanEquals", "BooleanEqualsPath", "StringMatches"])
    + sorted(["IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"])
)
"""Every ASL comparison operator name (JSONPath Choice rules)."""
