"""pytest plugin of flowtasks (registered through the `pytest11` entry point).

Loaded by every pytest run, so it imports nothing heavy at module level. Provides:

- `flow_runner`: a `flowtasks.testing.FlowRunner` (``flow_runner.run("demo.X", input, mocks=...)``).
- `fake_clock`: a `flowtasks.local.clock.FakeClock` to pass as ``clock=`` when a test checks
  Wait durations or retry intervals without sleeping (with ``skip_waits=False``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from flowtasks.local.clock import FakeClock
    from flowtasks.testing.harness import FlowRunner


@pytest.fixture
def flow_runner() -> FlowRunner:
    """Runs flows locally with mocks; see `flowtasks.testing.run_flow`."""
    from flowtasks.testing.harness import FlowRunner

    return FlowRunner()


@pytest.fixture
def fake_clock() -> FakeClock:
    """A clock that never sleeps: `sleep` records each duration in `.sleeps` and moves time."""
    from flowtasks.local.clock import FakeClock

    return FakeClock()
