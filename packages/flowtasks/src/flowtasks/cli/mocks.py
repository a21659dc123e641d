"""``--mock STATE=JSON``: replace a Task state's result, or fail it, on the local engine.

Like Step Functions' mocked service integrations: a mock value is the state's result; an object
with only ``Error`` (and optionally ``Cause``) makes the state fail with that error, so its Retry
and Catch apply.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flowtasks.asl.walk import iter_states
from flowtasks.errors import TaskError, UsageError
from flowtasks.local import child_flows
from flowtasks.protocol import task_call_of

__all__ = ["is_failure", "mock_handlers", "parse_json", "parse_mocks", "unmocked_foreign_tasks"]


def parse_json(text: str, what: str) -> Any:
    """The JSON value of `text`; UsageError naming `what` (``--input``, a file...) if malformed."""
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
        mocks[state] = parse_json(text, f"--mock {state}")
    return mocks


def is_failure(value: Any) -> bool:
    """True for a mock that fails its state: an object of `Error` and optionally `Cause`."""
    return isinstance(value, dict) and "Error" in value and set(value) <= {"Error", "Cause"}


def mock_handlers(
    mocks: Mapping[str, Any], definition: Mapping[str, Any]
) -> dict[str, Callable[[Any], Any]]:
    """Engine handlers for `mocks` (keyed by Task state name or Resource), in the one mock model
    of `flowtasks.testing.mocks`: a value is the state's result, an ``{"Error", "Cause"}`` object
    raises ``TaskError(Error, Cause)``. Task states without a mock are left to the engine, which
    runs our flows' tasks in-process.

    UsageError, before anything runs, for a key naming no Task state of `definition`, and for
    Task states that are not ours (someone else's Lambda, an SDK integration) and have no mock:
    all of them at once, with the ``--mock`` arguments to add.
    """
    from flowtasks.testing.mocks import mock_handlers as handlers_of
    from flowtasks.testing.mocks import returns

    outcomes: dict[str, Any] = {
        state: TaskError(str(value["Error"]), str(value.get("Cause", "")))
        if is_failure(value)
        else returns(value)
        for state, value in mocks.items()
    }
    handlers = handlers_of(outcomes, definition, label="--mock")
    missing = unmocked_foreign_tasks(mocks, definition)
    if missing:
        raise UsageError(_missing_text(missing))
    return dict(handlers)


def unmocked_foreign_tasks(
    mocks: Mapping[str, Any], definition: Mapping[str, Any]
) -> dict[str, str]:
    """Task states (name -> Resource), at every depth, that cannot run locally as they stand:
    not mocked (by name or Resource), not running a flow's task (``flow-task state ...`` in
    their Parameters), and not run by the engine itself."""
    missing: dict[str, str] = {}
    for name, state in iter_states(definition):
        if state.get("Type") != "Task":
            continue
        resource = str(state.get("Resource"))
        if name in mocks or resource in mocks or child_flows.handles(resource):
            continue
        if task_call_of(resource, state.get("Parameters")) is None:
            missing[name] = resource
    return missing


def _missing_text(missing: Mapping[str, str]) -> str:
    count = len(missing)
    width = max(len(name) for name in missing)
    lines = [
        f"{count} Task state{'s' if count > 1 else ''} cannot run locally (not a flow's task) "
        "and {verb} no --mock:".format(verb="have" if count > 1 else "has"),
        *(f"  {name:<{width}}  {resource}" for name, resource in missing.items()),
        "Give each its result, or a failure; for example add:",
        "  " + " ".join(f"--mock {shlex.quote(name + '={}')}" for name in missing),
        "  (or --mock " + shlex.quote(next(iter(missing)) + '={"Error": "Boom"}') + " to fail it)",
    ]
    return "\n".join(lines)
