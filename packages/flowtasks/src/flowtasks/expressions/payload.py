"""Payload templates and the InputPath / OutputPath filters, compiled once into closures.

Payload templates are Parameters, ResultSelector, ItemSelector (and Map's older Parameters): a
key ending in ``.$`` takes a path (``$...``), a context path (``$$...``) or an intrinsic
function, and loses its ``.$`` suffix in the output; this works at any depth, in objects inside
arrays too (ASL spec, "Payload Template"; AWS developer guide, "Manipulate parameters in Step
Functions workflows").

Failures follow what Step Functions reports (causes as AWS words them, without the
``An error occurred while executing the state '...' (entered at the event id #n). `` prefix
that the engine adds):

- a template path selecting nothing: ``States.Runtime``, cause ``The JSONPath '$.x' specified
  for the field 'x.$' could not be found in the input '<input JSON>'``;
- an InputPath / OutputPath selecting nothing: ``States.Runtime``, cause
  ``Invalid path '$.x' : No results for path: $['x']``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.expressions.intrinsic_parser import compile_intrinsic, is_intrinsic
from flowtasks.expressions.jsonpath import PathNotFound, compile_path

__all__ = [
    "TemplateError",
    "compile_input_path",
    "compile_output_path",
    "compile_template",
]

Evaluator = Callable[[Any, Any], Any]


class TemplateError(ValueError):
    """A payload template is malformed (e.g. a ``.$`` key whose value is not a path)."""


def compile_template(template: Any) -> Evaluator:
    """Compile a payload template into ``evaluate(data, context) -> new JSON value``.

    `data` is the effective input (``$``), `context` the context object (``$$``). Every call
    builds new containers for the template's own objects and arrays; values selected by paths
    are the input's objects themselves (not copied). Raises `TemplateError` for a malformed
    template.
    """
    gen = _Generator()
    expr = gen.expr(template, "")
    if gen.nodes > _MAX_GENERATED_NODES:
        return _compile(template, "")
    source = (
        "def evaluate(data, context):\n"
        "    try:\n"
        f"        return {expr}\n"
        "    except PathNotFound as exc:\n"
        "        raise missing(exc, data, context) from None\n"
    )
    fields = gen.fields

    def missing(exc: PathNotFound, data: Any, context: Any) -> StatesFailure:
        field = fields.get(exc.path)
        if field is None:  # not one of ours: report it as it is
            return StatesFailure(StatesErrorName.RUNTIME, str(exc))
        key, use_context = field
        return _not_found(exc.path, key, context if use_context else data)

    namespace: dict[str, Any] = {**gen.names, "PathNotFound": PathNotFound, "missing": missing}
    try:
        exec(compile(source, "<payload template>", "exec"), namespace)
    except (RecursionError, MemoryError, SyntaxError):  # absurdly deep templates
        return _compile(template, "")
    evaluate: Evaluator = namespace["evaluate"]
    return evaluate


_MAX_GENERATED_NODES = 5000
"""Beyond this size a template is evaluated by nested closures instead of generated code."""


def _to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _not_found(path: str, key: str, source: Any) -> StatesFailure:
    return StatesFailure(
        StatesErrorName.RUNTIME,
        f"The JSONPath '{path}' specified for the field '{key}' could not be found "
        f"in the input '{_to_json(source)}'",
    )


class _Generator:
    """Turns a template into one Python expression over bound names (readers, constants)."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {}
        self.fields: dict[str, tuple[str, bool]] = {}  # path -> (first ".$" key using it, $$?)
        self.nodes = 0

    def bind(self, value: Any) -> str:
        name = f"_v{len(self.names)}"
        self.names[name] = value
        return name

    def expr(self, node: Any, where: str) -> str:
        self.nodes += 1
        if isinstance(node, dict):
            parts = []
            for key, value in node.items():
                at = f"{where}.{key}".lstrip(".")
                if isinstance(key, str) and key.endswith(".$"):
                    parts.append(f"{key[:-2]!r}: {self.dynamic(key, value, at)}")
                else:
                    parts.append(f"{key!r}: {self.expr(value, at)}")
            return "{" + ", ".join(parts) + "}"
        if isinstance(node, list):
            items = [self.expr(item, f"{where}[{i}]") for i, item in enumerate(node)]
            return "[" + ", ".join(items) + ("," if len(items) == 1 else "") + "]"
        return self.bind(node)

    def dynamic(self, key: str, value: Any, where: str) -> str:
        evaluator, intrinsic = _compile_source(value, where)
        if not intrinsic:
            self.fields.setdefault(value, (key, value.lstrip().startswith("$$")))
        return f"{self.bind(evaluator)}(data, context)"


def _compile_source(value: Any, where: str) -> tuple[Evaluator, bool]:
    """A ``.$`` field's intrinsic or path, compiled, and whether it is an intrinsic."""
    _check_dynamic(value, where)
    intrinsic = is_intrinsic(value)
    try:
        return (compile_intrinsic(value) if intrinsic else compile_path(value)), intrinsic
    except ValueError as exc:
        raise TemplateError(f"{where}: {exc}") from None


def _check_dynamic(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise TemplateError(
            f"{where}: a field ending in '.$' must have a string value (a path or an "
            f"intrinsic function), got {_to_json(value)}"
        )
    if not value.lstrip().startswith("$") and not is_intrinsic(value):
        raise TemplateError(
            f"{where}: {value!r} is neither a path ('$...', '$$...') nor an intrinsic function"
        )


# Closure-based evaluation: the fallback for templates too large for generated code.


def _compile(node: Any, where: str) -> Evaluator:
    if isinstance(node, dict):
        fields: list[tuple[str, Evaluator]] = []
        for key, value in node.items():
            at = f"{where}.{key}".lstrip(".")
            if key.endswith(".$"):
                fields.append((key[:-2], _compile_dynamic(key, value, at)))
            else:
                fields.append((key, _compile(value, at)))
        pairs = tuple(fields)
        return lambda data, context: {k: ev(data, context) for k, ev in pairs}
    if isinstance(node, list):
        items = tuple(_compile(item, f"{where}[{i}]") for i, item in enumerate(node))
        return lambda data, context: [item(data, context) for item in items]
    return lambda data, context: node


def _compile_dynamic(key: str, value: Any, where: str) -> Evaluator:
    reader, intrinsic = _compile_source(value, where)
    if intrinsic:
        return reader
    use_context = value.lstrip().startswith("$$")

    def read(data: Any, context: Any) -> Any:
        try:
            return reader(data, context)
        except PathNotFound:
            raise _not_found(value, key, context if use_context else data) from None

    return read


def _filter_path(path: str | None, field: str) -> Evaluator:
    if path is None:
        return lambda data, context: {}
    if path == "$":
        return lambda data, context: data
    try:
        reader = compile_path(path)
    except ValueError as exc:
        raise TemplateError(f"{field}: {exc}") from None

    def select(data: Any, context: Any) -> Any:
        try:
            return reader(data, context)
        except PathNotFound as exc:
            raise StatesFailure(StatesErrorName.RUNTIME, f"Invalid path '{path}' : {exc}") from None

    return select


def compile_input_path(path: str | None) -> Evaluator:
    """InputPath: ``"$"`` (the default) passes the input; ``None`` (JSON null) gives ``{}``.

    A path selecting nothing raises `StatesFailure` ``States.Runtime``.
    """
    return _filter_path(path, "InputPath")


def compile_output_path(path: str | None) -> Evaluator:
    """OutputPath: ``"$"`` (the default) passes the output; ``None`` (JSON null) gives ``{}``.

    A path selecting nothing raises `StatesFailure` ``States.Runtime``.
    """
    return _filter_path(path, "OutputPath")
