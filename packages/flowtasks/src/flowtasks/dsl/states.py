"""The flow-control states: Pass, Wait, Succeed, Fail, Choice, Parallel.

Field names are the ASL ones in snake case (``result_path`` is ``ResultPath``). A data-flow field
left at `UNSET` is left out of the ASL, so AWS's default applies (``"$"`` for the paths);
``None`` is JSON ``null`` (for ``input_path``/``output_path``: ``{}``; for ``result_path``: the
state's result is discarded and its input passed on).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from flowtasks.dsl._source import caller_source
from flowtasks.dsl._unset import UNSET, Unset
from flowtasks.dsl.chain import Chain, Chainable, State, as_chain, catches, retries
from flowtasks.dsl.conditions import Condition
from flowtasks.dsl.retry import Catch, Retry

_DATAFLOW = (
    ("input_path", "InputPath"),
    ("parameters", "Parameters"),
    ("result_selector", "ResultSelector"),
    ("result_path", "ResultPath"),
    ("output_path", "OutputPath"),
)


def dataflow_fields(state: State) -> dict[str, Any]:
    """The data-flow fields `state` sets, by ASL name."""
    out: dict[str, Any] = {}
    for attr, key in _DATAFLOW:
        value = getattr(state, attr, UNSET)
        if value is not UNSET:
            out[key] = value
    return out


@dataclass(frozen=True)
class Pass(State):
    """Passes its input on, optionally reshaped by `parameters` or replaced by a fixed `result`."""

    result: Any = UNSET
    input_path: str | Unset | None = UNSET
    parameters: Any = UNSET
    result_path: str | Unset | None = UNSET
    output_path: str | Unset | None = UNSET

    def asl_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"Type": "Pass"}
        if self.result is not UNSET:
            fields["Result"] = self.result
        return fields | dataflow_fields(self)


@dataclass(frozen=True)
class Wait(State):
    """Waits a number of `seconds`, until a `timestamp`, or either read from the input.

    Give exactly one of ``seconds``, ``timestamp`` (RFC 3339, e.g. ``"2026-01-01T00:00:00Z"``),
    ``seconds_path``, ``timestamp_path``.
    """

    seconds: int | None = None
    timestamp: str | None = None
    seconds_path: str | None = None
    timestamp_path: str | None = None
    input_path: str | Unset | None = UNSET
    output_path: str | Unset | None = UNSET

    def given(self) -> dict[str, Any]:
        """The timing fields given, by ASL name."""
        pairs = {
            "Seconds": self.seconds,
            "Timestamp": self.timestamp,
            "SecondsPath": self.seconds_path,
            "TimestampPath": self.timestamp_path,
        }
        return {k: v for k, v in pairs.items() if v is not None}

    def asl_fields(self) -> dict[str, Any]:
        return {"Type": "Wait"} | self.given() | dataflow_fields(self)


@dataclass(frozen=True)
class Succeed(State):
    """Ends the flow (or its branch/iteration) successfully."""

    input_path: str | Unset | None = UNSET
    output_path: str | Unset | None = UNSET

    @property
    def terminal(self) -> bool:
        return True

    def asl_fields(self) -> dict[str, Any]:
        return {"Type": "Succeed"} | dataflow_fields(self)


@dataclass(frozen=True)
class Fail(State):
    """Fails the flow with an `error` name and a human `cause` (or both read from the input)."""

    error: str | None = None
    cause: str | None = None
    error_path: str | None = None
    cause_path: str | None = None

    @property
    def terminal(self) -> bool:
        return True

    def asl_fields(self) -> dict[str, Any]:
        pairs = {
            "Error": self.error,
            "Cause": self.cause,
            "ErrorPath": self.error_path,
            "CausePath": self.cause_path,
        }
        return {"Type": "Fail"} | {k: v for k, v in pairs.items() if v is not None}


@dataclass(frozen=True)
class Choice(State):
    """Branches on the input: the first rule whose condition holds wins, else the default.

    ``Choice("Route").when(Var("$.n").numeric_greater_than(0), big).otherwise(small)``.
    Branch chains that do not end the flow continue after the Choice (``choice >> next``);
    a Choice without `otherwise` that is followed by a state continues there when no rule
    matches; a final Choice without `otherwise` fails with ``States.NoChoiceMatched`` then.
    """

    rules: tuple[tuple[Condition, Chain], ...] = ()
    default: Chain | None = None
    input_path: str | Unset | None = UNSET
    output_path: str | Unset | None = UNSET
    rule_sources: tuple[str, ...] = field(default=(), compare=False, repr=False)
    """``file:line`` of each ``.when(...)`` call, so a bad rule is reported where it is written."""

    def when(self, condition: Condition, then: Chainable | str) -> Choice:
        """A copy with one more rule: when `condition` holds continue with `then`."""
        return replace(
            self,
            rules=(*self.rules, (condition, as_chain(then))),
            rule_sources=(*self.rule_sources, caller_source()),
            source=self.source,
        )

    def otherwise(self, then: Chainable | str) -> Choice:
        """A copy whose ``Default`` is `then`."""
        return replace(self, default=as_chain(then), source=self.source)

    def chains(self) -> tuple[Chain, ...]:
        default = (self.default,) if self.default is not None else ()
        return tuple(chain for _, chain in self.rules) + default

    def asl_fields(self) -> dict[str, Any]:
        return {"Type": "Choice"} | dataflow_fields(self)


@dataclass(frozen=True)
class Parallel(State):
    """Runs every branch on the same input; its result is the list of the branches' outputs."""

    branches: Sequence[Chainable] = ()
    input_path: str | Unset | None = UNSET
    parameters: Any = UNSET
    result_selector: Any = UNSET
    result_path: str | Unset | None = UNSET
    output_path: str | Unset | None = UNSET
    retry: Retry | Sequence[Retry] | None = None
    catch: Catch | Sequence[Catch] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "branches", tuple(as_chain(b) for b in self.branches))
        object.__setattr__(self, "retry", retries(self.retry))
        object.__setattr__(self, "catch", catches(self.catch))

    def scopes(self) -> tuple[Chain, ...]:
        return tuple(as_chain(b) for b in self.branches)

    def asl_fields(self) -> dict[str, Any]:
        return {"Type": "Parallel"} | dataflow_fields(self)
