"""The flow DSL: define a flow as a chain of typed, immutable states.

See docs/anatomy-of-a-workflow.md. Everything public is re-exported by `flowtasks`.
"""

from flowtasks.dsl._unset import UNSET
from flowtasks.dsl.chain import Chain, Goto, State
from flowtasks.dsl.conditions import And, Condition, Not, Or, Var
from flowtasks.dsl.flow import Flow
from flowtasks.dsl.map import DistributedMap, ItemBatcher, Map, ResultWriter, S3Items
from flowtasks.dsl.permissions import Permission
from flowtasks.dsl.retry import Catch, Retry
from flowtasks.dsl.start_flow import StartFlow
from flowtasks.dsl.states import Choice, Fail, Parallel, Pass, Succeed, Wait
from flowtasks.dsl.task import TaskState, task
from flowtasks.dsl.triggers import Manual, OnSuccess, S3ObjectCreated, Schedule, Trigger

__all__ = [
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
    "Manual",
    "Map",
    "Not",
    "OnSuccess",
    "Or",
    "Parallel",
    "Pass",
    "Permission",
    "ResultWriter",
    "Retry",
    "S3Items",
    "S3ObjectCreated",
    "Schedule",
    "StartFlow",
    "State",
    "Succeed",
    "TaskState",
    "Trigger",
    "Var",
    "Wait",
    "task",
]
