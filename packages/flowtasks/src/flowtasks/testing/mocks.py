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

`mock_handlers` turns mocks into engine handlers, after checking that each key names a Task
state (or a Task's Resource) of the definition; ``flow-task run --mock`` uses it too.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flowtasks.asl.walk import iter_states
from flowtasks.errors import UsageError

__all__ = ["Mock", "MockExhaustedError", "MockHandler", "Returns", "mock_handlers", "returns"]

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


def mock_handlers(
    mocks: Mapping[str, Mock], definition: Mapping[str, Any], *, label: str = "mock"
) -> dict[str, MockHandler]:
    """A `MockHandler` per mock, keyed as given (a Task state name or a Task's Resource).

    UsageError before anything runs when a key names no Task state of `definition` (at any
    depth): a typo must not silently un-mock a state. The message starts with `label` (``mock``,
    ``--mock``), names the closest Task state or the key's state type, and lists the Task states.
    """
    tasks: dict[str, str] = {}
    types: dict[str, str] = {}
    for name, state in iter_states(definition):
        types[name] = str(state.get("Type"))
        if state.get("Type") == "Task":
            tasks[name] = str(state.get("Resource", ""))
    resources = set(tasks.values())
    unknown = [key for key in mocks if key not in tasks and key not in resources]
    if unknown:
        what = " ".join(_unknown(key, tasks, types) for key in unknown)
        raise UsageError(f"{label}: {what} Task states: {', '.join(sorted(tasks)) or '(none)'}")
    return {key: MockHandler(key, spec) for key, spec in mocks.items()}


def _unknown(key: str, tasks: Mapping[str, str], types: Mapping[str, str]) -> str:
    kind = types.get(key)
    if kind is not None:
        return f"{key!r} is a {kind} state, not a Task state;"
    close = difflib.get_close_matches(key, list(tasks), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"no Task state {key!r}.{hint}"
