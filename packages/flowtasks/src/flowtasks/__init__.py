"""flowtasks: AWS Step Functions workflows in Python.

Define a flow with the DSL below, compile it with `flowtasks.asl.compile_flow`, run it
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
        Manual,
        Map,
        Not,
        OnSuccess,
        Or,
        Parallel,
        Pass,
        Permission,
        ResultWriter,
        Retry,
        S3Items,
        S3ObjectCreated,
        Schedule,
        StartFlow,
        State,
        Succeed,
        TaskState,
        Var,
        Wait,
        task,
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
    "Manual",
    "Map",
    "Not",
    "OnSuccess",
    "Or",
    "Parallel",
    "Pass",
    "Permission",
    "Problem",
    "ResultWriter",
    "Retry",
    "S3Items",
    "S3ObjectCreated",
    "Schedule",
    "StartFlow",
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

_LAZY = frozenset(name for name in __all__ if name not in globals())
"""The public names not imported above: the DSL's, loaded from `flowtasks.dsl` on first use."""


def __getattr__(name: str) -> _typing.Any:
    """Load the DSL's public names on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'flowtasks' has no attribute {name!r}")
    value = getattr(_importlib.import_module("flowtasks.dsl"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
