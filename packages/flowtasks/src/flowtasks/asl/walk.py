"""The one walk over an ASL definition: its state machines (top level, Parallel branches, Map
item processors) and every state at every depth, each with its location and query language.

Works on any ASL dict, valid or not: malformed parts (a non-object state, a missing ``States``)
are passed over rather than raising, so tools can walk what they are given. `machines` does
yield a nested machine that is not an object (its `Machine.spec` is then not a Mapping), so the
validator can say so. Locations read like ``demo.Flow > States.Fan > ItemProcessor``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Machine",
    "StateAt",
    "children",
    "in_order",
    "iter_states",
    "machines",
    "nested",
    "walk",
]


def nested(state: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(field, machine)`` of each state machine nested in `state`: a Parallel's
    ``Branches[i]``, a Map's ``ItemProcessor`` (or its older name, ``Iterator``); the machines
    may be malformed. Empty for every other state."""
    kind = state.get("Type")
    if kind == "Parallel":
        branches = state.get("Branches")
        if not isinstance(branches, list):
            return []
        return [(f"Branches[{index}]", branch) for index, branch in enumerate(branches)]
    if kind == "Map":
        field = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
        return [(field, state[field])] if field in state else []
    return []


def children(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The well-formed (object) state machines nested in `state` (see `nested`)."""
    return [machine for _, machine in nested(state) if isinstance(machine, Mapping)]


@dataclass(frozen=True)
class Machine:
    """One state machine of a definition. `spec` is its object (``StartAt``, ``States``), or
    whatever stands in its place when malformed; `subject` and `scope` its location (the
    definition's name, then the steps down to it: ``("States.Fan", "ItemProcessor")``), `where`
    the same as text; `language` the query
    language its states inherit; `owner` the Parallel / Map state it belongs to (None at the top
    level) and `parent` the machine of that state; `distributed` whether it is a Distributed
    Map's item processor (its iterations are child executions: a scope of their own); `kind`
    what it is: ``"root"`` (the top level), ``"branch"`` (a Parallel's) or ``"processor"`` (a
    Map's ``ItemProcessor`` or ``Iterator``)."""

    spec: Any
    subject: str
    scope: tuple[str, ...]
    language: str
    owner: str | None = None
    parent: Machine | None = None
    distributed: bool = False
    kind: str = "root"

    @property
    def where(self) -> str:
        """The machine's location as text (`flowtasks.errors.Problem` renders it alike)."""
        return " > ".join([self.subject, *self.scope])

    def states(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """``(name, state)`` of this machine's own states that are objects, in order."""
        states = self.spec.get("States") if isinstance(self.spec, Mapping) else None
        if isinstance(states, Mapping):
            for name, state in states.items():
                if isinstance(state, Mapping):
                    yield str(name), state


@dataclass(frozen=True)
class StateAt:
    """One state, found in `machine`: its `name`, its object (`spec`), its location `where`
    (``... > States.<name>``) and its effective query `language`."""

    name: str
    spec: Mapping[str, Any]
    machine: Machine

    @property
    def where(self) -> str:
        return f"{self.machine.where} > States.{self.name}"

    @property
    def language(self) -> str:
        return str(self.spec.get("QueryLanguage", self.machine.language))


def machines(definition: Mapping[str, Any], where: str = "definition") -> Iterator[Machine]:
    """Every state machine of `definition`, depth first: the top level, then each state's
    nested machines (right after that state's machine, in state order)."""
    for found in in_order(definition, where):
        if isinstance(found, Machine):
            yield found


def in_order(
    definition: Mapping[str, Any], where: str = "definition"
) -> Iterator[Machine | StateAt]:
    """Every machine and every state (an object) of `definition` in document order: a machine,
    then each of its states, each followed at once by the machines nested in it (and theirs)."""
    yield from _in_order(Machine(definition, where, (), _language(definition, "JSONPath")))


def _in_order(machine: Machine) -> Iterator[Machine | StateAt]:
    yield machine
    for name, state in machine.states():
        at = StateAt(name, state, machine)
        yield at
        kind = "branch" if state.get("Type") == "Parallel" else "processor"
        for field, spec in nested(state):
            config = spec.get("ProcessorConfig") if isinstance(spec, Mapping) else None
            distributed = isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED"
            scope = (*machine.scope, f"States.{name}", field)
            inner_language = _language(spec, at.language)
            yield from _in_order(
                Machine(
                    spec, machine.subject, scope, inner_language, name, machine, distributed, kind
                )
            )


def _language(spec: Any, inherited: str) -> str:
    """A machine's query language: its own ``QueryLanguage`` (AWS takes one on the top level and
    on a Parallel branch), else the one it inherits."""
    own = spec.get("QueryLanguage") if isinstance(spec, Mapping) else None
    return own if isinstance(own, str) else inherited


def walk(definition: Mapping[str, Any], where: str = "definition") -> Iterator[StateAt]:
    """Every state (an object) of `definition` at every depth, machine by machine."""
    for machine in machines(definition, where):
        for name, state in machine.states():
            yield StateAt(name, state, machine)


def iter_states(machine: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every ``(name, state)`` of `machine`, depth first: each state, then its nested ones."""
    for found in in_order(machine):
        if isinstance(found, StateAt):
            yield found.name, found.spec
