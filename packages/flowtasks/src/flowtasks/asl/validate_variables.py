"""Checks of workflow variables (part of `flowtasks.asl.validate`): their names, and scopes.

https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html: a variable name
is a whole name (not a sub-path such as ``x.y``), at most 80 characters, never ``states``; a
Parallel branch or inline Map iteration sees the variables of the scopes around it but cannot
assign them (names are unique across nested scopes); a Distributed Map's child executions are a
scope of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flowtasks.asl.walk import Machine, machines
from flowtasks.errors import Problem
from flowtasks.limits import MAX_VARIABLE_NAME_LENGTH

__all__ = ["assigned_names", "state_assigns", "variable_problems"]


def state_assigns(state: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """``(field, Assign object)`` of a state: its own, its Choice rules', its catchers'."""
    if "Assign" in state:
        yield "Assign", state["Assign"]
    for i, rule in enumerate(state.get("Choices") or ()):
        if isinstance(rule, Mapping) and "Assign" in rule:
            yield f"Choices[{i}].Assign", rule["Assign"]
    for i, catcher in enumerate(state.get("Catch") or ()):
        if isinstance(catcher, Mapping) and "Assign" in catcher:
            yield f"Catch[{i}].Assign", catcher["Assign"]


def assigned_names(assign: Any) -> list[str]:
    """The variable names an ``Assign`` object sets (JSONPath ``x.$`` keys give ``x``)."""
    if not isinstance(assign, Mapping):
        return []
    return [key[:-2] if key.endswith(".$") else key for key in assign if isinstance(key, str)]


def variable_problems(
    definition: Mapping[str, Any],
    subject: str = "definition",
    source_of: Callable[[str], str | None] | None = None,
) -> list[Problem]:
    """Every invalid variable name, and every assignment inside a Parallel branch or inline Map
    iteration of a variable of a scope around it."""
    problems: list[Problem] = []
    visible: dict[int, frozenset[str]] = {}
    for machine in machines(definition, subject):
        outer = _outer(machine, visible)
        own = {
            name
            for _, state in machine.states()
            for _, assign in state_assigns(state)
            for name in assigned_names(assign)
        }
        visible[id(machine)] = outer | own
        for state_name, state in machine.states():
            source = source_of(state_name) if source_of is not None else None
            for field, assign in state_assigns(state):
                for message in _assign_problems(assign, outer):
                    problems.append(
                        Problem(
                            machine.subject,
                            message,
                            scope=machine.scope,
                            state=state_name,
                            field=field,
                            source=source,
                        )
                    )
    return problems


def _outer(machine: Machine, visible: Mapping[int, frozenset[str]]) -> frozenset[str]:
    """The variables of the scopes around `machine` (none for a child execution's)."""
    if machine.parent is None or machine.distributed:
        return frozenset()
    return visible.get(id(machine.parent), frozenset())


def _assign_problems(assign: Any, outer: frozenset[str]) -> Iterator[str]:
    if assign is not None and not isinstance(assign, Mapping):
        yield "Assign must be a JSON object"
    for name in assigned_names(assign):
        message = _name_problem(name)
        if message is None and name in outer:
            message = (
                f"the variable ${name} belongs to an outer scope: a Parallel branch or "
                "Map iteration cannot assign it (variable names must be unique across "
                "nested scopes)"
            )
        if message is not None:
            yield message


def _name_problem(name: str) -> str | None:
    if not name:
        return "a variable name cannot be empty"
    if len(name) > MAX_VARIABLE_NAME_LENGTH:
        return f"the variable name {name!r} is longer than {MAX_VARIABLE_NAME_LENGTH} characters"
    if name == "states":
        return "$states is a reserved variable: it cannot be assigned"
    if any(ch in name for ch in ".[]$") or any(ch.isspace() for ch in name):
        return (
            f"invalid variable name {name!r}: assign a whole variable by its name "
            "(not a sub-path such as x.y or x[0])"
        )
    return None
