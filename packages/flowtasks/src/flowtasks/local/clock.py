"""Time for the engine: a real clock, a fake one for tests, and one that skips waits.

The engine reads time only through a `Clock`: `now()` (seconds since the epoch, float) and
`sleep(seconds)`. Every Wait state and retry interval is a `sleep`; the execution's
TimeoutSeconds, Wait ``Timestamp`` comparisons, history timestamps and ``$$.State.EnteredTime``
all read `now()`. So a clock whose `sleep` moves `now()` forward without blocking makes an
execution behave as if the time had passed, only faster:

- `FakeClock` (tests): starts at a fixed time, `sleep` records the duration and advances `now()`;
- `SkippedWaits` (what ``run(..., skip_waits=True)`` and ``flow-task run --skip-waits`` use):
  real time plus the seconds skipped so far, so a Wait of 5 s under an execution TimeoutSeconds
  of 1 times out as it would in AWS, instantly.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FakeClock", "RealClock", "SkippedWaits"]


@runtime_checkable
class Clock(Protocol):
    """What the engine needs from time."""

    def now(self) -> float:
        """Seconds since the Unix epoch."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block for `seconds` (or pretend to)."""
        ...


class RealClock:
    """The wall clock; `sleep` really sleeps."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock that starts at `start` and only moves when slept or advanced.

    `sleeps` lists every duration passed to `sleep`, in call order (thread-safe). Time is one
    for all threads: waits slept at once by parallel branches add up (`SkippedWaits` does not).
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        """Move time forward without recording a sleep."""
        with self._lock:
            self._now += seconds


class SkippedWaits:
    """`inner`'s time plus the waits skipped so far: `sleep` never blocks, it moves `now()`.

    The skipped seconds are counted per lane (thread) of states, as in a real execution where
    parallel branches wait at the same time: `flowtasks.local.fanout` starts each Parallel branch
    or Map iteration at the caller's time (`offset`) and, when they are all done, moves the
    caller to the latest of them (`set_offset`). A Map iteration run after another on the same
    worker starts when that one ended, as with MaxConcurrency.
    """

    def __init__(self, inner: Clock) -> None:
        self.inner = inner
        self._lane = threading.local()

    def offset(self) -> float:
        """Seconds skipped so far in the calling thread's lane."""
        skipped: float = getattr(self._lane, "offset", 0.0)
        return skipped

    def set_offset(self, seconds: float) -> None:
        self._lane.offset = seconds

    def now(self) -> float:
        return self.inner.now() + getattr(self._lane, "offset", 0.0)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._lane.offset = self.offset() + seconds
