"""How a Task state hands its input to our container and gets its result back.

Shared by the compiler (which writes it into ASL), the runner (which reads it inside the container)
and the local engine (which simulates the container in-process). No dependencies: it sits below
every layer.

A compiled Task of ours runs ``flow-task state <domain.Flow> <State>`` with these environment
variables on its container (ECS) or in its payload (Lambda):

- ``FLOWTASKS_TASK_TOKEN``: ``$$.Task.Token``; the runner reports with SendTaskSuccess/Failure.
- ``FLOWTASKS_EXECUTION``: ``$$.Execution.Id``, the execution's ARN (names the offloaded
  payloads; locates the task's input in the execution's history).
- ``FLOWTASKS_INPUT``: the state's effective input as a JSON string (``States.JsonToString($)``).
- ``FLOWTASKS_PARAM_<key>``: instead of FLOWTASKS_INPUT when the task has its own Parameters: one
  variable per top-level key, each a JSON string; the runner rebuilds the object from them.

ECS container overrides are capped at 8 KiB in total, so the ECS form carries only the token and
the execution: the runner reads the state's input from ``GetExecutionHistory`` (the
``TaskScheduled`` event that holds its token, back to that attempt's ``TaskStateEntered``) and
evaluates the input variables itself (`flowtasks.runner.history_input`). Lambda payloads (up to
256 KiB) carry the input variables directly.

ECS (default compute), Resource `ECS_RESOURCE`, Parameters::

    {"Cluster": ..., "TaskDefinition": ..., "LaunchType": "FARGATE", ...,
     "Overrides": {"ContainerOverrides": [{
         "Name": ...,
         "Command": ["flow-task", "state", FLOW, STATE],
         "Environment": [{"Name": ENV_..., "Value.$": ...}, ...]}]}}

Lambda (``compute="lambda"``), Resource `LAMBDA_RESOURCE`, Parameters::

    {"FunctionName": ..., "Payload": {"command": ["flow-task", "state", FLOW, STATE],
                                      "environment": {ENV_... + ".$": ..., ...}}}

`task_call_of` recognises either shape once Parameters are evaluated (the local engine uses it to
run our tasks in-process exactly as the container would).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowtasks.errors import TaskError
from flowtasks.limits import MAX_TASK_CAUSE_LENGTH, MAX_TASK_ERROR_LENGTH

ENV_INPUT = "FLOWTASKS_INPUT"
ENV_TASK_TOKEN = "FLOWTASKS_TASK_TOKEN"
ENV_PARAM_PREFIX = "FLOWTASKS_PARAM_"
ENV_EXECUTION = "FLOWTASKS_EXECUTION"
"""The execution's ARN (``$$.Execution.Id``)."""
ENV_ARTIFACT_BUCKET = "FLOWTASKS_ARTIFACT_BUCKET"
"""The S3 bucket of offloaded payloads (set on the task definition and the Lambda function)."""
ENV_ARTIFACT_DIR = "FLOWTASKS_ARTIFACT_DIR"
"""Local runs: a folder that stands in for S3 (``<dir>/<bucket>/<key>``)."""
COMMAND = ("flow-task", "state")

ERROR_TERMINATED = "FlowTasks.Terminated"
"""The runner got SIGTERM (ECS stopping the task, Fargate Spot reclaiming it): retry it."""
ERROR_CONTAINER_STOPPED = "FlowTasks.ContainerStopped"
"""The container stopped without reporting (out of memory, image pull failure, a native crash):
sent by the ECS STOPPED-event reporter with ECS's stopped reason as the cause."""
ERROR_INPUT_UNAVAILABLE = "FlowTasks.InputUnavailable"
"""The runner could not find the task's input (in its environment or the execution history)."""
RETRYABLE_ERRORS = (ERROR_TERMINATED, ERROR_CONTAINER_STOPPED)
"""Errors worth a ``Retry``: the task never finished, through no fault of its code."""

ECS_RESOURCE = "arn:aws:states:::ecs:runTask.waitForTaskToken"
LAMBDA_RESOURCE = "arn:aws:states:::lambda:invoke.waitForTaskToken"


@dataclass(frozen=True)
class TaskCall:
    """One invocation of our container: which flow and state to run, with which environment."""

    flow: str
    state: str
    env: dict[str, str]


def carries_input(env: Mapping[str, str]) -> bool:
    """True when `env` holds the task's input (``FLOWTASKS_INPUT`` or ``FLOWTASKS_PARAM_*``)."""
    return ENV_INPUT in env or any(key.startswith(ENV_PARAM_PREFIX) for key in env)


def decode_input(env: Mapping[str, str]) -> Any:
    """The task input carried by `env` (container environment or Lambda payload)."""
    raw = env.get(ENV_INPUT)
    if raw is not None:
        return json.loads(raw)
    params = {
        key[len(ENV_PARAM_PREFIX) :]: json.loads(value)
        for key, value in sorted(env.items())
        if key.startswith(ENV_PARAM_PREFIX)
    }
    return params


def task_call_of(resource: str, parameters: Any) -> TaskCall | None:
    """The `TaskCall` that a Task with this Resource and *evaluated* Parameters makes, if ours.

    Returns None for any Task that does not run ``flow-task state`` (someone else's Lambda,
    an SDK integration...).
    """
    if not isinstance(parameters, dict):
        return None
    command: Any = None
    env: dict[str, str] = {}
    if resource == ECS_RESOURCE:
        overrides = parameters.get("Overrides")
        containers = overrides.get("ContainerOverrides") if isinstance(overrides, dict) else None
        if not (isinstance(containers, list) and containers and isinstance(containers[0], dict)):
            return None
        command = containers[0].get("Command")
        for item in containers[0].get("Environment") or []:
            if isinstance(item, dict) and isinstance(item.get("Name"), str):
                env[item["Name"]] = str(item.get("Value", ""))
    elif resource == LAMBDA_RESOURCE:
        payload = parameters.get("Payload")
        if not isinstance(payload, dict):
            return None
        command = payload.get("command")
        raw_env = payload.get("environment")
        if isinstance(raw_env, dict):
            env = {str(k): str(v) for k, v in raw_env.items()}
    else:
        return None
    if (
        isinstance(command, list)
        and len(command) == 4
        and tuple(command[:2]) == COMMAND
        and all(isinstance(part, str) for part in command)
    ):
        return TaskCall(flow=command[2], state=command[3], env=env)
    return None


def error_of(exc: BaseException) -> tuple[str, str]:
    """The ASL (Error, Cause) pair for an exception raised by a task handler.

    `TaskError` keeps its own names; any other exception gives its class name and message.
    This is the one boundary where Python exceptions become ASL errors.
    """
    if isinstance(exc, TaskError):
        error, cause = exc.error, exc.cause
    else:
        error, cause = type(exc).__name__, str(exc)
    return error[:MAX_TASK_ERROR_LENGTH], cause[:MAX_TASK_CAUSE_LENGTH]
