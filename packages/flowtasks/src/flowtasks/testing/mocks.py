"""Mocks: stand-ins for Task states, given as plain values.

A mock for one Task state (or Resource) is one of:

- a JSON value: the Task's result, every time it is called;
- a callable ``f(input) -> result``: called with the Task's input (for our own tasks, the payload
  the task function would receive);
- an exception instance or class (``TaskError("Vendor.NotReady", "...")``, ``TimeoutError()``):
  raised, so the state fails with that error, exactly as if the task had raised it;
- a list: one outcome per call, in order (each item any of the above), to script retries:
  ``[TaskError("Busy"), TaskError("Busy"), {"rows": 3}]``. Calling it more times than it has
  items is a test error (`MockExhaustedError`). To return a list as the result, wrap it:
  ``returns([1, 2])``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Mock", "MockExhaustedError", "MockHandler", "Returns", "returns"]

Mock = Any
"""A JSON value, a callable, an exception (instance or class), a list of those, or `Returns`."""


class MockExhaustedError(AssertionError):
    """A mock given as a list was called more times than it has outcomes."""


@dataclass(frozen=True)
class Returns:
    """A result returned as is (use it for results that are lists or callables)."""

    value: Any


def returns(value: Any) -> Returns:
    """Mock outcome returning `value` literally, even when it is a list."""
    return Returns(value)


class MockHandler:
    """The engine handler of one mock; thread-safe; remembers every input it was called with."""

    def __init__(self, key: str, spec: Mock) -> None:
        self.key = key
        self.spec = spec
        self.calls: list[Any] = []
        self.exhausted = False
        self._lock = threading.Lock()

    def __call__(self, payload: Any) -> Any:
        with self._lock:
            index = len(self.calls)
            self.calls.append(payload)
        outcome = self.spec
        if isinstance(outcome, list):
            if index >= len(outcome):
                self.exhausted = True
                raise MockExhaustedError(
                    f"mock {self.key!r} was called {index + 1} times but lists only "
                    f"{len(outcome)} outcome(s)"
                )
            outcome = outcome[index]
        return _apply(outcome, payload)


def _apply(outcome: Any, payload: Any) -> Any:
    if isinstance(outcome, Returns):
        return outcome.value
    if isinstance(outcome, BaseException):
        raise outcome
    if isinstance(outcome, type) and issubclass(outcome, BaseException):
        raise outcome()
    if callable(outcome):
        function: Callable[[Any], Any] = outcome
        return function(payload)
    return outcome
