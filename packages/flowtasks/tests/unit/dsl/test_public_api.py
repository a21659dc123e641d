"""The public API of flowtasks is curated: this test pins `flowtasks.__all__`."""

from __future__ import annotations

import flowtasks

EXPECTED = [
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


def test_all_is_pinned() -> None:
    assert flowtasks.__all__ == EXPECTED


def test_every_public_name_exists_and_nothing_else_is_public() -> None:
    for name in flowtasks.__all__:
        assert hasattr(flowtasks, name), name
    public = {
        n
        for n, v in vars(flowtasks).items()
        if not n.startswith("_") and not isinstance(v, type(flowtasks))
    }
    assert public == set(EXPECTED)
