"""The base of every compiled state, and the compiled forms of its I/O fields.

A state is compiled once per definition. `execute(rt, scope, value, entered_time)` returns the
state's output and the name of the next state (None at an end) or raises `StatesFailure`.
The I/O fields follow the documented order
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html):
InputPath -> Parameters -> (work) -> ResultSelector -> ResultPath -> OutputPath. The common
``"$"`` cases skip the path machinery entirely (identity), which is most of every run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from flowtasks.expressions.jsonpath import ContextObject
from flowtasks.local.context import state_context

if TYPE_CHECKING:
    from flowtasks.local.engine import Runtime, Scope
    from flowtasks.local.variables import Assigner

__all__ = [
    "Reader",
    "State",
    "Writer",
    "input_path",
    "item_context",
    "output_path",
    "result_path",
    "template",
]

Reader = Callable[[Any, Any], Any]
Writer = Callable[[Any, Any], Any]


def input_path(spec: Mapping[str, Any]) -> Reader | None:
    """InputPath as a reader, or None for the default ``$`` (the input itself)."""
    if "InputPath" in spec and spec["InputPath"] != "$":
        from flowtasks.expressions.payload import compile_input_path

        return compile_input_path(spec["InputPath"])
    return None


def output_path(spec: Mapping[str, Any]) -> Reader | None:
    """OutputPath as a reader, or None for the default ``$``."""
    if "OutputPath" in spec and spec["OutputPath"] != "$":
        from flowtasks.expressions.payload import compile_output_path

        return compile_output_path(spec["OutputPath"])
    return None


def result_path(spec: Mapping[str, Any], key: str = "ResultPath") -> Writer | None:
    """ResultPath as a writer(state_input, result), or None for the default ``$`` (the result)."""
    if key in spec and spec[key] != "$":
        from flowtasks.expressions.jsonpath import compile_result_path

        return compile_result_path(spec[key])
    return None


def template(value: Any) -> Reader | None:
    """A Parameters-like template (``.$`` keys, intrinsics) as an evaluator; None when absent."""
    if value is None:
        return None
    from flowtasks.expressions.payload import compile_template

    return compile_template(value)


def item_context(ctx: dict[str, Any], index: int, item: Any) -> dict[str, Any]:
    """`ctx` with ``Map.Item`` (a Map iteration's ``$$``), keeping its variables if any."""
    if type(ctx) is dict:
        return {**ctx, "Map": {"Item": {"Index": index, "Value": item}}}
    extended = ContextObject(ctx, getattr(ctx, "variables", None))
    extended["Map"] = {"Item": {"Index": index, "Value": item}}
    return extended


class State:
    """A compiled state. Subclasses set `kind` and implement `execute`.

    `enable_variables` is called (by `flowtasks.local.graph`) on the JSONPath states of a
    definition that has an ``Assign`` somewhere: their context object then also carries the
    scope's variables (`flowtasks.expressions.jsonpath.ContextObject`), so that paths can read
    ``$name``. Definitions without variables never pay for them.
    """

    kind: ClassVar[str] = ""
    has_exit: ClassVar[bool] = True
    query_language: ClassVar[str] = "JSONPath"
    with_variables: bool = False

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        self.name = name
        self.spec = spec
        self.next: str | None = spec.get("Next")
        self.entered = f"{self.kind}StateEntered"
        self.exited: str | None = f"{self.kind}StateExited" if self.has_exit else None
        self.input_path = input_path(spec)
        self.output_path = output_path(spec)

    def context(
        self,
        rt: Runtime,
        entered_time: str,
        retry_count: int | None = None,
        scope: Scope | None = None,
    ) -> dict[str, Any]:
        """The context object (``$$``) of this state (`scope` is for `variable_context`)."""
        return state_context(rt.execution, rt.machine, self.name, entered_time, retry_count)

    def variable_context(
        self,
        rt: Runtime,
        entered_time: str,
        retry_count: int | None = None,
        scope: Scope | None = None,
    ) -> dict[str, Any]:
        """`context` for a definition with variables: it also carries `scope`'s variables."""
        ctx = state_context(rt.execution, rt.machine, self.name, entered_time, retry_count)
        return ctx if scope is None else ContextObject(ctx, scope.variables)

    def enable_variables(self) -> None:
        """Make `context` carry the scope's variables (so paths can read ``$name``)."""
        self.with_variables = True
        self.context = self.variable_context  # type: ignore[method-assign]

    def compile_assign(self, spec: Mapping[str, Any]) -> Assigner | None:
        """`spec`'s JSONPath ``Assign`` as an evaluator (None when absent or not JSONPath)."""
        if self.query_language != "JSONPath" or "Assign" not in spec:
            return None
        from flowtasks.local.variables import compile_assign

        return compile_assign(spec["Assign"])

    def execute(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        raise NotImplementedError

    def finish(self, state_input: Any, result: Any, ctx: Any, writer: Writer | None) -> Any:
        """ResultPath then OutputPath."""
        output = result if writer is None else writer(state_input, result)
        if self.output_path is not None:
            output = self.output_path(output, ctx)
        return output
