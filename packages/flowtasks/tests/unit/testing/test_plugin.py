"""The pytest plugin (entry point ``pytest11: flowtasks``) gives every test suite its fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import flowtasks.testing.plugin

pytest_plugins = ("pytester",)

USER_TESTS = """
from flowtasks import TaskError

MACHINE = {
    "StartAt": "Fetch",
    "States": {
        "Fetch": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 1, "IntervalSeconds": 4}],
            "End": True,
        }
    },
}


def test_flow_runner_runs_with_mocks(flow_runner):
    run = flow_runner.run(MACHINE, {}, mocks={"Fetch": [TaskError("Busy"), {"rows": 1}]})
    run.assert_succeeded({"rows": 1}).assert_retries("Fetch", 1)


def test_fake_clock_records_the_retry_interval(flow_runner, fake_clock):
    run = flow_runner.run(MACHINE, {}, mocks={"Fetch": [TaskError("Busy"), {}]},
                          skip_waits=False, clock=fake_clock)
    run.assert_succeeded()
    assert fake_clock.sleeps == [4]


def test_a_failing_assertion_describes_the_run(flow_runner):
    run = flow_runner.run(MACHINE, {}, mocks={"Fetch": TaskError("Broken", "no way")})
    run.assert_succeeded()
"""


def test_the_fixtures_work_in_a_user_test_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["*expected the run to succeed*", "*path:   Fetch*", "*error:  Broken*", "*cause:  no way*"]
    )


def test_loading_the_plugin_imports_neither_the_engine_nor_the_compiler() -> None:
    """Every pytest run loads the plugin, so it stays light: it imports heavy modules lazily."""
    source = Path(flowtasks.testing.plugin.__file__).read_text(encoding="utf-8")
    top_level_imports = [
        line for line in source.splitlines() if line.startswith(("import ", "from "))
    ]
    assert all("flowtasks" not in line for line in top_level_imports), top_level_imports
    assert "flowtasks.testing.plugin" in sys.modules
