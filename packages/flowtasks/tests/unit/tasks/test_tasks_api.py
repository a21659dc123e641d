"""The public names of the task library: pinned, and each one really exported."""

from __future__ import annotations

import importlib

import pytest

from flowtasks.tasks import ReusableTask

EXPECTED = {
    "flowtasks.tasks": {"STATE_OPTIONS", "ReusableTask", "reusable_task"},
    "flowtasks.connections": {
        "ENV_PREFIX",
        "Connection",
        "ConnectionConfigError",
        "RedshiftConnection",
        "Secret",
        "SftpConnection",
        "env_name",
        "get",
        "get_redshift",
        "get_sftp",
        "parse",
    },
}
TASKS = {
    "flowtasks.tasks.s3": {"copy_task", "move_task", "delete_task", "wait_for_task", "list_task"},
    "flowtasks.tasks.sftp": {"fetch_to_s3_task", "s3_to_sftp_task", "list_files_task"},
}


@pytest.mark.parametrize("module", sorted(EXPECTED))
def test_all_is_pinned(module: str) -> None:
    assert set(importlib.import_module(module).__all__) == EXPECTED[module]


@pytest.mark.parametrize("module", sorted([*EXPECTED, *TASKS]))
def test_every_listed_name_exists(module: str) -> None:
    loaded = importlib.import_module(module)
    missing = [name for name in loaded.__all__ if not hasattr(loaded, name)]
    assert missing == []


@pytest.mark.parametrize("module", sorted(TASKS))
def test_reusable_tasks_resolve_by_their_own_name(module: str) -> None:
    loaded = importlib.import_module(module)
    for name in TASKS[module]:
        factory = getattr(loaded, name)
        assert isinstance(factory, ReusableTask)
        assert name in loaded.__all__
        # the container finds the task function as <module>.<name>.function
        assert factory.function.__module__ == module
        assert factory.function.__qualname__ == name
