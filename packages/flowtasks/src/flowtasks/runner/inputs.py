"""A task's input as the runner receives it: from its environment or from the execution's
history, with offloaded references resolved. Shared by the container, the Lambda handler and
the engine's in-process runs, so all three read the input the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowtasks.protocol import (
    ENV_EXECUTION,
    ENV_TASK_TOKEN,
    TaskCall,
    carries_input,
    decode_input,
)

__all__ = ["TaskInput", "local_artifacts", "local_input", "local_store", "task_input"]


@dataclass(frozen=True)
class TaskInput:
    """The input a task is called with, and what was learnt finding it."""

    value: Any
    attempt: int | None  # 1 for the first attempt; None when unknown (input in the env)
    store: Any  # the artifact store (offload.Store) or None


def local_artifacts() -> Path:
    """The default artifact folder of local runs: ``.flowtasks/artifacts`` beside the saved
    runs (the repository's ``.flowtasks/``, see `flowtasks.runs.runs_dir`)."""
    from flowtasks.runs import runs_dir

    return runs_dir().parent / "artifacts"


def local_store() -> Any:
    """The store of local runs: the configured one, else `local_artifacts`."""
    from flowtasks.runner.offload import store_from_env

    return store_from_env(local=local_artifacts())


def task_input(
    call: TaskCall,
    task_state: Any,
    history: Iterable[Mapping[str, Any]] | None,
    store: Any,
) -> TaskInput:
    """The input of `call`: its input variables if the environment carries them, else those
    evaluated on the input recorded in `history` (events newest first), references resolved.
    `task_state` is the call's resolved task state (None: resolved here when needed).

    Raises `flowtasks.runner.history_input.InputNotFound` when neither holds it,
    `flowtasks.runner.offload.OffloadError` for a reference that cannot be read.
    """
    from flowtasks.runner.history_input import InputNotFound
    from flowtasks.runner.offload import REF_KEY, resolve

    env = dict(call.env)
    attempt = None
    if not carries_input(env):
        if history is None:
            raise InputNotFound(
                "the environment carries no input (FLOWTASKS_INPUT / FLOWTASKS_PARAM_*) and "
                "there is no execution history to read it from"
            )
        found_env, attempt = _from_history(call, task_state, history)
        env.update(found_env)
    value = decode_input(env)
    if any(REF_KEY in text for text in env.values()):
        value = resolve(value, store)
    return TaskInput(value, attempt, store)


def _from_history(
    call: TaskCall, task_state: Any, history: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, str], int]:
    from flowtasks.asl.task_resource import input_parameters
    from flowtasks.asl.walk import iter_states
    from flowtasks.registry import compiled_definition
    from flowtasks.runner.execute import resolve
    from flowtasks.runner.history_input import InputNotFound, find_input, input_env

    if task_state is None:
        task_state = resolve(call)
    arn = call.env.get(ENV_EXECUTION, "")
    token = call.env.get(ENV_TASK_TOKEN, "")
    if not arn or not token:
        raise InputNotFound(
            f"the environment carries no input, and no {ENV_EXECUTION} / {ENV_TASK_TOKEN} "
            "to find it in the execution's history"
        )
    spec: Mapping[str, Any] = next(
        (s for name, s in iter_states(compiled_definition(call.flow)) if name == call.state), {}
    )
    parameters = input_parameters(task_state)
    need_start = any("$$.Execution" in value for value in parameters.values())
    found = find_input(history, token, arn, need_start=need_start)
    return input_env(found, call.state, spec, parameters, token), found.retry_count + 1


def local_input(call: TaskCall) -> Any:
    """The input of our task `call` inside a local run, as the container would read it: from
    the environment, else from the running execution's history (the engine's events on this
    thread), references resolved. Outside a run only the environment can carry it."""
    from flowtasks.local.state_task import current_events
    from flowtasks.runner.execute import newest_first

    events = current_events()
    history = None if events is None else newest_first(events)
    return task_input(call, None, history, local_store()).value
