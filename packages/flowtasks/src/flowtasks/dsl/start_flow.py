"""`StartFlow`: a Task state that starts another flow (of this or another domain).

``StartFlow("RunReport", daily_report)`` starts the flow and waits for it
(``arn:aws:states:::states:startExecution.sync:2``): the state's result is the child
execution as DescribeExecution gives it, with its ``Output`` parsed (``$.Output``). With
``wait=False`` it starts the flow and goes on (``states:startExecution``); the result is
``{"ExecutionArn", "StartDate"}``. A failed child fails the state with ``States.TaskFailed``
(its Cause is the child's description as JSON, with the child's own Error and Cause).

The target is a ``${...}`` DefinitionSubstitution (`flow_placeholder`) that the deploy layer
fills with the target flow's alias ARN; the local engine runs the target flow's compiled ASL
in-process as a child execution (`flowtasks.local.child_flows`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flowtasks.dsl._unset import UNSET, Unset
from flowtasks.dsl.chain import State, catches, retries
from flowtasks.dsl.retry import Catch, Retry
from flowtasks.dsl.states import dataflow_fields

if TYPE_CHECKING:
    from flowtasks.dsl.flow import Flow

__all__ = [
    "START_EXECUTION",
    "START_EXECUTION_SYNC",
    "StartFlow",
    "flow_placeholder",
    "placeholder_flows",
]

START_EXECUTION_SYNC = "arn:aws:states:::states:startExecution.sync:2"
"""Start a state machine and wait for it; its output arrives parsed (``:2``)."""
START_EXECUTION = "arn:aws:states:::states:startExecution"
"""Start a state machine and go on (fire and forget)."""

_QUALIFIED = re.compile(r"^[a-z][a-z0-9_]*\.[A-Za-z0-9_-]{1,80}$")
_PLACEHOLDER = re.compile(r"^StartFlow_[A-Za-z0-9_]+$")


def flow_placeholder(qualified: str) -> str:
    """The DefinitionSubstitution name standing for flow `qualified`'s ARN (without ``${}``)."""
    return "StartFlow_" + re.sub(r"[^A-Za-z0-9]", "_", qualified)


def placeholder_flows(names: Sequence[str], known: Sequence[str]) -> dict[str, str]:
    """placeholder name -> qualified flow, for each StartFlow placeholder in `names` that one of
    the `known` qualified flow names gives (others are left out)."""
    by_placeholder = {flow_placeholder(q): q for q in known}
    return {n: by_placeholder[n] for n in names if _PLACEHOLDER.match(n) and n in by_placeholder}


@dataclass(frozen=True)
class StartFlow(State):
    """Start `flow` (a `Flow` of this domain, or ``"domain.Flow"``) and, by default, wait.

    - ``input``: the child's input template (ASL Parameters syntax, ``"key.$"`` references);
      default: this state's input.
    - ``wait``: True waits for the child (``startExecution.sync:2``); False starts it only.
    - ``timeout_seconds``, ``heartbeat_seconds``, ``retry``, ``catch``, and the data-flow
      paths as on a task.
    """

    flow: Flow | str = ""
    wait: bool = True
    input: Any = UNSET
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None
    retry: Retry | Sequence[Retry] | None = None
    catch: Catch | Sequence[Catch] | None = None
    input_path: str | Unset | None = UNSET
    result_selector: Any = UNSET
    result_path: str | Unset | None = UNSET
    output_path: str | Unset | None = UNSET

    def __post_init__(self) -> None:
        from flowtasks.dsl.flow import Flow

        super().__post_init__()
        target = self.flow
        if not isinstance(target, Flow) and not (
            isinstance(target, str) and _QUALIFIED.match(target)
        ):
            raise TypeError(
                f"StartFlow {self.name!r}: flow must be a Flow or 'domain.Flow', not {target!r}"
            )
        object.__setattr__(self, "retry", retries(self.retry))
        object.__setattr__(self, "catch", catches(self.catch))

    def target(self, domain: str) -> str:
        """The qualified name of the flow started, from a flow of `domain`."""
        from flowtasks.dsl.flow import Flow

        return f"{domain}.{self.flow.name}" if isinstance(self.flow, Flow) else str(self.flow)

    def asl_fields(self) -> dict[str, Any]:
        """The Task fields; ``Parameters.StateMachineArn`` is set by `parameters_for`."""
        fields: dict[str, Any] = {
            "Type": "Task",
            "Resource": START_EXECUTION_SYNC if self.wait else START_EXECUTION,
        }
        if self.timeout_seconds is not None:
            fields["TimeoutSeconds"] = self.timeout_seconds
        if self.heartbeat_seconds is not None:
            fields["HeartbeatSeconds"] = self.heartbeat_seconds
        return fields | dataflow_fields(self)

    def parameters_for(self, domain: str) -> dict[str, Any]:
        """The state's Parameters in a flow of `domain`."""
        parameters: dict[str, Any] = {
            "StateMachineArn": "${" + flow_placeholder(self.target(domain)) + "}"
        }
        if self.input is UNSET:
            parameters["Input.$"] = "$"
        else:
            parameters["Input"] = self.input
        return parameters
