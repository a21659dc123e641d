"""``--mock STATE=JSON``: replace a Task state's result, or fail it, on the local engine.

Like Step Functions' mocked service integrations: a mock value is the state's result; an object
with only ``Error`` (and optionally ``Cause``) makes the state fail with that error, so its Retry
and Catch apply.
"""

from __future__ import annotations

import difflib
import json
import shlex
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.asl.walk import iter_states
from flowtasks.errors import TaskError, UsageError
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
    """Engine handlers for `mocks` (keyed by Task state name or Resource): each returns a fresh
    copy of its value, or raises ``TaskError(Error, Cause)`` for an ``{"Error", "Cause"}`` object.

    Every other Task state gets a handler that runs our flow's task in-process (as the engine
    does). UsageError, before anything runs, for a key naming no Task state of `definition`, and
    for Task states that are not ours (someone else's Lambda, an SDK integration) and have no
    mock: all of them at once, with the ``--mock`` arguments to add.
    """
    tasks, types = _task_states(definition)
    resources = set(tasks.values())
    handlers: dict[str, Callable[[Any], Any]] = {}
    for state in mocks:
        if state not in tasks and state not in resources:
            raise UsageError(_unknown_state(state, tasks, types))
    missing = unmocked_foreign_tasks(mocks, definition)
    if missing:
        raise UsageError(_missing_text(missing))
    for state, value in mocks.items():
        if is_failure(value):
            error, cause = str(value["Error"]), str(value.get("Cause", ""))

            def fail(_: Any, error: str = error, cause: str = cause) -> Any:
                raise TaskError(error, cause)

            handlers[state] = fail
        else:

            def give(_: Any, text: str = json.dumps(value)) -> Any:
                return json.loads(text)  # a fresh copy for every call

            handlers[state] = give
    for state, resource in tasks.items():
        if state not in handlers and resource not in handlers:
            handlers[state] = _unmocked(state, resource)
    return handlers


_ENGINE_RESOURCES = ("arn:aws:states:::states:startExecution",)
"""Resources that the engine runs itself (a child execution), without a handler."""


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
        if name in mocks or resource in mocks or resource.startswith(_ENGINE_RESOURCES):
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


def _unknown_state(state: str, tasks: Mapping[str, str], types: Mapping[str, str]) -> str:
    known = ", ".join(sorted(tasks)) or "(none)"
    kind = types.get(state)
    if kind is not None:
        return f"--mock: {state!r} is a {kind} state, not a Task state; Task states: {known}"
    close = difflib.get_close_matches(state, list(tasks), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"--mock: no Task state {state!r}.{hint} Task states: {known}"


def _unmocked(state: str, resource: str) -> Callable[[Any], Any]:
    """The handler of a Task state without a mock: our flow's task runs in-process; any other
    Task cannot run locally, and fails the execution saying how to give its result."""

    def handler(parameters: Any) -> Any:
        call = task_call_of(resource, parameters)
        if call is None:
            raise StatesFailure(
                StatesErrorName.RUNTIME,
                f"Task state {state!r} (Resource {resource!r}) does not run a flow's task, so it "
                f"cannot run locally: give its result with --mock '{state}=JSON', or make it "
                f'fail with --mock \'{state}={{"Error": "..."}}\'.',
            )
        from flowtasks.local.state_task import current_events
        from flowtasks.runner.execute import newest_first, run_task

        events = current_events()
        return run_task(call, None if events is None else newest_first(events))

    return handler


def _task_states(machine: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """({Task state name: its Resource}, {every state name: its Type}), at every depth."""
    tasks: dict[str, str] = {}
    types: dict[str, str] = {}
    for name, state in iter_states(machine):
        types[name] = str(state.get("Type"))
        if state.get("Type") == "Task":
            tasks[name] = str(state.get("Resource"))
    return tasks, types
