"""Helpers for testing flows: run one locally with some states mocked, then ask about the run.

::

    from flowtasks import TaskError
    from flowtasks.testing import run_flow

    run = run_flow("demo.VendorIngest", {"vendor": "acme"},
                   mocks={"FetchFiles": [TaskError("Sftp.Busy"), {"files": ["a.csv"]}]})
    run.assert_succeeded().assert_visited("FetchFiles", "LoadFiles")
    assert run.retries("FetchFiles") == 1

`assert_matches_golden(text, path)` compares a flow's compiled ASL (or any text) with a file
checked in beside the tests (`flowtasks.testing.golden`).

With pytest, the `flow_runner` fixture (registered by this package's pytest plugin) is a
`FlowRunner`. Everything is derived from the execution history, as Step Functions records it.
"""

from flowtasks.errors import TaskError
from flowtasks.testing.flow_run import FlowAssertionError, FlowRun
from flowtasks.testing.golden import assert_matches_golden
from flowtasks.testing.harness import FlowRunner, load_definition, run_flow, task_states
from flowtasks.testing.mocks import Mock, MockExhaustedError, Returns, returns

__all__ = [
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
]
