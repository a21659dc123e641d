"""Compile warnings: where a flow will hit an AWS limit without being wrong.

The limits (history events of a Standard execution, Express run time, inline Map concurrency)
are in `flowtasks.limits`, with their sources.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flowtasks.asl.walk import children, machines, walk
from flowtasks.errors import Problem
from flowtasks.limits import EXPRESS_MAX_SECONDS, INLINE_MAP_MAX_CONCURRENCY
from flowtasks.limits import MAX_HISTORY_EVENTS as HISTORY_EVENTS

_EVENTS = {"Task": 6, "Parallel": 4, "Map": 4}
"""History events one pass through a state records, about (others: entered + exited)."""


def events_of(machine: Mapping[str, Any]) -> int:
    """About how many history events one run through every state of `machine` records (an
    iteration of a nested Map: 2 more, MapIterationStarted and ...Succeeded)."""
    total = 0
    for state in walk(machine):
        kind = str(state.spec.get("Type"))
        total += _EVENTS.get(kind, 2) + (2 * len(children(state.spec)) if kind == "Map" else 0)
    return total


def flow_warnings(
    definition: Mapping[str, Any],
    *,
    where: str,
    flow_type: str,
    map_items: Mapping[str, int],
    source_of: Mapping[str, str],
) -> Iterator[Problem]:
    """Warnings for a compiled flow: inline Maps that call for distributed mode, histories that
    can pass 25,000 events (loops, big Maps), EXPRESS flows that can run past 5 minutes.

    `map_items` gives the expected most items of Map states (a DSL hint), by state name.
    """

    def warn(state: str | None, message: str) -> Problem:
        source = source_of.get(state or "")
        return Problem(where, message, state=state or None, source=source, severity="warning")

    standard = flow_type == "STANDARD"
    for at in walk(definition):
        name, state = at.name, at.spec
        if state.get("Type") != "Map":
            continue
        config = (state.get("ItemProcessor") or {}).get("ProcessorConfig") or {}
        if config.get("Mode") == "DISTRIBUTED":
            continue
        concurrency = state.get("MaxConcurrency")
        if isinstance(concurrency, int) and concurrency > INLINE_MAP_MAX_CONCURRENCY:
            yield warn(
                name,
                f"inline Map with max_concurrency={concurrency}: inline mode runs about "
                f"{INLINE_MAP_MAX_CONCURRENCY} iterations at once; use DistributedMap for more",
            )
        items = map_items.get(name)
        processor = state.get("ItemProcessor") or state.get("Iterator") or {}
        if items is not None and standard:
            events = items * (2 + events_of(processor))
            if events > HISTORY_EVENTS:
                yield warn(
                    name,
                    f"inline Map over up to {items} items records about {events} history events, "
                    f"past the {HISTORY_EVENTS} limit of a Standard execution; use DistributedMap",
                )
    if standard:
        for scope in machines(definition, ""):
            machine_where = scope.where.removeprefix(" > ")
            if not isinstance(scope.spec, Mapping):
                continue
            machine = scope.spec
            for loop in _loops(machine.get("States") or {}, machine.get("StartAt")):
                events = sum(_EVENTS.get(machine["States"][n].get("Type"), 2) for n in loop)
                yield warn(
                    loop[0],
                    f"loop through {' -> '.join(loop)} adds about {events} history events a pass; "
                    f"after about {HISTORY_EVENTS // max(events, 1)} passes the execution reaches "
                    f"the {HISTORY_EVENTS}-event limit and fails; bound the loop or move it to a "
                    "child execution" + (f" (in {machine_where})" if machine_where else ""),
                )
    else:
        timeout = definition.get("TimeoutSeconds")
        if isinstance(timeout, int) and timeout > EXPRESS_MAX_SECONDS:
            yield warn(
                None,
                f"EXPRESS flow with timeout_seconds={timeout}: Express executions stop after "
                f"{EXPRESS_MAX_SECONDS} seconds; lower the timeout or use type='STANDARD'",
            )
        elif timeout is None:
            longest = _longest_seconds(definition)
            if longest > EXPRESS_MAX_SECONDS:
                yield warn(
                    None,
                    f"EXPRESS flow can run for {longest} seconds (its waits and task timeouts "
                    f"with retries) but Express executions stop after {EXPRESS_MAX_SECONDS}; "
                    "shorten them or use type='STANDARD'",
                )


def _edges(state: Mapping[str, Any]) -> list[str]:
    out = [state[k] for k in ("Next", "Default") if isinstance(state.get(k), str)]
    for field in ("Choices", "Catch"):
        out.extend(r["Next"] for r in state.get(field) or () if isinstance(r.get("Next"), str))
    return out


def _loops(states: Mapping[str, Any], start: Any) -> list[list[str]]:
    """Strongly connected groups of states that form a cycle, in definition order."""
    order = {name: i for i, name in enumerate(states)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in _edges(states[node]):
            if nxt not in states:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in _edges(states[node]):
                loops.append(_walk_loop(set(group), states, start))

    for name in states:
        if name not in index:
            visit(name)
    return sorted(loops, key=lambda g: order[g[0]])


def _walk_loop(group: set[str], states: Mapping[str, Any], start: Any) -> list[str]:
    """The loop's states from its entry (StartAt or entered from outside), following transitions."""
    entered = {t for n, s in states.items() if n not in group for t in _edges(s)} | {start}
    entry = min(sorted(group & entered) or sorted(group))
    walk, todo = [entry], [entry]
    while todo:
        for nxt in _edges(states[todo.pop(0)]):
            if nxt in group and nxt not in walk:
                walk.append(nxt)
                todo.append(nxt)
    return walk


def _state_seconds(state: Mapping[str, Any]) -> int:
    """The most seconds a state is known to be able to take (0 when unknown)."""
    kind = state.get("Type")
    if kind == "Wait":
        seconds = state.get("Seconds")
        return seconds if isinstance(seconds, int) else 0
    if kind == "Parallel":
        return max((_longest_seconds(b) for b in children(state)), default=0)
    if kind == "Map":
        once = max((_longest_seconds(p) for p in children(state)), default=0)
    elif kind == "Task":
        timeout = state.get("TimeoutSeconds")
        once = timeout if isinstance(timeout, int) else 0
    else:
        return 0
    attempts, waits = 1, 0.0
    for rule in state.get("Retry") or ():
        interval = float(rule.get("IntervalSeconds", 1))
        for _ in range(int(rule.get("MaxAttempts", 3))):
            cap = rule.get("MaxDelaySeconds")
            waits += min(interval, cap) if isinstance(cap, int) else interval
            interval *= float(rule.get("BackoffRate", 2.0))
            attempts += 1
    return int(once * attempts + waits)


def _longest_seconds(machine: Mapping[str, Any]) -> int:
    """Longest known duration over acyclic paths from StartAt (loops counted once)."""
    states = machine.get("States") or {}
    memo: dict[str, int] = {}

    def longest(name: str, path: frozenset[str]) -> int:
        if name in memo:
            return memo[name]
        state = states.get(name)
        if state is None or name in path:
            return 0
        rest = [longest(n, path | {name}) for n in _edges(state)]
        memo[name] = _state_seconds(state) + max(rest, default=0)
        return memo[name]

    start = machine.get("StartAt")
    return longest(start, frozenset()) if isinstance(start, str) else 0
