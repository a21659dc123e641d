"""`Flow`: a named chain of states that compiles to one state machine."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from flowtasks.dsl._source import caller_source
from flowtasks.dsl.chain import Chain, Chainable, State, as_chain
from flowtasks.dsl.task import TaskState
from flowtasks.dsl.triggers import Trigger, check_triggers


@dataclass(frozen=True, init=False)
class Flow:
    """One workflow: ``Flow("VendorIngest", list_files >> validate >> load, description=...)``.

    - ``name``: the state machine's name within its domain (letters, digits, ``-``, ``_``).
    - ``definition``: the chain of states, top to bottom; its open end ends the flow.
    - ``description``: becomes the ASL ``Comment``.
    - ``timeout_seconds``: the execution's ``TimeoutSeconds`` (None: AWS's limit, one year).
    - ``type``: ``"STANDARD"`` (default) or ``"EXPRESS"`` (at most 5 minutes).
    - ``triggers``: what starts the flow in AWS (`flowtasks.dsl.triggers`: ``Schedule``,
      ``S3ObjectCreated``, ``OnSuccess``, ``Manual``); TypeError / ValueError for a value that
      is not a trigger or a repeated trigger name.
    """

    name: str
    definition: Chain
    description: str
    timeout_seconds: int | None
    type: Literal["STANDARD", "EXPRESS"]
    triggers: tuple[Trigger, ...]
    source: str = field(compare=False, repr=False)

    def __init__(
        self,
        name: str,
        definition: Chainable,
        *,
        description: str = "",
        timeout_seconds: int | None = None,
        type: Literal["STANDARD", "EXPRESS"] = "STANDARD",
        triggers: Sequence[Trigger] = (),
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "definition", as_chain(definition))
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "timeout_seconds", timeout_seconds)
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "triggers", tuple(triggers))
        check_triggers(name, self.triggers)
        object.__setattr__(self, "source", caller_source())

    def states(self) -> Iterator[State]:
        """Every state of the flow, depth first in definition order (nested ones included)."""
        seen: set[int] = set()
        yield from _walk(self.definition, seen)

    def task_states(self) -> Mapping[str, TaskState[Any, Any]]:
        """State name -> Task state, including those inside branches and iterators."""
        out: dict[str, TaskState[Any, Any]] = {}
        for state in self.states():
            if isinstance(state, TaskState):
                out.setdefault(state.name, state)
        return out


def _walk(chain: Chain, seen: set[int]) -> Iterator[State]:
    for state in chain.states():
        if id(state) in seen:
            continue
        seen.add(id(state))
        yield state
        for sub in (*state.chains(), *state.scopes()):
            yield from _walk(sub, seen)
