"""The execution history: events shaped as GetExecutionHistory returns them.

Each event is a plain dict ``{"id", "previousEventId", "timestamp", "type", "<x>EventDetails"}``
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html). The
details key follows AWS's naming: ``stateEnteredEventDetails`` for every ``*StateEntered``,
``stateExitedEventDetails`` for every ``*StateExited``, else the type with a lower-case first
letter (``taskFailedEventDetails``). ``previousEventId`` is the id of the event that came before
in the same branch or iteration, as in AWS. Timestamps are ISO 8601 UTC strings
(``2024-01-31T12:00:00.123Z``) so that a history is JSON as it is.

What the engine decides and AWS does not record (a retry and its delay, the catcher taken) is
kept in one clearly separate key of the event, ``"flowtasks"`` (`EXTRA_KEY`), documented and
read by `flowtasks.history`; every other key is exactly as AWS writes it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.limits import MAX_HISTORY_EVENTS

__all__ = ["EXTRA_KEY", "EventSink", "History", "details_key"]

EXTRA_KEY = "flowtasks"
"""The event key of the engine's own additions (`flowtasks.history.ENGINE_EXTRA` documents it)."""

EventSink = Callable[[dict[str, Any]], None]

_KEYS: dict[str, str] = {}


def details_key(event_type: str) -> str:
    """The key holding the details of an event of this type."""
    key = _KEYS.get(event_type)
    if key is None:
        if event_type.endswith("StateEntered"):
            key = "stateEnteredEventDetails"
        elif event_type.endswith("StateExited"):
            key = "stateExitedEventDetails"
        else:
            key = event_type[0].lower() + event_type[1:] + "EventDetails"
        _KEYS[event_type] = key
    return key


def iso(seconds: float) -> str:
    """ISO 8601 UTC text of an epoch time, millisecond precision, as AWS writes it
    (``2024-01-31T12:00:00.123Z``, the form of ``$$.Execution.StartTime``)."""
    moment = datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")
    return moment.removesuffix("+00:00") + "Z"


class History:
    """A thread-safe, append-only list of events; calls `on_event` for each one added."""

    def __init__(
        self,
        now: Callable[[], float],
        on_event: EventSink | None = None,
        events: list[dict[str, Any]] | None = None,
        limit: int | None = MAX_HISTORY_EVENTS,
    ) -> None:
        self.limit = limit
        self.events: list[dict[str, Any]] = events if events is not None else []
        self._now = now
        self._on_event = on_event
        self._lock = threading.Lock()
        self._last_second = -1
        self._last_prefix = ""

    def _timestamp(self) -> str:
        now = self._now()
        second = int(now)
        if second != self._last_second:
            self._last_prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._last_second = second
        millis = int((now - second) * 1000)
        return f"{self._last_prefix}.{millis:03d}Z"

    @property
    def last_id(self) -> int:
        """Id of the most recent event (0 when empty)."""
        return len(self.events)

    def add(
        self,
        event_type: str,
        previous: int,
        details: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> int:
        """Record one event after event `previous` (0: none); returns the new event's id."""
        event_id: int = self.add_event(event_type, previous, details, extra)["id"]
        return event_id

    def add_event(
        self,
        event_type: str,
        previous: int,
        details: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record one event after event `previous` (0: none); returns the event. `extra` is
        kept under `EXTRA_KEY` (what the engine decided, which AWS does not record)."""
        with self._lock:
            event_id = len(self.events) + 1
            if (
                self.limit is not None
                and event_id >= self.limit
                and not event_type.startswith("Execution")
            ):
                raise StatesFailure(
                    StatesErrorName.RUNTIME,
                    f"The execution reached the maximum number of history events "
                    f"({self.limit}); use a Distributed Map for large item sets.",
                )
            event: dict[str, Any] = {
                "id": event_id,
                "previousEventId": previous,
                "timestamp": self._timestamp(),
                "type": event_type,
            }
            if details is not None:
                event[details_key(event_type)] = details
            if extra is not None:
                event[EXTRA_KEY] = extra
            self.events.append(event)
        if self._on_event is not None:
            self._on_event(event)
        return event
