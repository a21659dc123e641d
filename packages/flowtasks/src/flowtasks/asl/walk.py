"""Walking an ASL definition: the nested state machines of a state, every state at every depth.

Works on any ASL dict, valid or not: malformed parts (a non-object state, a missing ``States``)
are passed over rather than raising, so tools can walk what they are given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["children", "iter_states"]


def children(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The state machines nested in `state`: a Parallel's Branches, a Map's ItemProcessor
    (or its older name, Iterator). Empty for every other state."""
    kind = state.get("Type")
    if kind == "Parallel":
        return [b for b in state.get("Branches") or () if isinstance(b, Mapping)]
    if kind == "Map":
        processor = state.get("ItemProcessor") or state.get("Iterator")
        return [processor] if isinstance(processor, Mapping) else []
    return []


def iter_states(machine: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every ``(name, state)`` of `machine`, depth first: each state, then its nested ones."""
    states = machine.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        yield str(name), state
        for child in children(state):
            yield from iter_states(child)
