"""`FlowRun`: the result of a test run, with one-line questions and assertions about it.

Every answer comes from the execution history (what Step Functions would show), never from the
flow's Python objects. Failed assertions raise `FlowAssertionError` with the path taken, the
status, and the error and cause, so a failing test says what happened.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from flowtasks.history import StateRecord, read_history

__all__ = ["ChildExecution", "ExecutionLike", "FlowAssertionError", "FlowRun"]


class ExecutionLike(Protocol):
    """What a `FlowRun` reads of an execution (`flowtasks.local.Execution` is one)."""

    @property
    def status(self) -> str: ...
    @property
    def output(self) -> Any: ...
    @property
    def error(self) -> str | None: ...
    @property
    def cause(self) -> str | None: ...
    @property
    def history(self) -> list[dict[str, Any]]: ...
    @property
    def execution_arn(self) -> str: ...


@dataclass(frozen=True)
class ChildExecution:
    """A child execution of a Distributed Map, as the engine records it on its parent."""

    name: str
    status: str
    execution_arn: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    map_run_arn: str = ""
    input: Any = None
    children: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChildExecution:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})


_MISSING: Any = object()
_SHOWN = 300  # characters of a JSON value shown in a message


class FlowAssertionError(AssertionError):
    """An assertion about a flow run failed; the message describes the run."""


class FlowRun:
    """One finished execution of a flow (or any ASL definition) under test."""

    def __init__(
        self, execution: ExecutionLike, calls: Mapping[str, Sequence[Any]] | None = None
    ) -> None:
        self.execution = execution
        self._calls = {key: list(value) for key, value in (calls or {}).items()}
        self._record = read_history(execution.history)

    # -- what happened ---------------------------------------------------------------------

    @property
    def status(self) -> str:
        """``SUCCEEDED``, ``FAILED``, ``TIMED_OUT`` or ``ABORTED``."""
        return str(self.execution.status)

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    @property
    def failed(self) -> bool:
        return self.status == "FAILED"

    @property
    def output(self) -> Any:
        """The execution's output (None unless it succeeded)."""
        return self.execution.output

    @property
    def error(self) -> str | None:
        return self.execution.error

    @property
    def cause(self) -> str | None:
        return self.execution.cause

    @property
    def history(self) -> list[dict[str, Any]]:
        """The events, shaped as GetExecutionHistory returns them."""
        return list(self.execution.history)

    @property
    def children(self) -> list[FlowRun]:
        """The child executions of this run's Distributed Map states, in the order started.

        As in AWS, their states are not in this run's history: ask each child about its own.
        """
        raw: list[Mapping[str, Any]] = list(getattr(self.execution, "children", None) or [])
        return [FlowRun(ChildExecution.from_dict(child)) for child in raw]

    @property
    def path(self) -> list[str]:
        """Names of the states entered, in order (states inside Parallel/Map included)."""
        return [visit.name for visit in self._record.states]

    @property
    def event_types(self) -> list[str]:
        return [str(event.get("type")) for event in self.execution.history]

    @property
    def failed_state(self) -> str | None:
        """The state the run stopped in when it did not succeed (None if it succeeded)."""
        if self.succeeded:
            return None
        visit = self._record.failed_state()
        return visit.name if visit is not None else None

    def visits(self, state: str) -> int:
        """How many times `state` was entered."""
        return len(self._record.of(state))

    def state_input(self, state: str, visit: int = 0) -> Any:
        """The input `state` received on its `visit`-th entry (0: first, -1: last)."""
        return self._visit(state, visit).input

    def state_output(self, state: str, visit: int = 0) -> Any:
        """The output `state` produced on its `visit`-th entry (0: first, -1: last)."""
        found = self._visit(state, visit)
        if not found.exited:
            raise FlowAssertionError(
                f"state {state!r} was entered but produced no output (it failed or was "
                f"stopped)\n{self.describe()}"
            )
        return found.output

    def state_inputs(self, state: str) -> list[Any]:
        return [visit.input for visit in self._record.of(state)]

    def state_outputs(self, state: str) -> list[Any]:
        return [visit.output for visit in self._record.of(state) if visit.exited]

    def retries(self, state: str) -> int:
        """How many times `state` was retried, over all its visits (0: never)."""
        visits = self._visits_of(state)
        return sum(visit.retries for visit in visits)

    def attempt_errors(self, state: str) -> list[tuple[str, str]]:
        """The (error, cause) of each failed attempt of `state`, in order."""
        return [error for visit in self._visits_of(state) for error in visit.errors]

    def calls(self, mock: str) -> list[Any]:
        """The inputs the mock named `mock` was called with, in call order."""
        if mock not in self._calls:
            known = ", ".join(sorted(self._calls)) or "(none)"
            raise FlowAssertionError(f"no mock named {mock!r}; mocks: {known}")
        return list(self._calls[mock])

    # -- assertions ------------------------------------------------------------------------

    def assert_succeeded(self, output: Any = _MISSING) -> FlowRun:
        """Fail unless the run succeeded (and, if given, produced exactly `output`)."""
        if not self.succeeded:
            raise FlowAssertionError(f"expected the run to succeed\n{self.describe()}")
        if output is not _MISSING and self.output != output:
            raise FlowAssertionError(
                f"the run succeeded with another output\n  expected: {_show(output)}\n"
                f"  actual:   {_show(self.output)}\n{self.describe()}"
            )
        return self

    def assert_failed(self, error: str | None = None, cause: str | None = None) -> FlowRun:
        """Fail unless the run failed (with this `error` and `cause`, when given)."""
        if not self.failed:
            raise FlowAssertionError(f"expected the run to fail\n{self.describe()}")
        if error is not None and self.error != error:
            raise FlowAssertionError(
                f"the run failed with error {self.error!r}, not {error!r}\n{self.describe()}"
            )
        if cause is not None and self.cause != cause:
            raise FlowAssertionError(
                f"the run failed with cause {self.cause!r}, not {cause!r}\n{self.describe()}"
            )
        return self

    def assert_path(self, *states: str) -> FlowRun:
        """Fail unless the states entered were exactly `states`, in this order."""
        if list(states) != self.path:
            raise FlowAssertionError(
                f"the run took another path\n  expected: {' -> '.join(states)}\n"
                f"  actual:   {' -> '.join(self.path)}\n{self.describe()}"
            )
        return self

    def assert_visited(self, *states: str) -> FlowRun:
        """Fail unless `states` were all entered, in this order (others may come between)."""
        position = 0
        path = self.path
        for state in states:
            try:
                position = path.index(state, position) + 1
            except ValueError:
                raise FlowAssertionError(
                    f"expected the run to enter {' -> '.join(states)} in this order; "
                    f"{state!r} is missing after that point\n{self.describe()}"
                ) from None
        return self

    def assert_not_visited(self, *states: str) -> FlowRun:
        """Fail if any of `states` was entered."""
        names = {visit.name for visit in self._record.states}
        entered = [state for state in states if state in names]
        if entered:
            raise FlowAssertionError(
                f"expected the run not to enter {', '.join(entered)}\n{self.describe()}"
            )
        return self

    def assert_retries(self, state: str, count: int) -> FlowRun:
        """Fail unless `state` was retried exactly `count` times."""
        actual = self.retries(state)
        if actual != count:
            errors = "; ".join(f"{e}: {c}" for e, c in self.attempt_errors(state)) or "none"
            raise FlowAssertionError(
                f"state {state!r} was retried {actual} time(s), not {count} "
                f"(attempt errors: {errors})\n{self.describe()}"
            )
        return self

    # -- messages --------------------------------------------------------------------------

    def describe(self) -> str:
        """A few lines summing the run up: status, path, error and cause or output."""
        lines = [f"  status: {self.status}", f"  path:   {' -> '.join(self.path) or '(none)'}"]
        if self.succeeded:
            lines.append(f"  output: {_show(self.output)}")
        else:
            if self.failed_state:
                lines.append(f"  stopped in: {self.failed_state}")
            lines.append(f"  error:  {self.error}")
            lines.append(f"  cause:  {_clip(self.cause or '')}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<FlowRun {self.status} path={' -> '.join(self.path)}>"

    def _visits_of(self, state: str) -> list[StateRecord]:
        visits = self._record.of(state)
        if not visits:
            raise FlowAssertionError(f"state {state!r} never ran\n{self.describe()}")
        return visits

    def _visit(self, state: str, index: int) -> StateRecord:
        visits = self._visits_of(state)
        try:
            return visits[index]
        except IndexError:
            raise FlowAssertionError(
                f"state {state!r} ran {len(visits)} time(s); there is no visit {index}\n"
                f"{self.describe()}"
            ) from None


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return _clip(text)


def _clip(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."
