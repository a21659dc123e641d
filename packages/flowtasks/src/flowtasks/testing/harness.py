"""`run_flow`: run a flow (or any ASL definition) locally with some Task states mocked.

The flow is compiled exactly as it deploys (`flowtasks.registry.compiled_definition`) and run by
the local engine (`flowtasks.local.run`); Task states without a mock run their task functions
in-process, as `flow-task run` does. Mocks are keyed by Task state name (or Resource); a key that
names no Task state of the definition is an error, so a typo cannot silently un-mock a state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowtasks.asl.walk import iter_states
from flowtasks.protocol import ECS_RESOURCE, LAMBDA_RESOURCE, task_call_of
from flowtasks.testing.flow_run import FlowRun
from flowtasks.testing.mocks import Mock, MockExhaustedError, MockHandler, mock_handlers

if TYPE_CHECKING:
    from flowtasks.local.clock import Clock

__all__ = ["FlowRunner", "load_definition", "run_flow", "task_states"]

Definition = str | Path | Mapping[str, Any]


def load_definition(flow: Definition) -> dict[str, Any]:
    """The ASL of `flow`: a registered flow name (``"demo.VendorIngest"``), an ASL file path, or
    an ASL dict."""
    if isinstance(flow, Path):
        loaded: Any = json.loads(flow.read_text(encoding="utf-8"))
        return dict(loaded)
    if isinstance(flow, str):
        from flowtasks.registry import compiled_definition

        return dict(compiled_definition(flow))
    return dict(flow)


def task_states(definition: Mapping[str, Any]) -> dict[str, str]:
    """Every Task state of `definition` (inside Parallel branches and Maps too) -> its Resource."""
    return {
        name: str(spec.get("Resource", ""))
        for name, spec in iter_states(definition)
        if spec.get("Type") == "Task"
    }


def _payload(value: Any) -> Any:
    """For one of our Tasks, the payload its task function receives; else `value` itself."""
    if isinstance(value, dict):
        for resource in (ECS_RESOURCE, LAMBDA_RESOURCE):
            call = task_call_of(resource, value)
            if call is not None:
                from flowtasks.runner.inputs import local_input

                return local_input(call)
    return value


class _Adapter:
    """Hands a mock the task payload rather than the integration's request."""

    def __init__(self, mock: MockHandler) -> None:
        self.mock = mock

    def __call__(self, value: Any) -> Any:
        return self.mock(_payload(value))


def run_flow(
    flow: Definition,
    input: Any = None,
    *,
    mocks: Mapping[str, Mock] | None = None,
    skip_waits: bool = True,
    clock: Clock | None = None,
    name: str | None = None,
) -> FlowRun:
    """Run `flow` locally and return its `FlowRun`.

    `flow`: a registered flow name, an ASL file `Path`, or an ASL dict. `mocks`: Task state name
    (or Resource) -> mock (see `flowtasks.testing.mocks`). `skip_waits` (default True in tests):
    Wait states and retry intervals are recorded but not slept. Raises `UsageError` for a mock
    naming no Task state, `MockExhaustedError` when a list mock ran out of outcomes.
    """
    from flowtasks.local import run

    definition = load_definition(flow)
    handlers = mock_handlers(mocks or {}, definition)
    execution = run(
        definition,
        input,
        {key: _Adapter(handler) for key, handler in handlers.items()},
        skip_waits,
        clock=clock,
        name=name,
    )
    result = FlowRun(execution, {key: handler.calls for key, handler in handlers.items()})
    exhausted = [handler.key for handler in handlers.values() if handler.exhausted]
    if exhausted:
        raise MockExhaustedError(
            f"mock(s) {', '.join(exhausted)} ran out of outcomes; give one per call "
            f"(retries call again)\n{result.describe()}"
        )
    return result


class FlowRunner:
    """`run_flow` with defaults shared by a test module (the `flow_runner` fixture is one).

    ``runner = FlowRunner(mocks={"Notify": None})``; ``runner.run("demo.X", {...},
    mocks={...})`` merges the per-call mocks over the defaults.
    """

    def __init__(self, mocks: Mapping[str, Mock] | None = None, *, skip_waits: bool = True):
        self.mocks = dict(mocks or {})
        self.skip_waits = skip_waits

    def run(
        self,
        flow: Definition,
        input: Any = None,
        *,
        mocks: Mapping[str, Mock] | None = None,
        skip_waits: bool | None = None,
        clock: Clock | None = None,
        name: str | None = None,
    ) -> FlowRun:
        merged = {**self.mocks, **(mocks or {})}
        waits = self.skip_waits if skip_waits is None else skip_waits
        return run_flow(flow, input, mocks=merged, skip_waits=waits, clock=clock, name=name)

    __call__ = run
