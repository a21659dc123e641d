"""What the UI's JSON endpoints answer: pure functions of a run, read by `flowtasks.history`.

A run is read once (`Analysis`, cached by the app while the run's version holds); each request
then picks what it shows. The graph is `flowtasks.asl.diagram.to_json` of the run's own definition
(the ASL saved with it), and its colours are the reader's outcomes, exactly as ``flow-task graph
--run`` (`flowtasks.runs.outcomes_of`) colours it; a run still in progress keeps ``running``.

**Scopes.** A Map runs the same states once per item, so the run page looks at one scope at a
time: the top level (``""``), or one iteration of a Map, written ``Name[index]`` and nested with
``/`` (``Outer[2]/Inner[7]``; the latest entry of that Map is meant). A state record belongs to
the innermost Map iteration it ran in (Parallel branches are not scopes: their states are shown
where the Parallel is). Iterations are listed a page at a time, never all at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flowtasks.asl.diagram import to_json
from flowtasks.asl.walk import children, iter_states
from flowtasks.history import ExecutionRecord, HistoryReader, StateRecord, parse_time, read_history
from flowtasks.ui.sources import RunRecord

__all__ = ["LIST_LIMIT_MAX", "Analysis", "LiveReader", "ScopeNotFound", "analyse", "list_view"]

LIST_LIMIT_MAX = 500
"""The most runs (or Map iterations) one page holds."""

ITERATION_ERRORS_SHOWN = 20
"""How many failed iterations a state inside a Map names when looked at from outside it."""

Owner = tuple[StateRecord, int] | None
"""The Map iteration a state record ran in: (the Map's record, the iteration index); None at top."""

_SCOPE_PART = re.compile(r"^(.+)\[(\d+)\]$")


class ScopeNotFound(LookupError):
    """A scope that names no Map iteration of the run."""


def list_view(
    summaries: list[dict[str, Any]],
    *,
    flow: str | None = None,
    status: str | None = None,
    text: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> dict[str, Any]:
    """One page of the runs list (already newest first), filtered by flow, status and a text
    found in the id, flow or error; with the flows and statuses there are, for the filters."""
    flows = sorted({run["flow"] for run in summaries})
    statuses: dict[str, int] = {}
    for run in summaries:
        statuses[run["status"]] = statuses.get(run["status"], 0) + 1
    needle = (text or "").lower()
    chosen = [
        run
        for run in summaries
        if (not flow or run["flow"] == flow)
        and (not status or run["status"] == status)
        and (
            not needle
            or needle in run["id"].lower()
            or needle in run["flow"].lower()
            or needle in str(run.get("error") or "").lower()
        )
    ]
    limit = max(1, min(limit, LIST_LIMIT_MAX))
    offset = max(0, offset)
    return {
        "total": len(chosen),
        "offset": offset,
        "limit": limit,
        "runs": chosen[offset : offset + limit],
        "flows": flows,
        "statuses": dict(sorted(statuses.items())),
    }


def analyse(record: RunRecord, source: str, reader: LiveReader | None = None) -> Analysis:
    """Read `record`'s history once, with the indexes every view needs. A run in progress
    passes the `reader` that read its earlier events: only the new ones are fed to it."""
    if reader is None:
        execution = read_history(record.events, record.definition)
    else:
        for event in record.events[reader.fed :]:
            reader.feed(event)
        reader.fed = len(record.events)
        execution = reader.execution
    return Analysis(record, source, execution)


class LiveReader(HistoryReader):
    """A `HistoryReader` that counts the events it was fed (for `analyse`)."""

    def __init__(self, definition: Mapping[str, Any] | None = None) -> None:
        super().__init__(definition)
        self.fed = 0


def _ms(moment: datetime | None, origin: datetime | None) -> int | None:
    if moment is None or origin is None:
        return None
    return round((moment - origin).total_seconds() * 1000)


@dataclass(eq=False)
class Analysis:
    """A run read by the history reader, indexed by scope; the views are its methods."""

    record: RunRecord
    source: str
    execution: ExecutionRecord
    owner: dict[int, Owner] = field(default_factory=dict)
    by_owner: dict[int | None, list[StateRecord]] = field(default_factory=dict)
    definitions: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for state in self.execution.states:
            owner = self._owner_of(state)
            self.owner[id(state)] = owner
            self.by_owner.setdefault(_key(owner), []).append(state)
        self.definitions = dict(iter_states(self.record.definition))

    def time_of(self, event_id: int) -> datetime | None:
        """The timestamp of event `event_id` (ids count from 1 in history order)."""
        events = self.record.events
        event = events[event_id - 1] if 0 < event_id <= len(events) else None
        if event is None or event.get("id") != event_id:
            event = next((e for e in events if e.get("id") == event_id), None)
        return parse_time(event.get("timestamp")) if event is not None else None

    def _owner_of(self, state: StateRecord) -> Owner:
        parent = state.parent
        if parent is None:
            return None
        if parent.type == "Map" and state.path and state.path[-1].kind == "iteration":
            return (parent, int(state.path[-1].index or 0))
        return self.owner.get(id(parent))

    @property
    def live(self) -> bool:
        """Whether the run is still going (RUNNING, its process alive)."""
        summary = self.record.summary
        return summary.get("status") == "RUNNING" and summary.get("alive") is not False

    # -- scopes -----------------------------------------------------------------------------

    def resolve(self, scope: str) -> Owner:
        """The Map iteration `scope` names (None for ``""``); ScopeNotFound if none."""
        owner: Owner = None
        for part in filter(None, scope.split("/")):
            match = _SCOPE_PART.match(part)
            if match is None:
                raise ScopeNotFound(scope)
            name, index = match.group(1), int(match.group(2))
            maps = [s for s in self.by_owner.get(_key(owner), []) if s.name == name]
            maps = [s for s in maps if s.type == "Map"]
            if not maps or index not in maps[-1].iterations:
                raise ScopeNotFound(scope)
            owner = (maps[-1], index)
        return owner

    def _within(self, state: StateRecord, scope: Owner) -> bool:
        """Whether `state` ran inside `scope` (at any depth)."""
        if scope is None:
            return True
        owner = self.owner.get(id(state))
        while owner is not None:
            if owner[0] is scope[0] and owner[1] == scope[1]:
                return True
            owner = self.owner.get(id(owner[0]))
        return False

    def _subtree(self, scope: Owner) -> list[StateRecord]:
        if scope is None:
            return self.execution.states
        return [state for state in self.execution.states if self._within(state, scope)]

    # -- the run page -----------------------------------------------------------------------

    def outcome(self, status: str) -> str:
        """The graph's word for a record status (``running`` only while the run is live)."""
        return "failed" if status == "running" and not self.live else status

    def run_view(self, scope: str = "") -> dict[str, Any]:
        """Summary, input/output, the graph coloured for `scope`, the path taken, the timeline."""
        owner = self.resolve(scope)
        subtree = self._subtree(owner)
        outcomes = {name: self.outcome(s) for name, s in self.execution.outcomes().items()}
        if owner is not None:  # the Map's own states: as in this iteration (not run if absent)
            processor = self.definitions.get(owner[0].name) or {}
            for child in children(processor):
                outcomes.update({name: "not_run" for name, _ in iter_states(child)})
            outcomes.update({state.name: self.outcome(state.status) for state in subtree})
        graph = to_json(self.record.definition, outcomes=outcomes)
        retries: dict[str, int] = {}
        for state in subtree:
            retries[state.name] = retries.get(state.name, 0) + state.retries
        for node in graph["nodes"]:
            node["retries"] = retries.get(node["name"], 0)
        graph["taken"] = self._taken(graph, subtree, owner)
        return {
            "source": self.source,
            "version": self.record.version,
            "scope": scope,
            "summary": self.record.summary,
            "input": self.record.input,
            "output": self.record.output,
            "event_count": len(self.record.events),
            "graph": graph,
            "timeline": self._timeline(owner),
        }

    def _taken(
        self, graph: Mapping[str, Any], subtree: list[StateRecord], owner: Owner
    ) -> list[list[str]]:
        """The graph's edges the run went along in `owner`'s scope: consecutive states of one
        branch or iteration, a Parallel or Map into its first states, start and end."""
        pairs: set[tuple[str, str]] = set()
        last_in_lane: dict[tuple[int, Any], StateRecord] = {}
        for state in subtree:
            lane = (id(state.parent), state.path)
            before = last_in_lane.get(lane)
            if before is not None:
                pairs.add((before.name, state.name))
            elif state.parent is not None:
                pairs.add((state.parent.name, state.name))
            last_in_lane[lane] = state
        top = [s for s in subtree if s.parent is None] if owner is None else []
        if top:
            pairs.add(("_start", top[0].name))
            if top[-1].status != "running":
                pairs.add((top[-1].name, "_end"))
        names = {node["id"]: node["name"] for node in graph["nodes"]}
        names.update({"_start": "_start", "_end": "_end"})
        return [
            [edge["source"], edge["target"]]
            for edge in graph["edges"]
            if (names.get(edge["source"]), names.get(edge["target"])) in pairs
        ]

    def _timeline(self, owner: Owner) -> dict[str, Any]:
        """One row a state record of the scope (states inside nested Map iterations are
        summarised by their Map's row), each attempt a bar, the waits before retries."""
        states = self.by_owner.get(_key(owner), [])
        origin = self.execution.started_at if owner is None else None
        if origin is None and states:
            origin = states[0].entered_at
        rows = [self._row(state, origin) for state in states]
        ends = [row["end_ms"] for row in rows if row["end_ms"] is not None]
        ends += [a["end_ms"] or 0 for row in rows for a in row["attempts"]]
        stop = self.execution.stopped_at if owner is None else None
        end = _ms(stop, origin) if stop is not None else max(ends, default=0)
        return {"end_ms": max(end or 0, *ends) if ends else end or 0, "rows": rows}

    def ended_at(self, state: StateRecord) -> datetime | None:
        """When `state` ended: it exited, or (a run no longer going) its last failure, or the
        end of the run. None while it runs."""
        if state.exited_at is not None:
            return state.exited_at
        if state.status == "running" and self.live:
            return None
        last = state.last_failure
        failed_at = self.time_of(last.event_id) if last is not None else None
        return failed_at or self.execution.stopped_at

    def _row(self, state: StateRecord, origin: datetime | None) -> dict[str, Any]:
        start = _ms(state.entered_at, origin) or 0
        end = _ms(self.ended_at(state), origin)
        attempts: list[dict[str, Any]] = []
        delays: list[dict[str, Any]] = []
        at = start
        for failure in state.failures:
            failed_at = _ms(self.time_of(failure.event_id), origin)
            failed_at = at if failed_at is None else failed_at
            attempts.append(
                {"start_ms": at, "end_ms": failed_at, "outcome": "failed", "error": failure.error}
            )
            at = failed_at
            if failure.retry is not None:
                delays.append(
                    {
                        "start_ms": at,
                        "end_ms": at + round(failure.retry.delay_seconds * 1000),
                        "seconds": failure.retry.delay_seconds,
                    }
                )
                at += round(failure.retry.delay_seconds * 1000)
        if state.status in ("succeeded", "running") or not state.failures:
            outcome = "running" if state.status == "running" and self.live else state.status
            attempts.append(
                {"start_ms": at, "end_ms": end, "outcome": self.outcome(outcome), "error": None}
            )
        elif state.status == "caught":
            attempts[-1]["outcome"] = "caught"
        label = state.name
        if state.path and state.path[-1].kind == "branch":
            index = state.path[-1].index
            label = f"{state.path[-1].state} / branch {'?' if index is None else index + 1}"
            label += f" / {state.name}"
        depth = sum(1 for step in state.path if step.kind == "branch")
        return {
            "name": state.name,
            "label": label,
            "type": state.type,
            "depth": depth,
            "outcome": self.outcome(state.status),
            "start_ms": start,
            "end_ms": end,
            "attempts": attempts,
            "delays": delays,
        }

    # -- one state --------------------------------------------------------------------------

    def state_view(self, name: str, scope: str = "") -> dict[str, Any]:
        """Every entry of state `name` in `scope`: input, output, error and cause, attempts with
        their retry delays, the catcher taken, variables assigned, Map iteration counts and
        Parallel branches. A state of a nested Map is summarised by iteration instead."""
        owner = self.resolve(scope)
        definition = self.definitions.get(name)
        if definition is None:
            raise KeyError(name)
        here = [s for s in self.by_owner.get(_key(owner), []) if s.name == name]
        deeper = [s for s in self._subtree(owner) if s.name == name and s not in here]
        outcome = self.outcome(here[-1].status) if here else "not_run"
        view: dict[str, Any] = {
            "name": name,
            "type": str(definition.get("Type")),
            "scope": scope,
            "definition": definition,
            "outcome": outcome,
            "visits": [self._visit(state, definition, n) for n, state in enumerate(here)],
        }
        if deeper:
            view["outcome"] = outcome if here else self.outcome(deeper[-1].status)
            view["in_iterations"] = self._in_iterations(deeper)
        return view

    def _visit(self, state: StateRecord, definition: Mapping[str, Any], n: int) -> dict[str, Any]:
        last = state.last_failure
        failed = state.status in ("failed", "caught") and last is not None
        attempts = []
        for failure in state.failures:
            attempts.append(
                {
                    "error": failure.error,
                    "cause": failure.cause,
                    "action": failure.action,
                    "retry_in_seconds": failure.retry.delay_seconds if failure.retry else None,
                }
            )
        if state.attempts > len(state.failures):
            attempts.append(
                {"error": None, "cause": None, "action": None, "retry_in_seconds": None}
            )
        durations = self._row(state, state.entered_at)["attempts"]
        for attempt, bar in zip(attempts, durations, strict=False):
            end = bar["end_ms"]
            attempt["duration_ms"] = None if end is None else end - bar["start_ms"]
        visit: dict[str, Any] = {
            "entered": state.entered_at.isoformat() if state.entered_at else None,
            "duration_ms": _ms(self.ended_at(state), state.entered_at),
            "outcome": self.outcome(state.status),
            "input": state.input,
            "output": state.output,
            "error": last.error if failed and last else None,
            "cause": last.cause if failed and last else None,
            "attempts": attempts if state.attempts or state.failures else [],
            "catcher": self._catcher(state, definition),
            "variables": state.assigned,
        }
        if state.type == "Map":
            visit["map"] = {
                "visit": n,
                "total": state.items if state.items is not None else len(state.iterations),
                "counts": _counts(state.iterations.values()),
            }
        if state.type == "Parallel":
            visit["branches"] = self._branches(state)
        return visit

    def _catcher(self, state: StateRecord, definition: Mapping[str, Any]) -> dict[str, Any] | None:
        if state.caught is None:
            return None
        catchers = definition.get("Catch") or []
        index = state.caught.catcher
        chosen = catchers[index] if index is not None and 0 <= index < len(catchers) else {}
        return {
            "index": index,
            "error_equals": chosen.get("ErrorEquals", []),
            "next": state.caught.next or chosen.get("Next"),
            "result_path": chosen.get("ResultPath", "$"),
        }

    def _branches(self, parallel: StateRecord) -> list[dict[str, Any]]:
        branches: dict[int, list[StateRecord]] = {}
        for state in self.execution.states:
            if state.parent is parallel and state.path and state.path[-1].kind == "branch":
                branches.setdefault(int(state.path[-1].index or 0), []).append(state)
        return [
            {
                "index": index,
                "status": "FAILED" if any(s.status == "failed" for s in states) else
                ("RUNNING" if any(s.status == "running" for s in states) else "SUCCEEDED"),
                "states": [s.name for s in states],
            }
            for index, states in sorted(branches.items())
        ]  # fmt: skip

    def _in_iterations(self, records: list[StateRecord]) -> dict[str, Any]:
        """How a state of a nested Map did across its iterations, for a look from outside."""
        failed: list[dict[str, Any]] = []
        for state in records:
            if state.status in ("failed", "caught") and len(failed) < ITERATION_ERRORS_SHOWN:
                last = state.last_failure
                failed.append(
                    {
                        "scope": self.scope_of(state),
                        "outcome": state.status,
                        "error": last.error if last else None,
                    }
                )
        return {
            "runs": len(records),
            "counts": _counts(self.outcome(s.status) for s in records),
            "retries": sum(s.retries for s in records),
            "failed": failed,
        }

    def scope_of(self, state: StateRecord) -> str:
        """The scope string of the iteration `state` ran in (``""`` at the top)."""
        parts = []
        owner = self.owner.get(id(state))
        while owner is not None:
            parts.append(f"{owner[0].name}[{owner[1]}]")
            owner = self.owner.get(id(owner[0]))
        return "/".join(reversed(parts))

    # -- Map iterations ---------------------------------------------------------------------

    def iterations_view(
        self,
        name: str,
        scope: str = "",
        *,
        visit: int = -1,
        status: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> dict[str, Any]:
        """One page of the iterations of Map `name` (its `visit`-th entry in `scope`, the
        latest by default): index, status, duration, error, first state; filtered by status."""
        owner = self.resolve(scope)
        maps = [s for s in self.by_owner.get(_key(owner), []) if s.name == name]
        maps = [s for s in maps if s.type == "Map"]
        if not maps:
            raise KeyError(name)
        the_map = maps[visit] if -len(maps) <= visit < len(maps) else maps[-1]
        indexes = sorted(the_map.iterations)
        if status:
            indexes = [i for i in indexes if the_map.iterations[i] == status]
        limit = max(1, min(limit, LIST_LIMIT_MAX))
        offset = max(0, offset)
        page = indexes[offset : offset + limit]
        items = []
        for index in page:
            states = self.by_owner.get(_key((the_map, index)), [])
            started = states[0].entered_at if states else None
            ended = states[-1].exited_at if states else None
            failure = next((s.last_failure for s in reversed(states) if s.status == "failed"), None)
            items.append(
                {
                    "index": index,
                    "status": the_map.iterations[index],
                    "duration_ms": _ms(ended, started),
                    "error": failure.error if failure else None,
                    "first_state": states[0].name if states else None,
                }
            )
        return {
            "name": name,
            "total": len(indexes),
            "offset": offset,
            "limit": limit,
            "counts": _counts(the_map.iterations.values()),
            "items": items,
        }


def _key(owner: Owner) -> Any:
    """A hashable key of an owner (records compare by identity)."""
    return None if owner is None else (id(owner[0]), owner[1])


def _counts(statuses: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in statuses:
        counts[str(status)] = counts.get(str(status), 0) + 1
    return dict(sorted(counts.items()))
