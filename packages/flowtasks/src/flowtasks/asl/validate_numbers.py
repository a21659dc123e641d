"""Checks of the numeric fields of every state (part of `flowtasks.asl.validate`).

Step Functions refuses a definition whose numeric fields have the wrong type when it is created
(``CreateStateMachine``), so a run never starts. The ranges come from the developer guide:

- Wait ``Seconds``: "an integer value from 0 to 99999999" (state-wait.html);
- Task ``TimeoutSeconds`` and ``HeartbeatSeconds``: "a positive, non-zero integer"
  (state-task.html);
- Map ``MaxConcurrency``: an integer, 0 for no limit; ``ToleratedFailureCount``: a
  non-negative integer; ``ToleratedFailurePercentage``: "a number between zero and 100"
  (state-map.html, maprun-fail-threshold.html).

In a JSONata state each of them may be a ``{% ... %}`` expression instead (checked when run).
Retry fields and the machine's ``TimeoutSeconds`` are checked in `flowtasks.asl.validate` itself.
A typical culprit is an unsubstituted ``${Placeholder}`` of DefinitionSubstitutions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowtasks.asl.walk import walk
from flowtasks.errors import Problem
from flowtasks.limits import MAX_WAIT_SECONDS

__all__ = ["number_problems"]

# field -> (kind, lowest, highest): kind "int" needs an integer, "number" any number.
_FIELDS: dict[str, dict[str, tuple[str, float, float | None]]] = {
    "Wait": {"Seconds": ("int", 0, MAX_WAIT_SECONDS)},
    "Task": {"TimeoutSeconds": ("int", 1, None), "HeartbeatSeconds": ("int", 1, None)},
    "Map": {
        "MaxConcurrency": ("int", 0, None),
        "ToleratedFailureCount": ("int", 0, None),
        "ToleratedFailurePercentage": ("number", 0, 100),
    },
}


def number_problems(definition: Mapping[str, Any], subject: str = "definition") -> list[Problem]:
    """Every numeric field of every state (nested ones too) that Step Functions would refuse."""
    problems = []
    for state in walk(definition, subject):
        jsonata = state.language == "JSONata"
        for field, (kind, low, high) in _FIELDS.get(str(state.spec.get("Type")), {}).items():
            if field in state.spec:
                message = _problem(state.spec[field], kind, low, high, jsonata)
                if message is not None:
                    problems.append(
                        Problem(
                            state.machine.subject,
                            f"state {state.name!r}: {field} {message}",
                            scope=state.machine.scope,
                            state=state.name,
                            field=field,
                        )
                    )
    return problems


def _problem(value: Any, kind: str, low: float, high: float | None, jsonata: bool) -> str | None:
    if jsonata and isinstance(value, str) and value.startswith("{%") and value.endswith("%}"):
        return None
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and kind == "int" and isinstance(value, float) and value.is_integer():
        value = int(value)
    whole = kind == "number" or isinstance(value, int)
    if number and whole and value >= low and (high is None or value <= high):
        return None
    what = "an integer" if kind == "int" else "a number"
    bounds = f" from {low:.0f} to {high:.0f}" if high is not None else f" >= {low:.0f}"
    hint = " (an unsubstituted DefinitionSubstitutions placeholder?)" if "${" in str(value) else ""
    also = " or a {% ... %} expression" if jsonata else ""
    return f"must be {what}{bounds}{also}, not {value!r}{hint}"
