"""Heartbeats while a task runs: a daemon thread calls ``SendTaskHeartbeat`` well inside
the state's ``HeartbeatSeconds``.

The first heartbeat goes out as the task starts (the container's start-up already used part of
the budget: ``HeartbeatSeconds`` must exceed the time from ``TaskScheduled`` to the runner's
start, image pull and Fargate provisioning included). Then one every third of
``HeartbeatSeconds`` (at least `MIN_INTERVAL`), so two can be lost or delayed before Step
Functions times the state out. The thread stops when the
task reports (`Reporter.done`), when the token turns stale, or on `stop`.
"""

from __future__ import annotations

import threading
from typing import Any

from flowtasks.runner.report import Outcome, Reporter

__all__ = ["MIN_INTERVAL", "Heartbeat", "interval_for"]

MIN_INTERVAL = 0.2
"""Seconds; the shortest interval between heartbeats."""


def interval_for(heartbeat_seconds: float) -> float:
    """Seconds between heartbeats for a state with this ``HeartbeatSeconds``."""
    return max(MIN_INTERVAL, heartbeat_seconds / 3)


class Heartbeat:
    """``with Heartbeat(reporter, heartbeat_seconds, log):`` beats while the block runs."""

    def __init__(self, reporter: Reporter, heartbeat_seconds: float | None, log: Any) -> None:
        self._reporter = reporter
        self._interval = None if heartbeat_seconds is None else interval_for(heartbeat_seconds)
        self._log = log
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0

    def __enter__(self) -> Heartbeat:
        if self._interval is not None:
            self._thread = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop beating (waits for a heartbeat in flight)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def _beat(self) -> None:
        assert self._interval is not None
        wait = 0.0  # the first heartbeat at once: start-up already used part of the budget
        while not self._stop.wait(wait):
            wait = self._interval
            if self._reporter.done:
                return
            outcome = self._reporter.heartbeat()
            if outcome is Outcome.REPORTED:
                self.sent += 1
            elif outcome is Outcome.STALE:
                return  # the state timed out or already reported: nothing left to keep alive
