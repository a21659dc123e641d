"""flowtasks: AWS Step Functions workflows in Python."""

from flowtasks.errors import (
    DefinitionError,
    FlowNotFoundError,
    FlowtasksError,
    StateNotFoundError,
    TaskError,
    UsageError,
)

__all__ = [
    "DefinitionError",
    "FlowNotFoundError",
    "FlowtasksError",
    "StateNotFoundError",
    "TaskError",
    "UsageError",
]
