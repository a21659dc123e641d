"""The exceptions of flowtasks: one root, a shallow tree, context on attributes.

::

    FlowtasksError          root of everything flowtasks raises on purpose (exit_code 1)
    ├── DefinitionError     a flow or an ASL definition is invalid; .problems lists every one
    ├── DomainLoadError     a domain's flows module cannot be imported; .domain, .module
    ├── FlowNotFoundError   no flow by that name; .name, .known (exit_code 2)
    ├── StateNotFoundError  no state by that name in a flow; .flow, .state, .known (exit_code 2)
    │   └── NotATaskStateError  the state exists but is not a Task state; .kind
    ├── UsageError          bad command-line arguments or input JSON (exit_code 2)
    └── TaskError           raised by a task handler to fail its state with .error / .cause

Any other exception raised by a task handler is turned into an ASL error at exactly one boundary
(`flowtasks.protocol.error_of`): Error = the exception's class name, Cause = its message.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass

__all__ = [
    "DefinitionError",
    "DomainLoadError",
    "FlowNotFoundError",
    "FlowtasksError",
    "NotATaskStateError",
    "Problem",
    "StateNotFoundError",
    "TaskError",
    "UsageError",
]


class FlowtasksError(Exception):
    """Root of every error flowtasks raises on purpose. `exit_code` is what the CLI exits with."""

    exit_code: int = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition, located by fields and rendered as text only when shown.

    `subject` is the flow (``demo.VendorIngest``) or ``definition``; `scope` the state machines
    the problem is nested in, outermost first (``("States.Fan", "ItemProcessor")``); `state` the
    state's name (None: the machine itself); `field` the part of the state or machine
    (``Retry[1]``, ``Choices[0].Next``, ``StartAt``); `source` the ``file.py:42`` of the Python
    definition when it comes from the DSL. `where` renders the location:
    ``demo.VendorIngest > States.Fan > ItemProcessor > States.Load > Retry[1]``.
    """

    subject: str
    message: str
    _: KW_ONLY
    scope: tuple[str, ...] = ()
    state: str | None = None
    field: str | None = None
    source: str | None = None
    severity: str = "error"  # "error" | "warning"

    @property
    def where(self) -> str:
        """The location as text: subject, scopes, ``States.<state>``, field, joined by ``>``."""
        parts = [self.subject, *self.scope]
        if self.state is not None:
            parts.append(f"States.{self.state}")
        if self.field:
            parts.append(self.field)
        return " > ".join(parts)

    def __lt__(self, other: Problem) -> bool:
        return (self.where, self.message, self.source or "") < (
            other.where,
            other.message,
            other.source or "",
        )

    def __str__(self) -> str:
        at = f" ({self.source})" if self.source else ""
        return f"{self.where}{at}: {self.message}"


class DefinitionError(FlowtasksError):
    """A flow or an ASL definition is invalid. Every problem found is in `problems`."""

    def __init__(self, problems: Iterable[Problem], subject: str = "definition") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.subject = subject
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{subject} is invalid ({count} {noun}):\n{lines}")


class DomainLoadError(FlowtasksError):
    """A domain's flows module could not be imported, or exports something inconsistent."""

    def __init__(self, domain: str, module: str, message: str) -> None:
        self.domain = domain
        self.module = module
        super().__init__(f"domain {domain!r} ({module}) cannot be loaded: {message}")


class FlowNotFoundError(FlowtasksError):
    """No flow (or domain) is registered under `name`."""

    exit_code = 2

    def __init__(self, name: str, known: Iterable[str] = ()) -> None:
        self.name = name
        self.known = tuple(sorted(known))
        hint = (
            f" Known flows: {', '.join(self.known)}." if self.known else " No flows are registered."
        )
        super().__init__(f"unknown flow {name!r}.{hint}")


class StateNotFoundError(FlowtasksError):
    """The flow has no state called `state`."""

    exit_code = 2

    def __init__(self, flow: str, state: str, known: Iterable[str] = ()) -> None:
        self.flow = flow
        self.state = state
        self.known = tuple(sorted(known))
        close = difflib.get_close_matches(state, self.known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        super().__init__(
            f"flow {flow!r} has no state {state!r}.{hint} "
            f"States: {', '.join(self.known) or '(none)'}."
        )


class NotATaskStateError(StateNotFoundError):
    """The flow has a state called `state`, but it is not a Task state (only those run code);
    `kind` is its ASL Type."""

    def __init__(self, flow: str, state: str, kind: str, tasks: Iterable[str] = ()) -> None:
        super().__init__(flow, state, tasks)
        self.kind = kind
        self.args = (
            f"{state!r} is a {kind} state, not a Task state; "
            f"Task states of {flow}: {', '.join(self.known) or '(none)'}.",
        )


class UsageError(FlowtasksError):
    """Bad command-line arguments or malformed input."""

    exit_code = 2


class TaskError(FlowtasksError):
    """Raise from a task to fail its state with exactly this ASL `error` name and `cause`.

    ``raise TaskError("Vendor.NotReady", "file not yet uploaded")`` can then be matched by
    ``Retry(errors=["Vendor.NotReady"])`` or a Catch.
    """

    def __init__(self, error: str, cause: str = "") -> None:
        self.error = error
        self.cause = cause
        super().__init__(f"{error}: {cause}" if cause else error)
