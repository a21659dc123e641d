"""The interpreter loop: run the states of one scope (a machine, a branch, an iteration).

`Runtime` holds what one execution shares (history, clock, handlers, context, redrive data);
`Scope` is one thread of states inside it (its history lane, its cancellation, its redrive key).
`run_scope` moves from state to state until an end, a failure (`StatesFailure`) or a
cancellation (`Cancelled`, when a sibling branch failed or the execution timed out).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.local.clock import Clock, RealClock
from flowtasks.local.history import History
from flowtasks.local.limits import checked_json, checked_output

if TYPE_CHECKING:
    from flowtasks.local.graph import Graph

__all__ = ["CancelToken", "Cancelled", "ExecutionTimedOut", "Runtime", "Scope", "run_scope"]

Handler = Callable[[Any], Any]


class Cancelled(Exception):
    """The scope was stopped from outside (a sibling failed, or the execution ended)."""


class ExecutionTimedOut(Exception):
    """The execution ran past its TimeoutSeconds."""


class CancelToken:
    """A cancellation flag that also cancels every token derived from it."""

    def __init__(self, parent: CancelToken | None = None) -> None:
        self.event = threading.Event()
        self._children: list[CancelToken] = []
        self._lock = threading.Lock()
        if parent is not None:
            parent._adopt(self)

    def _adopt(self, child: CancelToken) -> None:
        with self._lock:
            self._children.append(child)
            cancelled = self.event.is_set()
        if cancelled:
            child.cancel()

    def child(self) -> CancelToken:
        return CancelToken(self)

    def cancel(self) -> None:
        self.event.set()
        with self._lock:
            children = list(self._children)
        for child in children:
            child.cancel()

    @property
    def cancelled(self) -> bool:
        return self.event.is_set()


@dataclass
class Redrive:
    """Where each scope failed and what already succeeded, kept to redrive an execution.

    ``resume[scope_key] = {"state": name, "input": value}``; ``done[state_key] = {index: output}``
    for the branches/iterations of a Parallel or Map state that succeeded before it failed.
    """

    resume: dict[str, dict[str, Any]] = field(default_factory=dict)
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set_resume(
        self, key: str, state: str, value: Any, variables: Mapping[str, Any] | None = None
    ) -> None:
        """Where scope `key` stopped: the state, its input and the scope's variables (if any)."""
        entry: dict[str, Any] = {"state": state, "input": value}
        if variables:
            entry["variables"] = dict(variables)
        with self.lock:
            self.resume[key] = entry

    def take_resume(self, key: str) -> dict[str, Any] | None:
        with self.lock:
            return self.resume.pop(key, None)

    def set_done(self, key: str, outputs: Mapping[int, Any]) -> None:
        with self.lock:
            self.done[key] = {str(i): v for i, v in outputs.items()}

    def take_done(self, key: str) -> dict[int, Any]:
        with self.lock:
            done = self.done.pop(key, None) or {}
        return {int(i): v for i, v in done.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"resume": dict(self.resume), "done": dict(self.done)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Redrive:
        data = data or {}
        return cls(resume=dict(data.get("resume") or {}), done=dict(data.get("done") or {}))


@dataclass
class Runtime:
    """What one execution's states share."""

    history: History
    clock: Clock
    handlers: Mapping[str, Handler]
    skip_waits: bool
    execution: dict[str, Any]
    machine: dict[str, Any]
    state_machine_name: str
    deadline: float | None = None
    root: CancelToken = field(default_factory=CancelToken)
    previous: Redrive | None = None
    record: Redrive = field(default_factory=Redrive)
    children: list[Any] = field(default_factory=list)
    children_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    timed_out: bool = False

    def now(self) -> float:
        return self.clock.now()

    def check_deadline(self) -> None:
        if self.deadline is not None and self.clock.now() >= self.deadline:
            self.timed_out = True
            self.root.cancel()
            raise ExecutionTimedOut

    def sleep(self, seconds: float, cancel: CancelToken) -> None:
        """Wait `seconds` (never past the execution's deadline; waking early if cancelled).

        With ``skip_waits`` the clock is a `SkippedWaits`: time moves on without blocking.
        """
        if seconds <= 0:
            return
        hits_deadline = False
        if self.deadline is not None:
            left = max(self.deadline - self.clock.now(), 0.0)
            if seconds >= left:
                seconds, hits_deadline = left, True
        if isinstance(self.clock, RealClock):
            cancel.event.wait(seconds)
        else:
            self.clock.sleep(seconds)
        if cancel.cancelled:
            raise Cancelled
        if hits_deadline:
            self.timed_out = True
            self.root.cancel()
            raise ExecutionTimedOut

    def handler_for(self, state: str, resource: str) -> Handler | None:
        return self.handlers.get(state) or self.handlers.get(resource)


@dataclass
class Scope:
    """One thread of states: its redrive key, history lane and cancellation."""

    key: str
    previous_event: int
    cancel: CancelToken
    variables: dict[str, Any] = field(default_factory=dict)
    """Workflow variables (``Assign``) visible here: a branch or iteration starts with a copy of
    its parent's, and its own assignments stay inside it."""
    sizes: dict[str, int] = field(default_factory=dict)
    """Size in bytes (UTF-8 JSON) of each variable (`flowtasks.local.variables` limits)."""
    stored: int = 0
    """The sum of `sizes`."""
    assigned: dict[str, str] | None = None
    """What the state being run assigned (name -> JSON text), for its StateExited event."""
    decision: dict[str, Any] | None = None
    """A retry or catch decision of the state being run whose failure had no event of its own:
    the state's next event carries it (`take_decision`)."""

    def take_decision(self) -> dict[str, Any] | None:
        """The pending decision as an event's extra (``{"decision": ...}``), or None; clears it."""
        decision, self.decision = self.decision, None
        return None if decision is None else {"decision": decision}

    def inner(self, key: str, previous_event: int, cancel: CancelToken) -> Scope:
        """A branch / iteration scope nested in this one."""
        if not self.variables:
            return Scope(key, previous_event, cancel)
        return Scope(
            key, previous_event, cancel, dict(self.variables), dict(self.sizes), self.stored
        )


_PREFIX = "An error occurred while executing the state"


def run_scope(rt: Runtime, graph: Graph, value: Any, scope: Scope) -> Any:
    """Run `graph` from its start (or, when redriving, from where this scope failed)."""
    name = graph.start_at
    if rt.previous is not None:
        resume = rt.previous.take_resume(scope.key)
        if resume is not None:
            name, value = resume["state"], resume["input"]
            if resume.get("variables"):
                from flowtasks.local.variables import assign_variables

                assign_variables(scope, resume["variables"], name)
                scope.assigned = None
    states = graph.states
    history = rt.history
    cancel = scope.cancel
    scope_entered = 0
    known: Any = None  # the last output serialised, and its text: the next state's input
    known_text = ""
    while True:
        if cancel.event.is_set():
            raise Cancelled
        if rt.deadline is not None:
            rt.check_deadline()
        state = states[name]
        try:
            text = known_text if value is known else checked_json(value, "input of state", name)
            event = history.add_event(
                state.entered, scope.previous_event, {"name": name, "input": text}
            )
            scope.previous_event = scope_entered = event["id"]
            output, following = state.execute(rt, scope, value, event["timestamp"])
            if state.exited is not None:
                known_text = checked_output(output, name)
                known = output
                details: dict[str, Any] = {"name": name, "output": known_text}
                if scope.assigned is not None:
                    details["assignedVariables"] = scope.assigned
                    details["assignedVariablesDetails"] = {"truncated": False}
                    scope.assigned = None
                extra = None if scope.decision is None else scope.take_decision()
                exited = history.add_event(state.exited, scope.previous_event, details, extra)
                scope.previous_event = exited["id"]
        except StatesFailure as failure:
            scope.decision = None
            rt.record.set_resume(scope.key, name, value, scope.variables)
            # AWS prefixes the cause of both with the state and the event that entered it.
            prefixed = (StatesErrorName.RUNTIME, StatesErrorName.QUERY_EVALUATION_ERROR)
            if failure.error in prefixed and not (failure.cause or "").startswith(_PREFIX):
                raise StatesFailure(
                    failure.error,
                    f"{_PREFIX} '{name}' (entered at the event id #{scope_entered}). "
                    f"{failure.cause}",
                ) from failure
            raise
        except (Cancelled, ExecutionTimedOut):
            rt.record.set_resume(scope.key, name, value, scope.variables)
            raise
        if following is None:
            return output
        name = following
        value = output
