"""Workflow variables: the ``Assign`` field, its limits, and the names it may use.

https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html ("Passing data
between states with variables"):

- Pass, Task, Map, Parallel, Choice (each rule, and the state for its Default) and Wait states,
  and Catch entries, may have ``Assign``; Succeed and Fail may not.
- In a JSONPath state, ``Assign`` is a payload template: a key ending in ``.$`` takes a path
  (``$...``, ``$$...``, ``$name...``) or an intrinsic function, other values are literals
  (a string such as ``"$.x"`` without ``.$`` is kept as it is). ``$`` is the state's result: a
  Task, Map or Parallel state's raw result (before ResultSelector), a Pass state's Result (else
  its Parameters output, else its effective input), a Choice or Wait state's effective input,
  a catcher's error output ``{"Error", "Cause"}``.
- Every value of one ``Assign`` is evaluated with the variables as they were when the state was
  entered, and so are the state's other fields (OutputPath, Output); the new values are set
  together once the state's output is known.
- Scope: a Parallel branch or inline Map iteration reads the variables of the scopes around it
  and keeps its own assignments; it cannot assign a variable of an outer scope (names must be
  unique across nested scopes); a Distributed Map's child executions see no outer variable.
- Limits: 256 KiB for one variable, 256 KiB for all the values of one ``Assign``, 10 MiB for
  all the variables stored; a name has at most 80 characters and cannot be a sub-path
  (``x.y``, ``x[0]``); ``$states`` is reserved.

The page does not name the error of a value over a size limit: this engine fails the state with
``States.DataLimitExceeded``, the error of Step Functions' other payload size limits.
The history records what a state assigned in its ``*StateExited`` event, as GetExecutionHistory
does: ``assignedVariables`` (name -> JSON text) and ``assignedVariablesDetails``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.expressions.jsonpath import ContextObject
from flowtasks.limits import (
    MAX_ASSIGN_BYTES,
    MAX_VARIABLE_BYTES,
    MAX_VARIABLES_BYTES,
)
from flowtasks.local.limits import dumps

if TYPE_CHECKING:
    from flowtasks.local.engine import Scope

__all__ = [
    "Assigner",
    "assign_variables",
    "compile_assign",
    "uses_variables",
]


Assigner = Callable[[Any, Any], dict[str, Any]]
"""assign(data, context) -> {name: value}: a compiled JSONPath ``Assign``."""


def compile_assign(assign: Any) -> Assigner | None:
    """A JSONPath ``Assign`` object as an evaluator (None when absent or empty)."""
    if not assign or not isinstance(assign, Mapping):
        return None
    from flowtasks.expressions.payload import compile_template

    evaluate: Assigner = compile_template(dict(assign))
    return evaluate


def _size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _too_big(message: str, size: int, limit: int) -> StatesFailure:
    return StatesFailure(
        StatesErrorName.DATA_LIMIT_EXCEEDED,
        f"{message} {size} bytes, which exceeds the maximum of {limit} bytes.",
    )


def assign_variables(scope: Scope, values: Mapping[str, Any], state: str) -> None:
    """Set `values` in `scope` (checking the size limits) and note them for the history.

    Raises `StatesFailure` ``States.DataLimitExceeded`` (nothing set) beyond a limit. An empty
    ``Assign`` records nothing (LocalStack test_base_cases[BASE_EMPTY], recorded against AWS).
    """
    if not values:
        return
    texts: dict[str, str] = {}
    sizes: dict[str, int] = {}
    combined = 0
    for name, value in values.items():
        text = dumps(value)
        size = _size(text)
        if size > MAX_VARIABLE_BYTES:
            message = f"The variable ${name} assigned by state {state!r} has a size of"
            raise _too_big(message, size, MAX_VARIABLE_BYTES)
        texts[name] = text
        sizes[name] = size
        combined += size
    if combined > MAX_ASSIGN_BYTES:
        message = f"The values assigned by state {state!r} (Assign) have a combined size of"
        raise _too_big(message, combined, MAX_ASSIGN_BYTES)
    stored = scope.sizes
    total = scope.stored + combined - sum(stored.get(name, 0) for name in sizes)
    if total > MAX_VARIABLES_BYTES:
        message = f"After state {state!r}, the variables stored would have a combined size of"
        raise _too_big(message, total, MAX_VARIABLES_BYTES)
    variables = scope.variables
    for name, value in values.items():
        # "$$" selects the context object itself, which carries the variables: keep its data.
        variables[name] = dict(value) if isinstance(value, ContextObject) else value
    stored.update(sizes)
    scope.stored = total
    scope.assigned = texts


def uses_variables(definition: Mapping[str, Any]) -> bool:
    """Whether any state of `definition` (nested ones included) assigns variables."""
    from flowtasks.asl.validate_variables import state_assigns
    from flowtasks.asl.walk import walk

    return any(any(True for _ in state_assigns(state.spec)) for state in walk(definition))
