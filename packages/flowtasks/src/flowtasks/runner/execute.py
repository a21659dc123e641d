"""Run one Task state of a registered flow from a `TaskCall`, as the container does."""

from __future__ import annotations

import json
import math
from typing import Any, Protocol

from flowtasks.errors import NotATaskStateError, StateNotFoundError
from flowtasks.protocol import TaskCall, decode_input


class TaskState(Protocol):
    """What the runner needs of a flow's task state."""

    def call(self, payload: Any) -> Any:
        """Validate `payload`, run the task function, return its JSON-able result."""


__all__ = ["NotATaskStateError", "asl_type", "encode_result", "execute", "resolve", "run_task"]

_ASL_TYPES = ("Pass", "Wait", "Succeed", "Fail", "Choice", "Parallel", "Map")


def asl_type(state: object) -> str:
    """The ASL ``Type`` of a DSL state object (``Task``, ``Choice``, ``Map``...)."""
    for cls in type(state).__mro__:
        if cls.__name__ in _ASL_TYPES:
            return cls.__name__
    name = type(state).__name__
    return "Task" if name == "TaskState" else name


def resolve(call: TaskCall) -> TaskState:
    """The task state `call` names. Raises FlowNotFoundError, NotATaskStateError (a state that
    is not a Task) or StateNotFoundError (no such state)."""
    from flowtasks.registry import get_flow

    flow = get_flow(call.flow)
    states = flow.task_states()
    task_state = states.get(call.state)
    if task_state is None:
        for state in flow.states():
            if state.name == call.state:
                raise NotATaskStateError(call.flow, call.state, asl_type(state), states)
        raise StateNotFoundError(call.flow, call.state, states)
    return task_state


def encode_result(result: Any) -> str:
    """The JSON text of a task's result, exactly as it must cross to Step Functions.

    Raises TypeError for anything JSON cannot carry (datetime, set, bytes, NaN, Infinity...):
    SendTaskSuccess only takes JSON text, so such a result fails the state in AWS too.
    """
    try:
        return json.dumps(result, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        where = _non_json_path(result, "$")
        at = f" at {where}" if where else ""
        raise TypeError(f"the task's result is not JSON{at}: {exc}") from exc


def _non_json_path(value: Any, path: str) -> str | None:
    """The JSONPath of the first value in `value` that JSON cannot carry (None if none)."""
    if value is None or isinstance(value, str | bool | int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else path
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _non_json_path(item, f"{path}[{index}]")
            if found:
                return found
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str | int | float | bool) and key is not None:
                return f"{path} (a key of type {type(key).__name__})"
            name = str(key)
            step = f".{name}" if name.isidentifier() else f"[{json.dumps(name)}]"
            found = _non_json_path(item, path + step)
            if found:
                return found
        return None
    return path


def execute(call: TaskCall) -> Any:
    """Run the task state named by `call` on the input its environment carries; return its result.

    The result comes back as Step Functions will see it: encoded to JSON text and decoded again
    (tuples become lists, non-string keys become strings). Raises what the task raises, TypeError
    when the result is not JSON, and FlowNotFoundError / StateNotFoundError for a bad call.
    """
    return json.loads(encode_result(run_task(call)))


def run_task(call: TaskCall) -> Any:
    """The task's result as its function returned it, before it crosses the JSON boundary (the
    local engine encodes it once itself). Raises as `execute` does, but never TypeError for the
    result."""
    return resolve(call).call(decode_input(call.env))
