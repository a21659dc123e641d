"""``--mock STATE=JSON``: replace a Task state's result, or fail it, on the local engine.

Like Step Functions' mocked service integrations: a mock value is the state's result; an object
with only ``Error`` (and optionally ``Cause``) makes the state fail with that error, so its Retry
and Catch apply.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flowtasks.asl.walk import iter_states
from flowtasks.errors import TaskError, UsageError

__all__ = ["is_failure", "mock_handlers", "parse_mocks"]


def _parse_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{what} is not valid JSON: {exc}") from None


def parse_mocks(pairs: Sequence[str]) -> dict[str, Any]:
    """``["STATE=JSON", ...]`` (``--mock`` arguments) -> {state: value}. UsageError if malformed."""
    mocks: dict[str, Any] = {}
    for pair in pairs:
        state, sep, text = pair.partition("=")
        if not sep or not state:
            raise UsageError(f"--mock {pair!r}: expected STATE=JSON")
        mocks[state] = _parse_json(text, f"--mock {state}")
    return mocks


def is_failure(value: Any) -> bool:
    """True for a mock that fails its state: an object of `Error` and optionally `Cause`."""
    return isinstance(value, dict) and "Error" in value and set(value) <= {"Error", "Cause"}


def mock_handlers(
    mocks: Mapping[str, Any], definition: Mapping[str, Any]
) -> dict[str, Callable[[Any], Any]]:
    """Engine handlers for `mocks` (keyed by Task state name or Resource): each returns a fresh
    copy of its value, or raises ``TaskError(Error, Cause)`` for an ``{"Error", "Cause"}`` object.
    UsageError for a key naming no Task state of `definition`."""
    tasks, resources = _task_states(definition)
    handlers: dict[str, Callable[[Any], Any]] = {}
    for state, value in mocks.items():
        if state not in tasks and state not in resources:
            known = ", ".join(sorted(tasks)) or "(none)"
            raise UsageError(f"--mock {state}: no Task state of that name. Task states: {known}")
        if is_failure(value):
            error, cause = str(value["Error"]), str(value.get("Cause", ""))

            def fail(_: Any, error: str = error, cause: str = cause) -> Any:
                raise TaskError(error, cause)

            handlers[state] = fail
        else:

            def give(_: Any, text: str = json.dumps(value)) -> Any:
                return json.loads(text)  # a fresh copy for every call

            handlers[state] = give
    return handlers


def _task_states(machine: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    tasks: set[str] = set()
    resources: set[str] = set()
    for name, state in iter_states(machine):
        if state.get("Type") == "Task":
            tasks.add(name)
            resources.add(str(state.get("Resource")))
    return tasks, resources
