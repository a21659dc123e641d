"""Operands and comparisons of JSONPath filters (``[?(@.price < 10)]``), Jayway's semantics.

Numbers compare by value, strings by code point, other types only for equality; a value of
another type than its counterpart never matches (``==`` is false, ``!=`` true); a path that
selects nothing makes every comparison but ``!=`` false.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["MISSING", "Operand", "Predicate", "comparison"]

Predicate = Callable[[Any, Any, Any], bool]
"""predicate(item, data, context) -> bool, for a filter."""

_NUMBER_TYPES = (int, float)

MISSING = object()


@dataclass(frozen=True, slots=True)
class Operand:
    """A filter operand: a path relative to the item (``@``), the data (``$``), or a literal."""

    get: Callable[[Any, Any, Any], Any]
    is_path: bool
    definite: bool

    @staticmethod
    def literal(value: Any) -> Operand:
        return Operand(get=lambda item, d, c: value, is_path=False, definite=True)

    def value(self, item: Any, d: Any, c: Any) -> Any:
        """The operand's value for `item`, or MISSING when its path selects nothing."""
        try:
            return self.get(item, d, c)
        except LookupError:  # PathNotFound
            return MISSING

    def exists(self, item: Any, d: Any, c: Any) -> bool:
        found = self.value(item, d, c)
        if found is MISSING:
            return False
        return self.definite or bool(found)


def _is_number(v: Any) -> bool:
    return type(v) in _NUMBER_TYPES


def _equal(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return False
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if type(a) is not type(b):
        return False
    return bool(a == b)


def _ordered(op: str, a: Any, b: Any) -> bool:
    if not ((_is_number(a) and _is_number(b)) or (type(a) is str and type(b) is str)):
        return False
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def comparison(op: str, left: Operand, right: Operand) -> Predicate:
    lv, rv = left.value, right.value
    if op == "==":
        return lambda item, d, c: _equal(lv(item, d, c), rv(item, d, c))
    if op == "!=":
        return lambda item, d, c: not _equal(lv(item, d, c), rv(item, d, c))
    if op in ("<", "<=", ">", ">="):
        return lambda item, d, c: _ordered(op, lv(item, d, c), rv(item, d, c))
    if op == "=~":

        def matches(item: Any, d: Any, c: Any) -> bool:
            value, pattern = lv(item, d, c), rv(item, d, c)
            return type(value) is str and bool(pattern.fullmatch(value))

        return matches

    def member(item: Any, d: Any, c: Any) -> bool:
        value, options = lv(item, d, c), rv(item, d, c)
        if type(options) is not list:
            return False
        return any(_equal(value, o) for o in options)

    if op == "in":
        return member
    return lambda item, d, c: not member(item, d, c)
