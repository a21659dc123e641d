"""Run one Task state of a registered flow from a `TaskCall`, as the container does."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from flowtasks.errors import NotATaskStateError, StateNotFoundError
from flowtasks.protocol import ENV_EXECUTION, TaskCall


class TaskState(Protocol):
    """What the runner needs of a flow's task state."""

    def call(self, payload: Any) -> Any:
        """Validate `payload`, run the task function, return its JSON-able result."""


__all__ = [
    "NotATaskStateError",
    "asl_type",
    "encode_result",
    "execute",
    "finish_result",
    "newest_first",
    "resolve",
    "run_task",
]

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


def finish_result(call: TaskCall, result: Any, store: Any) -> str:
    """The JSON text the runner reports for `result`: encoded (`encode_result`), with large
    parts offloaded to `store` under ``<flow>/<execution>/<state>/`` (`flowtasks.runner.offload`).
    """
    from flowtasks.runner.offload import INLINE_BYTES, key_prefix, offload

    text = encode_result(result)
    if store is None or len(text) <= INLINE_BYTES // 4:  # surely under the limit in bytes
        return text
    prefix = key_prefix(call.flow, call.env.get(ENV_EXECUTION, ""), call.state)
    return encode_result(offload(json.loads(text), store, prefix))


def execute(call: TaskCall, history: Iterable[Mapping[str, Any]] | None = None) -> Any:
    """Run the task state named by `call`; return its result as Step Functions sees it:
    encoded to JSON text and decoded again (tuples become lists, non-string keys become
    strings), large parts offloaded. Raises what the task raises, TypeError when the result is
    not JSON, and FlowNotFoundError / StateNotFoundError for a bad call."""
    return json.loads(encode_result(run_task(call, history)))


def run_task(call: TaskCall, history: Iterable[Mapping[str, Any]] | None = None) -> Any:
    """The task's result for the local engine (which encodes it once itself).

    The input comes from the call's environment or, when it carries none (the ECS form),
    from `history` (the execution's events, newest first), with offloaded references resolved
    (`flowtasks.runner.inputs`). A result that may pass `offload.INLINE_BYTES` is measured and,
    if it does, returned offloaded to the local store, as the container would report it.
    Raises as `execute` does (TypeError only for a large result that is not JSON).
    """
    from flowtasks.runner.inputs import local_store, task_input
    from flowtasks.runner.offload import INLINE_BYTES, key_prefix, offload

    task_state = resolve(call)
    found = task_input(call, task_state, history, local_store())
    result = task_state.call(found.value)
    if found.store is None or result is None or isinstance(result, (bool, int, float)):
        return result
    text = encode_result(result)  # measured once; small results go back as they are
    if len(text) <= INLINE_BYTES // 4 or len(text.encode("utf-8")) <= INLINE_BYTES:
        return result
    prefix = key_prefix(call.flow, call.env.get(ENV_EXECUTION, ""), call.state)
    return offload(json.loads(text), found.store, prefix)


def newest_first(events: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """`events` (oldest first, possibly growing) newest first, from a snapshot of its length."""
    for index in range(len(events) - 1, -1, -1):
        yield events[index]
