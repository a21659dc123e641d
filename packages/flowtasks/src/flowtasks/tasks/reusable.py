"""Reusable flow tasks: a plain function, configured per use, becomes an ordinary Task state.

::

    def archive(bucket: str, day: str, *, dry_run: bool = False) -> dict[str, Any]: ...

    archive_task = reusable_task(archive, name="archive_task")   # at module level

    # in a flow: static values now, runtime values from the state input by Var("$...")
    archive_task(bucket="reports", day=Var("$.day"), name="ArchiveDay", retry=Retry(...))

Calling the factory returns a `TaskState` whose own parameters carry the arguments: a static
value as it is, a ``Var("$.path")`` as ``"<arg>.$": "$.path"``. It compiles to the same ASL as
any ``@task`` with parameters (they reach the task as its input, see `flowtasks.protocol`), runs
through ``flow-task state`` and the local engine alike, and the runner calls
``function(**arguments)``. Arguments are checked when the flow is defined (unknown or missing
names, values that are not JSON, and the factory's own `check`), so mistakes surface at compile
time, not in AWS. Values are part of the flow's definition: pass connection *names*, never
secrets.

State options (``name``, ``comment``, ``retry``, ``catch``, ``timeout_seconds``,
``heartbeat_seconds``, ``compute``, ``cpu``, ``memory``, ``result_selector``, ``result_path``,
``output_path``, ``permissions``) configure the state itself, so a reusable function may not
use those names.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from flowtasks.dsl._typed import to_json_data
from flowtasks.dsl.conditions import Var
from flowtasks.dsl.task import TaskState, state_name_of

__all__ = ["STATE_OPTIONS", "ReusableTask", "reusable_task"]

STATE_OPTIONS = frozenset(
    {
        "name",
        "comment",
        "retry",
        "catch",
        "timeout_seconds",
        "heartbeat_seconds",
        "compute",
        "cpu",
        "memory",
        "result_selector",
        "result_path",
        "output_path",
        "permissions",
    }
)
"""Keyword arguments of a factory call that configure the state, not the function."""

Check = Callable[[Mapping[str, Any]], None]


class ReusableTask:
    """A factory of Task states running `wrapped` (see the module doc).

    `function` is what the container calls: one JSON object in, `wrapped(**object)` out.
    """

    def __init__(
        self, wrapped: Callable[..., Any], *, name: str, state: str, check: Check | None = None
    ) -> None:
        self.wrapped = wrapped
        self.state = state
        self.check = check
        self.__name__ = name
        self.__qualname__ = name
        self.__module__ = wrapped.__module__
        self.__doc__ = wrapped.__doc__
        self.parameters = _parameters(wrapped, name)
        self.function = _runner(self)

    def __repr__(self) -> str:
        return f"<reusable task {self.__module__}.{self.__qualname__}>"

    def __call__(self, **arguments: Any) -> TaskState[Any, Any]:
        """A Task state calling the function with `arguments` (``Var`` values read at run time).

        Raises TypeError for an unknown or missing argument or a value that is not JSON, and
        ValueError when the factory's check refuses a static value.
        """
        options = {k: arguments.pop(k) for k in list(arguments) if k in STATE_OPTIONS}
        name = options.pop("name", None) or self.state
        unknown = sorted(set(arguments) - set(self.parameters))
        if unknown:
            raise TypeError(
                f"{self.__qualname__}() got unknown argument(s) {', '.join(unknown)}; it takes "
                f"{', '.join(self.parameters) or 'none'} and the state options "
                f"({', '.join(sorted(STATE_OPTIONS))})"
            )
        missing = [k for k, required in self.parameters.items() if required and k not in arguments]
        if missing:
            raise TypeError(
                f"{self.__qualname__}() needs argument(s) {', '.join(missing)}: a value, or "
                "Var('$.path') to take it from the state input"
            )
        parameters: dict[str, Any] = {}
        static: dict[str, Any] = {}
        for key, value in arguments.items():
            if isinstance(value, Var):
                parameters[f"{key}.$"] = value.path
                continue
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError):
                raise TypeError(
                    f"{self.__qualname__}() argument {key} must be JSON data (str, number, bool, "
                    f"None, list, dict) or a Var, not {type(value).__name__}"
                ) from None
            parameters[key] = value
            static[key] = value
        if self.check is not None:
            self.check(static)
        return TaskState(
            name,
            function=self.function,
            parameters=parameters,
            source=_caller(),
            **options,
        )


def reusable_task(
    wrapped: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    state: str | None = None,
    check: Check | None = None,
) -> Any:
    """Make `wrapped` a `ReusableTask`; as a decorator (``@reusable_task``) or a call.

    `name` is the module attribute the result is assigned to (default: the function's name; the
    container finds the task through it). `state` is the default state name (default: derived
    from `name`, without a ``_task`` suffix). `check` receives the static arguments of each use
    and raises ValueError for a bad one.
    """

    def make(function: Callable[..., Any]) -> ReusableTask:
        attribute = name or function.__name__
        default_state = state or state_name_of(_named(attribute.removesuffix("_task")))
        return ReusableTask(function, name=attribute, state=default_state, check=check)

    if wrapped is not None:
        return make(wrapped)
    return make


def _named(text: str) -> Callable[..., Any]:
    def stub() -> None: ...

    stub.__name__ = text
    return stub


def _parameters(function: Callable[..., Any], name: str) -> dict[str, bool]:
    """{parameter: required?} of `function`; refuses signatures a JSON object cannot call."""
    result: dict[str, bool] = {}
    for param in inspect.signature(function).parameters.values():
        if param.kind in (param.POSITIONAL_ONLY, param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(
                f"reusable task {name}: parameter {param.name} must be a named parameter "
                "(no positional-only, *args or **kwargs): arguments arrive by name"
            )
        if param.name in STATE_OPTIONS:
            raise TypeError(
                f"reusable task {name}: parameter {param.name} clashes with a state option; "
                "rename it"
            )
        result[param.name] = param.default is inspect.Parameter.empty
    return result


def _runner(task: ReusableTask) -> Callable[[Any], Any]:
    def run(payload: Any) -> Any:
        if not isinstance(payload, dict):
            raise TypeError(
                f"{task.__qualname__} expects its parameters as a JSON object, "
                f"got {type(payload).__name__}"
            )
        unknown = sorted(set(payload) - set(task.parameters))
        if unknown:
            raise TypeError(f"{task.__qualname__} got unknown argument(s) {', '.join(unknown)}")
        missing = [k for k, required in task.parameters.items() if required and k not in payload]
        if missing:
            raise TypeError(f"{task.__qualname__} needs argument(s) {', '.join(missing)}")
        return _json(task.wrapped(**payload))

    run.__module__ = task.__module__
    run.__qualname__ = task.__qualname__
    run.__name__ = task.__name__
    run.__doc__ = f"Run {task.__qualname__} on a JSON object of its arguments."
    return run


def _json(value: Any) -> Any:
    """`value` as JSON data: dataclasses and pydantic models converted, also inside lists."""
    value = to_json_data(value)
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    return value


def _caller() -> str:
    """``file.py:line`` of the code that called the factory (for compile problems)."""
    frame = sys._getframe(2)
    try:
        rel = os.path.relpath(frame.f_code.co_filename)
    except ValueError:
        rel = frame.f_code.co_filename
    path = frame.f_code.co_filename if rel.startswith("..") else rel
    return f"{path}:{frame.f_lineno}"
