"""The building blocks every state shares: `State`, `Chain` (``a >> b``) and `Goto`.

A chain is an immutable sequence of states read top to bottom: each state continues at the next
one; the chain's open end continues wherever the chain is placed (the state after a Choice, the
end of a branch, the end of the flow). ``>>`` never changes its operands, it returns a new chain.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Self, TypeVar, Union

from flowtasks.dsl._source import caller_source
from flowtasks.dsl.retry import Catch, Retry

Chainable = Union["State", "Chain", "Goto"]
"""Anything that can stand in a chain: a state, a chain, or a jump to an existing state."""

T = TypeVar("T")


@dataclass(frozen=True)
class State:
    """One node of a flow. `name` is the ASL state name (unique in the whole flow, <= 80 chars)."""

    name: str
    _: KW_ONLY
    comment: str | None = None
    source: str = field(default="", compare=False, repr=False)
    """``file.py:line`` where the state was defined (filled in automatically)."""

    def __post_init__(self) -> None:
        if not self.source:
            object.__setattr__(self, "source", caller_source())

    def __rshift__(self, other: Chainable) -> Chain:
        return Chain((self,), caller_source()) >> other

    def with_(self, **changes: Any) -> Self:
        """A copy with `changes` applied: ``fetch.with_(name="FetchAgain")`` uses a task twice."""
        return dataclasses.replace(self, source=caller_source(), **changes)

    @property
    def terminal(self) -> bool:
        """True for states that end the flow by themselves (Succeed, Fail)."""
        return False

    def chains(self) -> tuple[Chain, ...]:
        """Chains placed in the same scope as this state (Choice rules, Catch handlers)."""
        return tuple(as_chain(c.next) for c in getattr(self, "catch", ()))

    def scopes(self) -> tuple[Chain, ...]:
        """Chains that form their own state machine (Parallel branches, Map iterators)."""
        return ()

    def asl_fields(self) -> dict[str, Any]:
        """This state's own ASL fields (``Type`` and its options); the compiler adds the
        transitions (Next / End), Retry and Catch. Every state type defines it."""
        raise NotImplementedError(f"{type(self).__name__} does not define its ASL fields")


@dataclass(frozen=True)
class Goto:
    """A jump to the state named `target` (a state object or its name), e.g. to loop back.

    It ends a chain: ``wait >> Goto(check)``. The target must be in the same scope (the flow's
    top level, or the same Parallel branch / Map iterator).
    """

    target: str
    source: str = field(default="", compare=False, repr=False)

    def __init__(self, target: State | str) -> None:
        object.__setattr__(self, "target", target.name if isinstance(target, State) else target)
        object.__setattr__(self, "source", caller_source())


@dataclass(frozen=True)
class Chain:
    """An immutable sequence of states (and at most a final `Goto`), built with ``>>``."""

    nodes: tuple[State | Goto, ...]
    source: str = field(default="", compare=False, repr=False)

    def __rshift__(self, other: Chainable) -> Chain:
        return Chain(self.nodes + as_chain(other).nodes, self.source or caller_source())

    def states(self) -> tuple[State, ...]:
        """The states of this chain, in order (jumps left out)."""
        return tuple(n for n in self.nodes if isinstance(n, State))


def as_chain(value: Chainable | str) -> Chain:
    """`value` as a chain; a string is a `Goto` to the state of that name."""
    if isinstance(value, Chain):
        return value
    if isinstance(value, State | Goto):
        return Chain((value,), value.source)
    if isinstance(value, str):
        return Chain((Goto(value),), caller_source())
    raise TypeError(f"expected a state, a chain or a Goto, not {value!r}")


def as_tuple(value: T | Sequence[T] | None, kind: type[T]) -> tuple[T, ...]:
    """One rule, a sequence of rules, or None as a tuple."""
    if value is None:
        return ()
    if isinstance(value, kind):
        return (value,)
    items = tuple(value)  # type: ignore[arg-type]
    for item in items:
        if not isinstance(item, kind):
            raise TypeError(f"expected {kind.__name__} objects, got {item!r}")
    return items


def retries(value: Retry | Sequence[Retry] | None) -> tuple[Retry, ...]:
    """Normalise a ``retry=`` argument."""
    return as_tuple(value, Retry)


def catches(value: Catch | Sequence[Catch] | None) -> tuple[Catch, ...]:
    """Normalise a ``catch=`` argument."""
    return as_tuple(value, Catch)
