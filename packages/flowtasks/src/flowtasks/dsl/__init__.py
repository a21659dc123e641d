"""The flow DSL: define a flow as a chain of typed, immutable states.

See docs/anatomy-of-a-workflow.md. Everything public is re-exported by `flowtasks`.
"""

from flowtasks.dsl._unset import UNSET
from flowtasks.dsl.chain import Chain, Goto, State
from flowtasks.dsl.conditions import And, Condition, Not, Or, Var
from flowtasks.dsl.flow import Flow
from flowtasks.dsl.map import DistributedMap, ItemBatcher, Map, ResultWriter, S3Items
from flowtasks.dsl.retry import Catch, Retry
from flowtasks.dsl.states import Choice, Fail, Parallel, Pass, Succeed, Wait
from flowtasks.dsl.task import TaskState, task

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
]
