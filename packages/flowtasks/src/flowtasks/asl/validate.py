"""Structural checks of any ASL definition (JSONPath or JSONata), ours or anyone's.

`validate_definition` returns every problem found (empty: the definition is sound): StartAt,
state types, transitions (Next/End/Default/Catch targets), reachability and termination of
every state machine (top level, Parallel branches, Map processors), Choice rules, Retry/Catch
shape (``States.ALL`` alone and last), JSONPath syntax and intrinsic functions. The engine runs it
before every execution; the compiler runs it on what it emits.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

from flowtasks.asl.checks import (
    error_rules_problems,
    path_problem,
    template_problems,
    value_problem,
)
from flowtasks.asl.choice_rules import check_choice_rule
from flowtasks.asl.schema import schema_problems
from flowtasks.asl.validate_numbers import number_problems
from flowtasks.asl.validate_variables import variable_problems
from flowtasks.asl.walk import Machine, machines
from flowtasks.errors import Problem

STATE_TYPES = frozenset({"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"})
_TERMINAL_TYPES = frozenset({"Succeed", "Fail"})
_REF_PATHS = (
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCountPath",
)
_FIELD_CHECKS: tuple[tuple[str, Callable[[Any], str | None]], ...] = (
    ("InputPath", path_problem),
    ("OutputPath", path_problem),
    ("ResultPath", partial(path_problem, reference=True)),
    ("ItemsPath", partial(path_problem, reference=True)),
    *((field, partial(path_problem, reference=True, nullable=False)) for field in _REF_PATHS),
    ("ErrorPath", value_problem),
    ("CausePath", value_problem),
)
"""The single-value JSONPath fields of a state, and what checks each."""
_TEMPLATES = ("Parameters", "ResultSelector", "ItemSelector", "Assign", "Credentials")

SourceOf = Callable[[str], str | None]


def validate_definition(
    definition: Mapping[str, Any] | str,
    *,
    subject: str = "definition",
    source_of: SourceOf | None = None,
    check_graph: bool = True,
) -> list[Problem]:
    """Every structural problem of `definition` (an ASL dict or JSON text), located.

    `subject` starts each location (e.g. ``demo.VendorIngest``); `source_of(state_name)` gives the
    ``file:line`` a state was defined at, when known. `check_graph=False` skips reachability and
    termination (the compiler does when duplicate names already make the graph ambiguous).
    """
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except json.JSONDecodeError as exc:
            return [Problem(subject, f"not valid JSON: {exc}")]
    walker = _Walker(source_of or (lambda _name: None), check_graph)
    if not isinstance(definition, Mapping):
        return [Problem(subject, "an ASL definition must be a JSON object")]
    if "QueryLanguage" in definition and definition["QueryLanguage"] not in ("JSONata", "JSONPath"):
        walker.problems.append(Problem(subject, "QueryLanguage must be 'JSONPath' or 'JSONata'"))
    timeout = definition.get("TimeoutSeconds")
    if timeout is not None and not (
        isinstance(timeout, int) and not isinstance(timeout, bool) and timeout > 0
    ):
        message = f"TimeoutSeconds must be a positive integer, not {timeout!r}"
        walker.problems.append(Problem(subject, message))
    for machine in machines(definition, subject):
        walker.machine(machine)
    return (
        walker.problems
        + number_problems(definition, subject)
        + variable_problems(definition, subject, source_of)
        + schema_problems(definition, subject, source_of)
    )


class _Walker:
    def __init__(self, source_of: SourceOf, check_graph: bool) -> None:
        self.source_of = source_of
        self.check_graph = check_graph
        self.problems: list[Problem] = []

    def add(self, machine: Machine, state: str | None, field: str | None, message: str) -> None:
        source = self.source_of(state) if state is not None else None
        self.problems.append(
            Problem(
                machine.subject,
                message,
                scope=machine.scope,
                state=state,
                field=field,
                source=source,
            )
        )

    def machine(self, machine: Machine) -> None:
        """The checks of one state machine and of each of its own states."""
        if not isinstance(machine.spec, Mapping):
            self.add(machine, None, None, "must be an object with StartAt and States")
            return
        states = machine.spec.get("States")
        if not isinstance(states, Mapping) or not states:
            self.add(machine, None, None, "States must be a non-empty object of states")
            return
        start = machine.spec.get("StartAt")
        if not isinstance(start, str) or start not in states:
            known = ", ".join(sorted(states))
            message = f"StartAt {start!r} is not a state here ({known})"
            self.add(machine, None, "StartAt", message)
        for name, state in states.items():
            self.state(machine, str(name), state, states)
        if self.check_graph and isinstance(start, str) and start in states:
            self.graph(machine, states, start)

    def state(self, machine: Machine, name: str, state: Any, states: Mapping[str, Any]) -> None:
        """The checks of one state (its nested machines are checked as machines of their own)."""

        def add(field: str | None, message: str) -> None:
            self.add(machine, name, field, message)

        if not isinstance(state, Mapping):
            add(None, "a state must be an object")
            return
        jsonata = state.get("QueryLanguage", machine.language) == "JSONata"
        kind = state.get("Type")
        if kind not in STATE_TYPES:
            known = ", ".join(sorted(STATE_TYPES))
            add("Type", f"unknown state Type {kind!r}; use one of {known}")
            return
        if len(name) > 80:
            add(None, "a state name is at most 80 characters long")
        for field, message in self.transition_problems(state, kind, states):
            add(field or None, message)
        if not jsonata:
            for field, message in _jsonpath_problems(state):
                add(field, message)
        for field in ("Retry", "Catch"):
            if field in state:
                for sub, message in error_rules_problems(state[field], field):
                    add(sub, message)
        if kind == "Choice":
            for index, rule in enumerate(state.get("Choices") or []):
                for message in check_choice_rule(rule, jsonata=jsonata):
                    add(f"Choices[{index}]", message)
        elif kind == "Parallel":
            branches = state.get("Branches")
            if not isinstance(branches, list) or not branches:
                add("Branches", "a Parallel state needs a list of Branches")
        elif kind == "Map":
            if "ItemProcessor" not in state and "Iterator" not in state:
                add("Iterator", "must be an object with StartAt and States")
        elif kind == "Task" and not isinstance(state.get("Resource"), str | Mapping):
            add("Resource", "a Task needs a Resource")
        elif kind == "Wait":
            given = [
                f for f in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if f in state
            ]
            if len(given) != 1:
                add(
                    None,
                    "a Wait needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath"
                    f" (found: {', '.join(given) or 'none'})",
                )

    def transition_problems(
        self, state: Mapping[str, Any], kind: str, states: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        def target(field: str, value: Any) -> Iterator[tuple[str, str]]:
            if not isinstance(value, str) or value not in states:
                close = difflib.get_close_matches(str(value), list(states), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                yield (
                    field,
                    f"{field} goes to unknown state {value!r}; {hint}"
                    f"known: {', '.join(sorted(states))}",
                )

        if kind == "Choice":
            choices = state.get("Choices")
            if not isinstance(choices, list) or not choices:
                yield "Choices", "a Choice state needs a non-empty list of Choices"
                choices = []
            for index, rule in enumerate(choices):
                if isinstance(rule, Mapping) and "Next" in rule:
                    yield from target(f"Choices[{index}].Next", rule["Next"])
            if "Default" in state:
                yield from target("Default", state["Default"])
            if "Next" in state or "End" in state:
                yield "", "a Choice state has no Next or End; its rules and Default decide"
        elif kind in _TERMINAL_TYPES:
            if "Next" in state or "End" in state:
                yield "", f"a {kind} state ends by itself; remove Next/End"
        else:
            has_next, has_end = "Next" in state, state.get("End") is True
            if has_next and has_end:
                yield "", "a state has either Next or End: true, not both"
            elif has_next:
                yield from target("Next", state["Next"])
            elif not has_end:
                yield "", "the state has neither Next nor End: add Next (a state name) or End: true"
        for index, rule in enumerate(state.get("Catch") or []):
            if isinstance(rule, Mapping) and "Next" in rule:
                yield from target(f"Catch[{index}].Next", rule["Next"])

    def graph(self, machine: Machine, states: Mapping[str, Any], start: str) -> None:
        edges = {name: list(_successors(state)) for name, state in states.items()}
        reached = _reach({start}, edges)
        for name in states:
            if name not in reached:
                self.add(
                    machine,
                    name,
                    None,
                    "unreachable: no Next, Choice, Default or Catch leads here from StartAt; "
                    "remove the state or route to it",
                )
        # States without a valid way on are reported by transition_problems; count them as ends
        # here so that one mistake is reported once. A Choice without Default ends the execution
        # (States.NoChoiceMatched) when no rule matches.
        ends = {
            n
            for n, s in states.items()
            if _is_end(s)
            or not edges[n]
            or set(edges[n]) - set(states)
            or (isinstance(s, Mapping) and s.get("Type") == "Choice" and "Default" not in s)
        }
        reverse: dict[str, list[str]] = {n: [] for n in states}
        for name, targets in edges.items():
            for t in targets:
                if t in reverse:
                    reverse[t].append(name)
        finishing = _reach(ends, reverse)
        stuck = sorted(n for n in reached if n in states and n not in finishing)
        if stuck:
            self.add(
                machine,
                stuck[0],
                None,
                f"cannot terminate: from {', '.join(stuck)} no path reaches a Succeed, Fail or "
                "End: true; give the loop a way out (a Choice rule or Default to a later state)",
            )


def _successors(state: Any) -> Iterator[str]:
    if not isinstance(state, Mapping):
        return
    for key in ("Next", "Default"):
        if isinstance(state.get(key), str):
            yield state[key]
    for field in ("Choices", "Catch"):
        rules = state.get(field)
        if isinstance(rules, list):
            for rule in rules:
                if isinstance(rule, Mapping) and isinstance(rule.get("Next"), str):
                    yield rule["Next"]


def _is_end(state: Any) -> bool:
    return isinstance(state, Mapping) and (
        state.get("Type") in _TERMINAL_TYPES or state.get("End") is True
    )


def _reach(roots: set[str], edges: Mapping[str, list[str]]) -> set[str]:
    seen = set(roots)
    todo = list(roots)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _jsonpath_problems(state: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for field, check in _FIELD_CHECKS:
        if field in state:
            message = check(state[field])
            if message:
                yield field, message
    for field in _TEMPLATES:
        if field in state:
            yield from template_problems(state[field], field)
    for field in ("ItemReader", "ResultWriter"):
        config = state.get(field)
        if isinstance(config, Mapping):
            yield from template_problems(config.get("Parameters"), f"{field}.Parameters")
    batcher = state.get("ItemBatcher")
    if isinstance(batcher, Mapping):
        yield from template_problems(batcher.get("BatchInput"), "ItemBatcher.BatchInput")
