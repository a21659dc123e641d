"""Retry and Catch rules: exception classes or ASL error names, AWS defaults beside each field.

Field defaults follow the ASL specification
(https://states-language.net/spec.html#retrying-after-error) and "Handling errors in Step
Functions workflows" in the AWS developer guide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from flowtasks.asl.states_errors import StatesErrorName
from flowtasks.dsl._source import caller_source
from flowtasks.dsl._unset import UNSET, Unset

if TYPE_CHECKING:
    from flowtasks.dsl.chain import Chain, Goto, State

ErrorSpec = type[BaseException] | str
"""An exception class (compiled to its class name, as `flowtasks.protocol.error_of` names it)
or an ASL error name: ``"States.Timeout"``, or a `TaskError` name like ``"Vendor.NotReady"``."""

ALL = StatesErrorName.ALL


def error_name(spec: ErrorSpec) -> str:
    """The ASL error name that `spec` matches."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, type) and issubclass(spec, BaseException):
        return spec.__name__
    raise TypeError(f"an error must be an exception class or an ASL error name, not {spec!r}")


def _names(errors: Sequence[ErrorSpec] | ErrorSpec) -> tuple[str, ...]:
    if isinstance(errors, str | type):
        errors = [errors]
    return tuple(error_name(e) for e in errors)


@dataclass(frozen=True, init=False)
class Retry:
    """One Retrier: retry the state when its error matches `errors`.

    - ``errors``: exception classes or ASL error names (``ErrorEquals``); ``"States.ALL"`` matches
      everything except States.Runtime/DataLimitExceeded and must stand alone.
    - ``interval_seconds=1``: seconds before the first retry (AWS default 1).
    - ``max_attempts=3``: retries after the first attempt (AWS default 3; 0 never retries).
    - ``backoff_rate=2.0``: multiplier of the interval after each attempt (AWS default 2.0, >= 1.0).
    - ``max_delay_seconds=None``: cap on the interval (AWS default: no cap).
    - ``jitter=None``: ``"FULL"`` randomises each interval in [0, interval]; None is AWS's "NONE".
    """

    errors: tuple[str, ...]
    interval_seconds: int
    max_attempts: int
    backoff_rate: float
    max_delay_seconds: int | None
    jitter: Literal["FULL", "NONE"] | None
    source: str = field(compare=False, repr=False)

    def __init__(
        self,
        errors: Sequence[ErrorSpec] | ErrorSpec,
        *,
        interval_seconds: int = 1,
        max_attempts: int = 3,
        backoff_rate: float = 2.0,
        max_delay_seconds: int | None = None,
        jitter: Literal["FULL", "NONE"] | None = None,
    ) -> None:
        object.__setattr__(self, "errors", _names(errors))
        object.__setattr__(self, "interval_seconds", interval_seconds)
        object.__setattr__(self, "max_attempts", max_attempts)
        object.__setattr__(self, "backoff_rate", backoff_rate)
        object.__setattr__(self, "max_delay_seconds", max_delay_seconds)
        object.__setattr__(self, "jitter", jitter)
        object.__setattr__(self, "source", caller_source())


@dataclass(frozen=True, init=False)
class Catch:
    """One Catcher: on an error matching `errors`, continue at `next`.

    - ``errors``: exception classes or ASL error names (``ErrorEquals``); ``"States.ALL"`` last.
    - ``next``: a state or chain placed as the error handler (its open end ends the flow), a
      `Goto` or a state name to jump to an existing state.
    - ``result_path``: where the error output ``{"Error", "Cause"}`` goes in the state's input;
      left out it is AWS's default ``"$"`` (the error output replaces the input); ``None`` discards
      it and passes the original input on.
    """

    errors: tuple[str, ...]
    next: State | Chain | Goto | str
    result_path: str | Unset | None
    source: str = field(compare=False, repr=False)

    def __init__(
        self,
        errors: Sequence[ErrorSpec] | ErrorSpec,
        next: State | Chain | Goto | str,
        *,
        result_path: str | Unset | None = UNSET,
    ) -> None:
        object.__setattr__(self, "errors", _names(errors))
        object.__setattr__(self, "next", next)
        object.__setattr__(self, "result_path", result_path)
        object.__setattr__(self, "source", caller_source())
