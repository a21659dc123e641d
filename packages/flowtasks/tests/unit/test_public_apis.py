"""The curated public APIs of the subpackages users import: their `__all__` is pinned here, so a
change to what they export is a decision, not an accident (`flowtasks.__all__` is pinned in
dsl/test_public_api.py)."""

from __future__ import annotations

import importlib

import pytest

PINNED = {
    "flowtasks.asl": ["Compiled", "compile_flow", "validate_definition"],
    "flowtasks.local": [
        "Clock",
        "Execution",
        "FakeClock",
        "RealClock",
        "SkippedWaits",
        "heartbeat",
        "redrive",
        "run",
    ],
    "flowtasks.testing": [
        "FlowAssertionError",
        "FlowRun",
        "FlowRunner",
        "Mock",
        "MockExhaustedError",
        "Returns",
        "TaskError",
        "assert_matches_golden",
        "load_definition",
        "returns",
        "run_flow",
        "task_states",
    ],
    "flowtasks.history": [
        "ATTEMPT_EVENTS",
        "ENGINE_EXTRA",
        "EXECUTION_END_EVENTS",
        "TASK_FAILURE_EVENTS",
        "Catch",
        "Change",
        "ChangeKind",
        "ExecutionRecord",
        "ExecutionStatus",
        "Failure",
        "HistoryReader",
        "PathStep",
        "Retry",
        "StateRecord",
        "StateStatus",
        "parse_time",
        "read_history",
    ],
}


@pytest.mark.parametrize("module", sorted(PINNED))
def test_the_public_api_is_pinned(module: str) -> None:
    loaded = importlib.import_module(module)
    assert loaded.__all__ == PINNED[module]
    for name in loaded.__all__:
        assert getattr(loaded, name) is not None


def test_the_compiler_is_importable_from_flowtasks_asl() -> None:
    from flowtasks.asl import compile_flow
    from flowtasks.asl.compiler import compile_flow as deep

    assert compile_flow is deep
