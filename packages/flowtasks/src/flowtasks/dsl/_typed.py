"""Typed task input/output: pydantic models and dataclasses at the JSON boundary.

pydantic is optional: without it, dataclasses are built from the payload's keys (missing keys
raise TypeError, unknown keys are ignored as pydantic does) without type checks.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable
from functools import lru_cache
from typing import Any

_EMPTY = inspect.Parameter.empty
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def signature_problem(function: Callable[..., Any]) -> str | None:
    """Why `function` cannot be a task, or None.

    The contract: the runner calls the function with the state input as its one positional
    argument (its first positional parameter, or ``*args``), or with no argument when it has
    neither; so every other parameter, keyword-only ones included, must have a default.
    """
    try:
        params = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):  # no introspectable signature (some builtins): trust it
        return None
    name = getattr(function, "__qualname__", repr(function))
    positional = [p for p in params if p.kind in _POSITIONAL]
    required = [
        p.name
        for p in params
        if p.default is _EMPTY
        and (p.kind is inspect.Parameter.KEYWORD_ONLY or (p in positional and p != positional[0]))
    ]
    if required:
        first = [positional[0].name] if positional and positional[0].default is _EMPTY else []
        return (
            f"{name} takes {len(first) + len(required)} required arguments "
            f"({', '.join(first + required)}); a task function takes one (the state input) or "
            "none, and any other parameter needs a default: the runner passes only the input"
        )
    return None


@lru_cache(maxsize=1024)
def signature_types(function: Callable[..., Any]) -> tuple[bool, Any, Any]:
    """(takes the input?, input annotation or None, output annotation or None).

    The input goes to the first positional parameter (or ``*args``); a function with neither is
    called with no argument. See `signature_problem` for the functions a task accepts.
    """
    params = list(inspect.signature(function).parameters.values())
    try:
        hints = typing.get_type_hints(function)
    except Exception:  # unresolvable annotations: treat the function as untyped
        hints = {}
    first = next(
        (p for p in params if p.kind in _POSITIONAL or p.kind is inspect.Parameter.VAR_POSITIONAL),
        None,
    )
    arg_type = None
    if first is not None and first.kind is not inspect.Parameter.VAR_POSITIONAL:
        arg_type = hints.get(first.name)
    return first is not None, _typed_class(arg_type), _typed_class(hints.get("return"))


def _typed_class(annotation: Any) -> Any:
    if isinstance(annotation, type) and (
        dataclasses.is_dataclass(annotation) or _is_pydantic_model(annotation)
    ):
        return annotation
    return None


def _is_pydantic_model(cls: type) -> bool:
    return any(
        base.__module__.startswith("pydantic") and base.__name__ == "BaseModel"
        for base in cls.__mro__
    )


def call(function: Callable[..., Any], payload: Any) -> Any:
    """Validate `payload` into the declared input type, call, convert the result to JSON data."""
    takes_input, in_type, out_type = signature_types(function)
    if not takes_input:
        result = function()
    else:
        result = function(to_typed(in_type, payload) if in_type is not None else payload)
    if out_type is not None and not isinstance(result, out_type):
        raise TypeError(
            f"{function.__qualname__} returned {type(result).__name__}, "
            f"declared {out_type.__name__}"
        )
    return to_json_data(result)


def to_typed(cls: Any, payload: Any) -> Any:
    """`payload` validated into `cls` (a pydantic model or a dataclass)."""
    if _is_pydantic_model(cls):
        return cls.model_validate(payload)
    try:
        import pydantic
    except ImportError:
        return _dataclass_of(cls, payload)
    return pydantic.TypeAdapter(cls).validate_python(payload)


def _dataclass_of(cls: Any, payload: Any) -> Any:
    if not isinstance(payload, dict):
        raise TypeError(f"{cls.__name__} expects a JSON object, got {type(payload).__name__}")
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    missing = sorted(
        f.name
        for f in dataclasses.fields(cls)
        if f.init
        and f.name not in payload
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    )
    if missing:
        raise TypeError(f"{cls.__name__} is missing field(s) {', '.join(missing)}")
    return cls(**{k: v for k, v in payload.items() if k in names})


def to_json_data(value: Any) -> Any:
    """pydantic models and dataclass instances as plain JSON-able data; anything else as is."""
    if _is_pydantic_model(type(value)):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        try:
            import pydantic
        except ImportError:
            return dataclasses.asdict(value)
        return pydantic.TypeAdapter(type(value)).dump_python(value, mode="json")
    return value
