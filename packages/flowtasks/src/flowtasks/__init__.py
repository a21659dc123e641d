"""flowtasks: AWS Step Functions workflows in Python.

Define a flow with the DSL below, compile it with `flowtasks.asl.compiler.compile_flow`, run it
locally with `flowtasks.local.run`.
"""

import importlib as _importlib
import typing as _typing

from flowtasks.errors import (
    DefinitionError,
    DomainLoadError,
    FlowNotFoundError,
    FlowtasksError,
    Problem,
    StateNotFoundError,
    TaskError,
    UsageError,
)

if _typing.TYPE_CHECKING:  # the DSL loads on first use, so `flow-task --help` starts fast
    from flowtasks.dsl import (
        UNSET,
        And,
        Catch,
        Chain,
        Choice,
        Condition,
        DistributedMap,
        Fail,
        Flow,
        Goto,
        ItemBatcher,
        Map,
        Not,
        Or,
        Parallel,
        Pass,
        ResultWriter,
        Retry,
        S3Items,
        State,
        Succeed,
        TaskState,
        Var,
        Wait,
        task,
    )

_LAZY = dict.fromkeys(
    (
        "UNSET",
        "And",
        "Catch",
        "Chain",
        "Choice",
        "Condition",
        "DistributedMap",
        "Fail",
        "Flow",
        "Goto",
        "ItemBatcher",
        "Map",
        "Not",
        "Or",
        "Parallel",
        "Pass",
        "ResultWriter",
        "Retry",
        "S3Items",
        "State",
        "Succeed",
        "TaskState",
        "Var",
        "Wait",
        "task",
    ),
    "flowtasks.dsl",
)

__all__ = [
    "UNSET",
    "And",
    "Catch",
    "Chain",
    "Choice",
    "Condition",
    "DefinitionError",
    "DistributedMap",
    "DomainLoadError",
    "Fail",
    "Flow",
    "FlowNotFoundError",
    "FlowtasksError",
    "Goto",
    "ItemBatcher",
    "Map",
    "Not",
    "Or",
    "Parallel",
    "Pass",
    "Problem",
    "ResultWriter",
    "Retry",
    "S3Items",
    "State",
    "StateNotFoundError",
    "Succeed",
    "TaskError",
    "TaskState",
    "UsageError",
    "Var",
    "Wait",
    "task",
]


def __getattr__(name: str) -> _typing.Any:
    """Load the DSL's public names on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'flowtasks' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
