"""Time for the engine: a real clock, and a fake one for tests that never sleeps.

The engine reads time only through a `Clock`: `now()` (seconds since the epoch, float) and
`sleep(seconds)`. Tests inject `FakeClock`, whose `sleep` records the duration and advances
`now()`, so retry intervals, Wait states and timeouts are checked exactly and instantly.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FakeClock", "RealClock"]


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

    `sleeps` lists every duration passed to `sleep`, in call order (thread-safe).
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
