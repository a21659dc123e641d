"""Read an execution history (GetExecutionHistory-shaped events) the way a test asks about it.

Everything here is derived from the events alone, never from the flow's Python objects: which
states ran and in what order, what each one received and produced, how many times a Task was
attempted, and which errors its attempts failed with. Event payloads (``input``, ``output``) are
JSON text, as in AWS; they are decoded here.

Events are attributed to states by following ``previousEventId``, which links each event to the
one before it in the same branch or Map iteration
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ATTEMPT_EVENTS", "FAILURE_EVENTS", "HistoryView", "StateVisit"]

ATTEMPT_EVENTS = frozenset(
    {
        "TaskScheduled",
        "LambdaFunctionScheduled",
        "ActivityScheduled",
        "ParallelStateStarted",
        "MapStateStarted",
    }
)
"""Events that start one attempt of a state (a retry of a Task schedules it again; a retried
Parallel or Map starts again)."""

_CONTAINER_STARTS = frozenset({"ParallelStateStarted", "MapStateStarted"})

FAILURE_EVENTS = frozenset(
    {
        "TaskFailed",
        "TaskTimedOut",
        "TaskSubmitFailed",
        "TaskStartFailed",
        "LambdaFunctionFailed",
        "LambdaFunctionTimedOut",
        "LambdaFunctionStartFailed",
        "LambdaFunctionScheduleFailed",
        "ActivityFailed",
        "ActivityTimedOut",
        "ActivityScheduleFailed",
    }
)
"""Events that end one attempt of a Task state with an error."""


def _decode(text: Any) -> Any:
    """History payloads are JSON text; anything else is returned as is."""
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            return value
    return {}


@dataclass
class StateVisit:
    """One time a state was entered: its input, its output (None until it exits) and attempts."""

    name: str
    type: str
    entered_id: int
    input: Any
    output: Any = None
    exited: bool = False
    attempts: int = 0
    errors: list[tuple[str, str]] | None = None

    @property
    def retries(self) -> int:
        """Attempts beyond the first (0 when the state was never retried)."""
        return max(self.attempts - 1, 0)


class HistoryView:
    """The states of one execution, in the order they were entered."""

    def __init__(self, events: Sequence[Mapping[str, Any]]) -> None:
        self.events = list(events)
        self.visits: list[StateVisit] = []
        owner: dict[int, StateVisit | None] = {}
        for event in self.events:
            event_id = int(event.get("id", 0))
            kind = str(event.get("type", ""))
            details = _details(event)
            visit: StateVisit | None
            if kind.endswith("StateEntered"):
                visit = StateVisit(
                    name=str(details.get("name")),
                    type=kind[: -len("StateEntered")],
                    entered_id=event_id,
                    input=_decode(details.get("input")),
                )
                self.visits.append(visit)
            elif kind in _CONTAINER_STARTS:
                # A retried Parallel/Map starts again after its failed children's events, to
                # which previousEventId points: credit the attempt to the open container.
                visit = self._open(kind[: -len("StateStarted")])
                if visit is not None:
                    visit.attempts += 1
            else:
                visit = owner.get(int(event.get("previousEventId", 0)))
                if kind.endswith("StateExited") and visit is not None:
                    visit = self._exit(visit, details)
                elif visit is not None and kind in ATTEMPT_EVENTS:
                    visit.attempts += 1
                elif visit is not None and kind in FAILURE_EVENTS:
                    error = (str(details.get("error", "")), _cause_text(details.get("cause")))
                    visit.errors = [*(visit.errors or []), error]
            owner[event_id] = visit

    def _open(self, state_type: str) -> StateVisit | None:
        """The most recently entered state of this type that has not exited yet."""
        for candidate in reversed(self.visits):
            if candidate.type == state_type and not candidate.exited:
                return candidate
        return None

    def _exit(self, visit: StateVisit, details: Mapping[str, Any]) -> StateVisit | None:
        name = details.get("name")
        if visit.name != name:
            # A container state (Parallel/Map) exits after its children's events: find it.
            for candidate in reversed(self.visits):
                if candidate.name == name and not candidate.exited:
                    visit = candidate
                    break
            else:
                return visit
        visit.output = _decode(details.get("output"))
        visit.exited = True
        return visit

    @property
    def path(self) -> list[str]:
        """Names of the states entered, in history order (nested states included)."""
        return [visit.name for visit in self.visits]

    def of(self, name: str) -> list[StateVisit]:
        """Every visit of the state `name`, in order."""
        return [visit for visit in self.visits if visit.name == name]

    def names(self) -> set[str]:
        return {visit.name for visit in self.visits}

    def last_entered(self) -> StateVisit | None:
        return self.visits[-1] if self.visits else None

    def failed_visit(self) -> StateVisit | None:
        """The last state entered that never exited (where a failed run stopped), if any."""
        for visit in reversed(self.visits):
            if not visit.exited:
                return visit
        return None

    def types(self) -> list[str]:
        """The event types, in order."""
        return [str(event.get("type")) for event in self.events]

    def of_type(self, kinds: Iterable[str]) -> list[Mapping[str, Any]]:
        wanted = set(kinds)
        return [event for event in self.events if event.get("type") in wanted]


def _cause_text(cause: Any) -> str:
    if cause is None:
        return ""
    return cause if isinstance(cause, str) else json.dumps(cause)
