"""Compile an ASL definition once into runnable state objects, cached by its JSON text.

Parallel branches and Map processors are compiled recursively into their own `Graph`.
States this engine does not run (e.g. a JSONata-only field in a JSONPath state) still
compile: running one fails with ``States.Runtime`` naming the state and the feature.
A definition with workflow variables (``Assign``; names and scopes are validated by
`flowtasks.asl.validate_variables`) has its JSONPath states read variables.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.local.state import State

if TYPE_CHECKING:
    from flowtasks.local.engine import Runtime, Scope

__all__ = ["Graph", "compile_definition", "compile_graph"]

_UNSUPPORTED_FIELDS = ("Arguments", "Output", "Items")


@dataclass(frozen=True)
class Graph:
    """A compiled state machine, branch or item processor."""

    start_at: str
    states: dict[str, State]
    timeout: float | None
    query_language: str
    simple: bool
    """True when every state is a Pass, Choice, Succeed or Fail (no waits, no tasks)."""


class UnsupportedState(State):
    """A state whose feature the engine does not implement; running it fails clearly."""

    def __init__(self, name: str, spec: Mapping[str, Any], feature: str) -> None:
        self.kind = str(spec.get("Type", "Unknown"))  # type: ignore[misc]
        super().__init__(name, {})
        self.next = spec.get("Next")
        self.feature = feature

    def execute(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        raise StatesFailure(
            StatesErrorName.RUNTIME,
            f"State {self.name!r} uses {self.feature}, which the local engine does not support.",
        )


def _unsupported(spec: Mapping[str, Any], language: str) -> str | None:
    if spec.get("QueryLanguage", language) == "JSONata":
        return None
    for field in _UNSUPPORTED_FIELDS:
        if field in spec:
            return f"the JSONata field {field!r} in a JSONPath state"
    return None


def _compile_state(name: str, spec: Mapping[str, Any], language: str) -> State:
    feature = _unsupported(spec, language)
    if feature is not None:
        return UnsupportedState(name, spec, feature)
    language = spec.get("QueryLanguage", language)
    if language == "JSONata":
        from flowtasks.local.jsonata_states import JSONATA_STATES

        kinds = JSONATA_STATES
    else:
        kinds = _jsonpath_states()
    kind = kinds.get(spec.get("Type", ""))
    if kind is None:
        return UnsupportedState(name, spec, f"the state type {spec.get('Type')!r}")
    if spec.get("Type") in ("Parallel", "Map"):
        return kind(name, spec, language)  # type: ignore[call-arg]
    return kind(name, spec)


def _jsonpath_states() -> dict[str, type[State]]:
    from flowtasks.local.state_basic import (
        ChoiceState,
        FailState,
        PassState,
        SucceedState,
        WaitState,
    )
    from flowtasks.local.state_map import MapState
    from flowtasks.local.state_parallel import ParallelState
    from flowtasks.local.state_task import TaskState

    return {
        "Pass": PassState,
        "Choice": ChoiceState,
        "Wait": WaitState,
        "Succeed": SucceedState,
        "Fail": FailState,
        "Task": TaskState,
        "Parallel": ParallelState,
        "Map": MapState,
    }


_SIMPLE = frozenset({"Pass", "Choice", "Succeed", "Fail"})
"""States that cannot block: a Map over them runs its iterations in the calling thread."""


def compile_graph(spec: Mapping[str, Any], language: str = "JSONPath") -> Graph:
    """Compile a state machine / branch / processor object (``StartAt`` + ``States``)."""
    language = spec.get("QueryLanguage", language)
    states = {name: _compile_state(name, state, language) for name, state in spec["States"].items()}
    simple = all(state.get("Type") in _SIMPLE for state in spec["States"].values())
    timeout = spec.get("TimeoutSeconds")
    return Graph(
        start_at=spec["StartAt"],
        states=states,
        timeout=float(timeout) if isinstance(timeout, int | float) else None,
        query_language=language,
        simple=simple,
    )


_cache: dict[str, tuple[Graph, tuple[Any, ...]]] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 128


def compile_definition(definition: Mapping[str, Any] | str) -> tuple[dict[str, Any], Graph]:
    """Validate and compile a definition (dict or JSON text); cached by its JSON text.

    Raises `flowtasks.DefinitionError` listing every error-severity problem.
    """
    if isinstance(definition, str):
        text = definition
        try:
            parsed: dict[str, Any] = json.loads(text)
        except json.JSONDecodeError as exc:
            from flowtasks.errors import DefinitionError, Problem

            raise DefinitionError([Problem("definition", f"not valid JSON: {exc}")]) from None
    else:
        parsed = dict(definition)
        text = json.dumps(parsed, sort_keys=True)
    cached = _cache.get(text)
    if cached is not None:
        return parsed, cached[0]
    _validate(parsed)
    graph = compile_graph(parsed)
    if _check_variables(parsed):
        _enable_variables(graph)
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[text] = (graph, ())
    return parsed, graph


def _check_variables(definition: Mapping[str, Any]) -> bool:
    """Whether the definition uses variables (their names and scopes were validated)."""
    from flowtasks.local.variables import uses_variables

    return uses_variables(definition)


def _enable_variables(graph: Graph) -> None:
    """Let every JSONPath state of `graph` (nested graphs too) read variables in its paths."""
    for state in graph.states.values():
        if state.query_language == "JSONPath":
            state.enable_variables()
        inner: list[Graph] = list(getattr(state, "branches", ()))
        processor = getattr(state, "processor", None)
        if isinstance(processor, Graph):
            inner.append(processor)
        for nested in inner:
            _enable_variables(nested)


def _validate(definition: Mapping[str, Any]) -> None:
    from flowtasks.asl.validate import validate_definition
    from flowtasks.errors import DefinitionError

    problems = [p for p in validate_definition(dict(definition)) if p.severity == "error"]
    if problems:
        raise DefinitionError(problems, "state machine definition")
