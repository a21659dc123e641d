"""Flows that start flows: run a ``states:startExecution`` Task's target in-process.

A Task whose Resource is ``arn:aws:states:::states:startExecution`` (start and go on),
``...startExecution.sync`` or ``...startExecution.sync:2`` (start and wait), and that no handler
replaces, runs the target flow's compiled ASL with this engine as a child execution: same clock,
same handlers (mocks apply by state name in the child too), its record kept in
`Execution.children` (``{"kind": "startExecution", "state", "name", "execution_arn",
"state_machine_arn", "status", "input", "output", "error", "cause", "history"}``).

The target is the ``StateMachineArn`` parameter: a `flowtasks.dsl.start_flow.flow_placeholder`
``${StartFlow_...}`` of a registered flow (what `StartFlow` compiles to), or a local state
machine ARN whose name is a registered ``domain.Flow``. Anything else fails as AWS does, with
``StepFunctions.StateMachineDoesNotExistException``.

What the parent sees, as recorded against AWS (LocalStack's test_callback snapshots):
TaskSubmitted with ``{"ExecutionArn", "StartDate"}``, then for ``.sync:2`` TaskSucceeded with the
child's description and its ``Input`` / ``Output`` parsed (``.sync``: JSON text), or TaskFailed
with ``States.TaskFailed`` and the description (with the child's Error and Cause) as the Cause.
Dates are epoch milliseconds. Not reproduced: the SdkHttpMetadata of the AWS response. A
fire-and-forget child runs to its end before the parent goes on (in-process there is no
background), but the parent only receives the ExecutionArn and StartDate.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.local.limits import dumps

if TYPE_CHECKING:
    from flowtasks.local.engine import Runtime, Scope
    from flowtasks.local.state_task import TaskEvents

__all__ = ["RESOURCES", "handles", "start_child"]

_PREFIX = "arn:aws:states:::states:"
RESOURCES = (
    _PREFIX + "startExecution",
    _PREFIX + "startExecution.sync",
    _PREFIX + "startExecution.sync:2",
)
_PLACEHOLDER = re.compile(r"^\$\{(?P<name>[^}]+)\}$")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def handles(resource: str) -> bool:
    """True for the startExecution resources this module runs."""
    return resource in RESOURCES


def _target(arn: Any) -> tuple[str, dict[str, Any]]:
    """(qualified flow name, its compiled ASL) that `arn` stands for."""
    from flowtasks.dsl.start_flow import placeholder_flows
    from flowtasks.registry import compiled_definition, load_all

    text = arn if isinstance(arn, str) else json.dumps(arn)
    flows, _ = load_all()
    match = _PLACEHOLDER.match(text)
    qualified: str | None = None
    if match:
        qualified = placeholder_flows([match["name"]], list(flows)).get(match["name"])
    elif ":stateMachine:" in text:
        name = text.split(":stateMachine:", 1)[1].split(":", 1)[0]
        qualified = name if name in flows else None
    if qualified is None:
        raise StatesFailure(
            "StepFunctions.StateMachineDoesNotExistException",
            f"State Machine Does Not Exist: '{text}' (locally: no registered flow has this "
            "StartFlow placeholder or name; known flows: "
            f"{', '.join(flows) or '(none)'})",
        )
    return qualified, compiled_definition(qualified)


def _child_input(params: dict[str, Any]) -> Any:
    raw = params.get("Input")
    if raw is None:
        return {}
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            raise StatesFailure(
                "StepFunctions.InvalidExecutionInputException",
                f"Invalid State Machine Execution Input: {raw[:200]!r} is not JSON",
            ) from None
    return raw


def _millis(seconds: float) -> int:
    return int(seconds * 1000)


def start_child(
    rt: Runtime, scope: Scope, state: str, events: TaskEvents, params: Any
) -> tuple[Any, str]:
    """Run the child execution that Task `state` starts; return (result, result JSON text).

    Records TaskSubmitted in the parent's history; raises `StatesFailure` as AWS fails the task.
    """
    from flowtasks.local.context import execution_arn, state_machine_arn
    from flowtasks.local.start import run

    if not isinstance(params, dict) or "StateMachineArn" not in params:
        raise StatesFailure(
            StatesErrorName.RUNTIME,
            f"Task state {state!r}: startExecution needs a StateMachineArn parameter.",
        )
    qualified, definition = _target(params["StateMachineArn"])
    value = _child_input(params)
    name = params.get("Name")
    if name is None:
        name = str(uuid.uuid4())
    elif not isinstance(name, str) or not _NAME.match(name):
        raise StatesFailure(
            "StepFunctions.InvalidNameException", f"Invalid Name: {str(name)[:100]!r}"
        )
    machine = qualified.split(".", 1)[1]
    child_arn = execution_arn(machine, name)
    started = _millis(rt.now())
    submitted = {"ExecutionArn": child_arn, "StartDate": started}
    scope.previous_event = rt.history.add(
        "TaskSubmitted",
        scope.previous_event,
        {
            **(events.where() or {}),
            "output": dumps(submitted),
            "outputDetails": {"truncated": False},
        },
    )
    child = run(
        definition,
        value,
        rt.handlers,
        rt.skip_waits,
        clock=rt.clock,
        name=name,
        state_machine_name=machine,
    )
    record = {
        "kind": "startExecution",
        "state": state,
        "flow": qualified,
        "name": name,
        "execution_arn": child.execution_arn,
        "state_machine_arn": state_machine_arn(machine),
        "status": child.status,
        "input": child.input,
        "output": child.output,
        "error": child.error,
        "cause": child.cause,
        "history": child.history,
    }
    with rt.children_lock:
        rt.children.append(record)
    if events.resource_name == "startExecution":
        return submitted, dumps(submitted)
    parsed = events.resource_name.endswith(":2")
    described: dict[str, Any] = {
        "ExecutionArn": child.execution_arn,
        "Input": child.input if parsed else dumps(child.input),
        "InputDetails": {"Included": True},
        "Name": name,
        "StartDate": started,
        "StateMachineArn": state_machine_arn(machine),
        "Status": child.status,
        "StopDate": _millis(rt.now()),
    }
    if child.status == "SUCCEEDED":
        described["Output"] = child.output if parsed else dumps(child.output)
        described["OutputDetails"] = {"Included": True}
        return described, dumps(described)
    described["Error"] = child.error or ""
    if child.cause:
        described["Cause"] = child.cause
    raise StatesFailure(StatesErrorName.TASK_FAILED, dumps(described))
