"""Our Task states' Resource and Parameters, per `flowtasks.protocol`.

ECS (default) runs the domain's container on Fargate with ``runTask.waitForTaskToken``; Lambda
invokes the domain's function with ``lambda:invoke.waitForTaskToken``. Both carry the command
``flow-task state <domain.Flow> <State>``, the task token and the execution's ARN. The Lambda
payload also carries the input (or the task's own parameters as ``FLOWTASKS_PARAM_<key>``);
the ECS overrides (8 KiB at most) do not: the runner evaluates `input_parameters` itself on
the input recorded in the execution's history. Deployment values are ``${...}`` placeholders.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Iterator
from typing import Any

from flowtasks.dsl._typed import signature_problem
from flowtasks.dsl._unset import UNSET
from flowtasks.dsl.task import TaskState
from flowtasks.protocol import (
    COMMAND,
    ECS_RESOURCE,
    ENV_EXECUTION,
    ENV_INPUT,
    ENV_PARAM_PREFIX,
    ENV_TASK_TOKEN,
    LAMBDA_RESOURCE,
)

# Our Task resource (see flowtasks.protocol). Deployment values are ``${...}``
# DefinitionSubstitutions that the deploy layer fills in.
SUBSTITUTIONS = {
    "cluster": "${ClusterArn}",
    "task_definition": "${TaskDefinitionArn}",
    "subnets": ("${SubnetA}", "${SubnetB}"),
    "security_group": "${SecurityGroupId}",
    "container": "${ContainerName}",
    "function": "${FunctionArn}",
}
_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def task_resource(
    state: TaskState[Any, Any], qualified: str
) -> tuple[str, dict[str, Any], list[tuple[str, str]]]:
    """(Resource, Parameters, problems) of our Task `state` in flow `qualified`."""
    command = [*COMMAND, qualified, state.name]
    env: list[tuple[str, str, bool]] = [
        (ENV_TASK_TOKEN, "$$.Task.Token", True),
        (ENV_EXECUTION, "$$.Execution.Id", True),
    ]
    problems: list[tuple[str, str]] = []
    inputs = list(_input_env(state, problems))
    problems.extend(_function_problems(state))
    if state.compute == "lambda":
        problems.extend(_lambda_size_problems(state))
        payload_env = {name + (".$" if ref else ""): value for name, value, ref in env + inputs}
        return (
            LAMBDA_RESOURCE,
            {
                "FunctionName": SUBSTITUTIONS["function"],
                "Payload": {"command": command, "environment": payload_env},
            },
            problems,
        )
    container: dict[str, Any] = {
        "Name": SUBSTITUTIONS["container"],
        "Command": command,
        "Environment": [{"Name": n, ("Value.$" if ref else "Value"): v} for n, v, ref in env],
    }
    overrides: dict[str, Any] = {"ContainerOverrides": [container]}
    if state.cpu is not None:
        overrides["Cpu"] = str(state.cpu)
    if state.memory is not None:
        overrides["Memory"] = str(state.memory)
    parameters = {
        "Cluster": SUBSTITUTIONS["cluster"],
        "TaskDefinition": SUBSTITUTIONS["task_definition"],
        "LaunchType": "FARGATE",
        "NetworkConfiguration": {
            "AwsvpcConfiguration": {
                "Subnets": list(SUBSTITUTIONS["subnets"]),
                "SecurityGroups": [SUBSTITUTIONS["security_group"]],
                "AssignPublicIp": "DISABLED",
            }
        },
        "Overrides": overrides,
    }
    return ECS_RESOURCE, parameters, problems


def input_parameters(state: TaskState[Any, Any]) -> dict[str, str]:
    """The template (Parameters syntax) of the variables that carry `state`'s input:
    ``{"FLOWTASKS_INPUT.$": "States.JsonToString($)"}``, or one ``FLOWTASKS_PARAM_<key>`` per
    top-level key of the task's own parameters. Evaluated on the state's effective input (after
    InputPath) it gives the variables; `flowtasks.protocol.decode_input` turns them into the
    task's input. Raises ValueError for parameters that do not compile."""
    problems: list[tuple[str, str]] = []
    env = list(_input_env(state, problems))
    if problems:
        raise ValueError("; ".join(f"{where}: {message}" for where, message in problems))
    return {name + (".$" if ref else ""): value for name, value, ref in env}


def _input_env(
    state: TaskState[Any, Any], problems: list[tuple[str, str]]
) -> Iterator[tuple[str, str, bool]]:
    if state.parameters is UNSET:
        yield ENV_INPUT, "States.JsonToString($)", True
    else:
        yield from _param_env(state.parameters, problems)


def _param_env(parameters: Any, problems: list[tuple[str, str]]) -> Iterator[tuple[str, str, bool]]:
    """(env name, value, is a reference) per top-level key of a task's `parameters`."""
    if not isinstance(parameters, dict):
        problems.append(("Parameters", "a task's parameters must be a dict of top-level keys"))
        return
    for key in sorted(parameters):
        value = parameters[key]
        ref = isinstance(key, str) and key.endswith(".$")
        name = key[:-2] if ref else key
        if not isinstance(name, str) or not _ENV_KEY.match(name):
            problems.append(
                (
                    f"Parameters.{key}",
                    f"key {key!r} must be a valid environment name ([A-Za-z_][A-Za-z0-9_]*): "
                    "each top-level key becomes FLOWTASKS_PARAM_<key>",
                )
            )
            continue
        if ref:
            if not isinstance(value, str):
                problems.append((f"Parameters.{key}", "a '.$' key takes a JSONPath or intrinsic"))
                continue
            yield ENV_PARAM_PREFIX + name, f"States.JsonToString({value})", True
        elif _has_reference(value):
            problems.append(
                (
                    f"Parameters.{key}",
                    "only top-level keys of a task's parameters may use '.$' references: move "
                    f"the reference to its own top-level key (e.g. '{key}_x.$') or build the "
                    "object in a Pass state before the task",
                )
            )
        else:
            constant = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
            yield ENV_PARAM_PREFIX + name, constant, False


def _lambda_size_problems(state: TaskState[Any, Any]) -> Iterator[tuple[str, str]]:
    """`cpu` / `memory` size an ECS task: a Lambda task has nowhere to put them."""
    for name in ("cpu", "memory"):
        value = getattr(state, name)
        if value is not None:
            yield (
                name,
                f"{name}={value} sizes an ECS task, but compute='lambda' runs the task in the "
                f"domain's Lambda function, which has no per-task size: drop {name}=, or use "
                "compute='ecs'",
            )


def _has_reference(value: Any) -> bool:
    if isinstance(value, dict):
        return any(
            (isinstance(k, str) and k.endswith(".$")) or _has_reference(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_has_reference(v) for v in value)
    return False


def _function_problems(state: TaskState[Any, Any]) -> Iterator[tuple[str, str]]:
    """Problems that stop the container from importing and calling the task function."""
    function = state.function
    module = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", "")
    advice = "define it with def at the top level of a module of the domain package"
    if module in (None, "__main__"):
        yield (
            "function",
            f"function {qualname!r} lives in __main__, which the container cannot import; {advice}",
        )
        return
    if "<lambda>" in qualname or "<locals>" in qualname:
        yield (
            "function",
            f"function {module}.{qualname} is a lambda or a closure, not importable by name; "
            + advice,
        )
        return
    target: Any = sys.modules.get(module) or _import(module)
    for part in qualname.split("."):
        target = getattr(target, part, None)
    resolved = getattr(target, "function", target)
    if resolved is not function:
        yield "function", f"{module}.{qualname} does not resolve to the task function; {advice}"
    problem = signature_problem(function)
    if problem is not None:
        yield "function", problem


def _import(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None
