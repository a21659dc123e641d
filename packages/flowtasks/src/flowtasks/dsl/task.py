"""``@task``: a plain Python function (JSON in, JSON out) becomes a Task state.

The function takes its input as its only required parameter (positional; or no parameter at all)
and returns the state's result; any other parameter needs a default (compiling the flow reports
a function that breaks this, see `flowtasks.dsl._typed.signature_problem`).
When the argument or return annotation is a pydantic model or a dataclass, `TaskState.call`
validates the input into it and turns the returned object back into JSON-able data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, ParamSpec, TypeVar, overload

from flowtasks.dsl import _typed
from flowtasks.dsl._unset import UNSET, Unset
from flowtasks.dsl.chain import State, catches, retries
from flowtasks.dsl.permissions import Permission
from flowtasks.dsl.retry import Catch, Retry
from flowtasks.dsl.states import dataflow_fields

P = ParamSpec("P")
R = TypeVar("R")

Compute = Literal["ecs", "lambda"]


def state_name_of(function: Callable[..., Any]) -> str:
    """The derived state name: ``fetch_orders`` -> ``FetchOrders`` (stable across runs)."""
    parts = function.__name__.strip("_").split("_")
    return "".join(p[:1].upper() + p[1:] for p in parts if p) or function.__name__


@dataclass(frozen=True)
class TaskState(State, Generic[P, R]):
    """A Task state that runs `function` in the domain's container (ECS) or as a Lambda.

    Calling the task state calls the function unchanged (handy in unit tests).

    - ``timeout_seconds``: fail with ``States.Timeout`` after this long (AWS default: none for
      ``.waitForTaskToken`` tasks besides the execution's own limit).
    - ``heartbeat_seconds``: fail with ``States.Timeout`` (what AWS reports) without a
      heartbeat this long.
    - ``retry`` / ``catch``: `Retry` / `Catch` rules, in order.
    - ``compute``: ``"ecs"`` (Fargate, default) or ``"lambda"`` (short tasks, <= 15 minutes).
    - ``cpu`` / ``memory``: ECS task size overrides (CPU units, MiB); None keeps the task
      definition's.
    - ``parameters``: the task's own input template; each top-level key reaches the function
      as a key of its input (``FLOWTASKS_PARAM_<key>``).
    - ``permissions``: `Permission` s the task needs in AWS; its stack grants them to the task
      role (`flowtasks.dsl.permissions`).
    """

    function: Callable[P, R] = field(default=None, repr=False)  # type: ignore[assignment]
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None
    retry: Retry | Sequence[Retry] | None = None
    catch: Catch | Sequence[Catch] | None = None
    compute: Compute = "ecs"
    cpu: int | None = None
    memory: int | None = None
    input_path: str | Unset | None = UNSET
    parameters: Any = UNSET
    result_selector: Any = UNSET
    result_path: str | Unset | None = UNSET
    output_path: str | Unset | None = UNSET
    permissions: Sequence[Permission] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if not callable(self.function):
            raise TypeError(f"task {self.name!r} needs a function")
        object.__setattr__(self, "permissions", _permissions(self.name, self.permissions))
        object.__setattr__(self, "retry", retries(self.retry))
        object.__setattr__(self, "catch", catches(self.catch))

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.function(*args, **kwargs)

    def call(self, payload: Any) -> Any:
        """Run the function on a JSON `payload` as the runner does; return JSON-able data.

        Typed input is validated first (pydantic ``ValidationError`` / ``TypeError`` on bad
        input); whatever the function raises propagates unchanged.
        """
        return _typed.call(self.function, payload)

    def asl_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"Type": "Task"}
        if self.timeout_seconds is not None:
            fields["TimeoutSeconds"] = self.timeout_seconds
        if self.heartbeat_seconds is not None:
            fields["HeartbeatSeconds"] = self.heartbeat_seconds
        return fields | {k: v for k, v in dataflow_fields(self).items() if k != "Parameters"}


@overload
def task(function: Callable[P, R], /) -> TaskState[P, R]: ...


@overload
def task(
    *,
    name: str | None = None,
    comment: str | None = None,
    timeout_seconds: int | None = None,
    heartbeat_seconds: int | None = None,
    retry: Retry | Sequence[Retry] | None = None,
    catch: Catch | Sequence[Catch] | None = None,
    compute: Compute = "ecs",
    cpu: int | None = None,
    memory: int | None = None,
    input_path: str | Unset | None = UNSET,
    parameters: Any = UNSET,
    result_selector: Any = UNSET,
    result_path: str | Unset | None = UNSET,
    output_path: str | Unset | None = UNSET,
    permissions: Sequence[Permission] = (),
) -> Callable[[Callable[P, R]], TaskState[P, R]]: ...


def task(
    function: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    **options: Any,
) -> TaskState[P, R] | Callable[[Callable[P, R]], TaskState[P, R]]:
    """Make `function` a Task state: ``@task`` or ``@task(name="Fetch", retry=Retry(...))``.

    The state name is `name`, else derived from the function name (``load_rows`` -> ``LoadRows``).
    Use ``.with_(name="LoadAgain")`` for a second use of the same task in one flow.
    """

    def decorate(fn: Callable[P, R]) -> TaskState[P, R]:
        return TaskState(name or state_name_of(fn), function=fn, **options)

    if function is not None:
        return decorate(function)
    return decorate


def _permissions(name: str, value: Any) -> tuple[Permission, ...]:
    items = (value,) if isinstance(value, Permission) else tuple(value or ())
    for item in items:
        if not isinstance(item, Permission):
            raise TypeError(
                f"task {name!r}: permissions takes Permission(...) objects, not {item!r}"
            )
    return items
