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


@lru_cache(maxsize=1024)
def signature_types(function: Callable[..., Any]) -> tuple[int, Any, Any]:
    """(number of parameters, input annotation or None, output annotation or None)."""
    params = list(inspect.signature(function).parameters.values())
    try:
        hints = typing.get_type_hints(function)
    except Exception:  # unresolvable annotations: treat the function as untyped
        hints = {}
    arg_type = hints.get(params[0].name) if params else None
    return len(params), _typed_class(arg_type), _typed_class(hints.get("return"))


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
    count, in_type, out_type = signature_types(function)
    if count == 0:
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
