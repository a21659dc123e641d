"""Checks shared by the compiler and the validator, on ASL fragments (plain dicts).

Each check returns messages (or ``(field, message)`` pairs); callers add the location.
JSONPath and intrinsic syntax come from `flowtasks.asl.jsonpath` / `flowtasks.asl.intrinsics`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flowtasks.asl.intrinsics import check_intrinsic, is_intrinsic
from flowtasks.asl.jsonpath import check_path
from flowtasks.errors import Problem

ALL = "States.ALL"
_VARIABLE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)")

COMPARISONS = frozenset(
    name
    for base in ("String", "Numeric", "Timestamp")
    for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    for name in (base + op, base + op + "Path")
) | {"BooleanEquals", "BooleanEqualsPath", "StringMatches"}
TYPE_TESTS = frozenset({"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"})


def path_problem(path: Any, *, reference: bool = False, nullable: bool = True) -> str | None:
    """Why `path` is not a valid (Reference) Path, or None. ``$name...`` reads a variable."""
    if path is None and nullable:
        return None
    if not isinstance(path, str):
        return f"must be a JSONPath string, not {path!r}"
    match = _VARIABLE.match(path)
    if match and not path.startswith("$$"):
        path = "$" + path[match.end() :]
    problem = check_path(path, reference=reference)
    if problem is None:
        return None
    return f"{problem}. Write a JSONPath such as '$.field' or '$$.Execution.Id'."


def value_problem(value: Any) -> str | None:
    """Why a ``.$`` template value is neither a path nor a known intrinsic call, or None."""
    if not isinstance(value, str):
        return f"a '.$' field takes a JSONPath or an intrinsic function string, not {value!r}"
    if is_intrinsic(value):
        message = check_intrinsic(value)
        return None if message is None else f"{message}. Fix the call or use a JSONPath instead."
    return path_problem(value, nullable=False)


def template_problems(template: Any, field: str) -> Iterator[tuple[str, str]]:
    """(field, message) for every bad ``.$`` entry of a payload template, at any depth."""
    if isinstance(template, Mapping):
        for key, value in template.items():
            sub = f"{field}.{key}"
            if isinstance(key, str) and key.endswith(".$"):
                message = value_problem(value)
                if message is not None:
                    yield sub, message
            else:
                yield from template_problems(value, sub)
    elif isinstance(template, list):
        for index, item in enumerate(template):
            yield from template_problems(item, f"{field}[{index}]")


def error_rules_problems(rules: Any, field: str) -> Iterator[tuple[str, str]]:
    """(field, message) for a Retry or Catch list: shape, and ``States.ALL`` alone and last."""
    if not isinstance(rules, list):
        yield field, f"{field} must be a list of rules"
        return
    for index, rule in enumerate(rules):
        where = f"{field}[{index}]"
        if not isinstance(rule, Mapping):
            yield where, "must be an object with ErrorEquals"
            continue
        errors = rule.get("ErrorEquals")
        if (
            not isinstance(errors, list)
            or not errors
            or not all(isinstance(e, str) for e in errors)
        ):
            yield where, "ErrorEquals must be a non-empty list of error names"
            continue
        if ALL in errors and len(errors) > 1:
            others = ", ".join(e for e in errors if e != ALL)
            yield (
                where,
                f"'States.ALL' must be alone in its ErrorEquals; move {others} to a rule before it",
            )
        if ALL in errors and index != len(rules) - 1:
            yield (
                where,
                f"the rule with 'States.ALL' must be the last {field} rule; move it to the end",
            )
        if field == "Catch":
            if not isinstance(rule.get("Next"), str):
                yield where, "a Catch rule needs Next: the state to continue at"
            if "ResultPath" in rule:
                message = path_problem(rule["ResultPath"], reference=True)
                if message:
                    yield f"{where}.ResultPath", message
        else:
            yield from ((f"{where}.{f}", m) for f, m in _retry_fields(rule))


def _retry_fields(rule: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    def is_int(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    checks: dict[str, tuple[Callable[[Any], bool], str]] = {
        "IntervalSeconds": (lambda v: is_int(v) and v >= 1, "a positive integer"),
        "MaxAttempts": (lambda v: is_int(v) and v >= 0, "a non-negative integer"),
        "BackoffRate": (
            lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v >= 1.0,
            "a number >= 1.0",
        ),
        "MaxDelaySeconds": (lambda v: is_int(v) and v >= 1, "a positive integer"),
        "JitterStrategy": (lambda v: v in ("FULL", "NONE"), "'FULL' or 'NONE'"),
    }
    for name, (ok, expected) in checks.items():
        if name in rule and not ok(rule[name]):
            yield name, f"must be {expected}, not {rule[name]!r}"


def choice_rule_problems(rule: Any, *, top: bool, jsonata: bool) -> list[str]:
    """Messages about one Choice Rule (``top``: a member of Choices, which needs Next)."""
    if not isinstance(rule, Mapping):
        return [f"a Choice rule must be an object, not {rule!r}"]
    problems: list[str] = []
    if top and not isinstance(rule.get("Next"), str):
        problems.append("a Choice rule needs Next: the state to continue at")
    if jsonata:
        if not isinstance(rule.get("Condition"), str | bool):
            problems.append("a JSONata Choice rule needs a Condition")
        return problems
    keys = set(rule) - {"Next", "Comment", "Assign", "Output"}
    ops = keys & (COMPARISONS | TYPE_TESTS | {"And", "Or", "Not"})
    if len(ops) != 1:
        found = ", ".join(sorted(ops)) or "none"
        return [*problems, f"a Choice rule needs exactly one operator (found: {found})"]
    (op,) = ops
    if op in ("And", "Or"):
        items = rule[op]
        if not isinstance(items, list) or not items:
            return [*problems, f"{op} takes a non-empty list of rules"]
        for item in items:
            problems.extend(choice_rule_problems(item, top=False, jsonata=False))
        return problems
    if op == "Not":
        return problems + choice_rule_problems(rule["Not"], top=False, jsonata=False)
    variable_problem = path_problem(rule.get("Variable"), nullable=False)
    if variable_problem:
        problems.append(f"Variable: {variable_problem}")
    value = rule[op]
    if op.endswith("Path"):
        message = path_problem(value, nullable=False)
        if message:
            problems.append(f"{op}: {message}")
    elif not _value_fits(op, value):
        problems.append(f"{op} cannot compare with {value!r}")
    return problems


def _value_fits(op: str, value: Any) -> bool:
    if op in TYPE_TESTS or op == "BooleanEquals":
        return isinstance(value, bool)
    if op.startswith("Numeric"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str)


# --- Warnings: where a flow will hit an AWS limit -------------------------------------------

INLINE_MAP_MAX_CONCURRENCY = 40
"""Inline Map runs at most about 40 iterations at once; beyond that use a Distributed Map."""
HISTORY_LIMIT = 25_000
"""A Standard execution fails when its history reaches 25,000 events."""
EXPRESS_MAX_SECONDS = 300
"""An Express execution runs for at most 5 minutes."""
_EVENTS = {"Task": 6, "Parallel": 4, "Map": 4}
"""History events one pass through a state records, about (others: entered + exited)."""


def events_of(machine: Mapping[str, Any]) -> int:
    """About how many history events one run through every state of `machine` records."""
    total = 0
    for state in (machine.get("States") or {}).values():
        total += _EVENTS.get(state.get("Type"), 2)
        for branch in state.get("Branches") or ():
            total += events_of(branch)
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if isinstance(processor, Mapping):
            total += 2 + events_of(processor)
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
        at = f"{where} > States.{state}" if state else where
        return Problem(at, message, source_of.get(state or ""), severity="warning")

    standard = flow_type == "STANDARD"
    for name, state in _all_states(definition):
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
            if events > HISTORY_LIMIT:
                yield warn(
                    name,
                    f"inline Map over up to {items} items records about {events} history events, "
                    f"past the {HISTORY_LIMIT} limit of a Standard execution; use DistributedMap",
                )
    if standard:
        for machine_where, machine in _all_machines(definition):
            for loop in _loops(machine.get("States") or {}):
                events = sum(_EVENTS.get(machine["States"][n].get("Type"), 2) for n in loop)
                yield warn(
                    loop[0],
                    f"loop through {' -> '.join(loop)} adds about {events} history events a pass; "
                    f"after about {HISTORY_LIMIT // max(events, 1)} passes the execution reaches "
                    f"the {HISTORY_LIMIT}-event limit and fails; bound the loop or move it to a "
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


def _all_machines(machine: Mapping[str, Any], where: str = "") -> Iterator[tuple[str, Any]]:
    yield where, machine
    for name, state in (machine.get("States") or {}).items():
        for index, branch in enumerate(state.get("Branches") or ()):
            yield from _all_machines(branch, f"States.{name} > Branches[{index}]")
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if isinstance(processor, Mapping):
            yield from _all_machines(processor, f"States.{name} > ItemProcessor")


def _all_states(machine: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for _, sub in _all_machines(machine):
        yield from (sub.get("States") or {}).items()


def _edges(state: Mapping[str, Any]) -> list[str]:
    out = [state[k] for k in ("Next", "Default") if isinstance(state.get(k), str)]
    for field in ("Choices", "Catch"):
        out.extend(r["Next"] for r in state.get(field) or () if isinstance(r.get("Next"), str))
    return out


def _loops(states: Mapping[str, Any]) -> list[list[str]]:
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
                loops.append(_walk_loop(set(group), states))

    for name in states:
        if name not in index:
            visit(name)
    return sorted(loops, key=lambda g: order[g[0]])


def _walk_loop(group: set[str], states: Mapping[str, Any]) -> list[str]:
    """The loop's states from its entry (a state entered from outside), following transitions."""
    entered = {t for n, s in states.items() if n not in group for t in _edges(s)}
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
        return max((_longest_seconds(b) for b in state.get("Branches") or ()), default=0)
    if kind == "Map":
        processor = state.get("ItemProcessor") or state.get("Iterator") or {}
        once = _longest_seconds(processor)
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
