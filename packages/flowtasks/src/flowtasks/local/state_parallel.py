"""The Parallel state: run every branch on the same input, output their outputs in order.

https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html: "If any branch fails,
because of an unhandled error or by transitioning to a Fail state, the entire Parallel state
fails, and all of its branches are stopped"; the Parallel state fails with that branch's error.
When redriven, only the branches that failed or were stopped run again. As recorded against AWS
(LocalStack's ``test_parallel_state_retry``), a failed attempt's last event is the failing
branch's last event, and ``ParallelStateFailed`` comes once, after the last attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flowtasks.asl.states_errors import StatesFailure
from flowtasks.local.engine import CancelToken, run_scope
from flowtasks.local.fanout import fan_out
from flowtasks.local.graph import compile_graph
from flowtasks.local.retry import Guarded, StateFailed
from flowtasks.local.state import template

if TYPE_CHECKING:
    from flowtasks.local.engine import Runtime, Scope
    from flowtasks.local.graph import Graph

__all__ = ["ParallelState"]


class ParallelState(Guarded):
    kind = "Parallel"

    def __init__(self, name: str, spec: Mapping[str, Any], language: str = "JSONPath") -> None:
        super().__init__(name, spec)
        self.branches = [compile_graph(branch, language) for branch in spec.get("Branches", ())]
        self.parameters = template(spec.get("Parameters"))

    def attempt(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str, retry_count: int
    ) -> Any:
        ctx = self.context(rt, entered_time, None, scope)
        effective = self.branch_input(rt, scope, value, ctx)
        key = f"{scope.key}/{self.name}"
        done = rt.previous.take_done(key) if rt.previous is not None else {}
        started = rt.history.add(
            "ParallelStateStarted", scope.previous_event, None, scope.take_decision()
        )
        scope.previous_event = started

        last: dict[int, int] = {}  # branch -> its last event, when it failed

        def branch_job(index: int, graph: Graph) -> Callable[[CancelToken], Any]:
            if index in done:
                return lambda _cancel: done[index]

            def branch(cancel: CancelToken) -> Any:
                inner = scope.inner(f"{key}[{index}]", started, cancel)
                try:
                    return run_scope(rt, graph, effective, inner)
                except StatesFailure:
                    last[index] = inner.previous_event
                    raise

            return branch

        jobs = [branch_job(i, graph) for i, graph in enumerate(self.branches)]
        outcomes = fan_out(jobs, 0, scope.cancel, clock=rt.clock)
        failures = [(i, o.failure) for i, o in enumerate(outcomes) if o and o.failure is not None]
        if failures:
            failed, failure = failures[0]
            rt.record.set_done(
                key, {i: o.output for i, o in enumerate(outcomes) if o is not None and o.ok}
            )
            scope.previous_event = last.get(failed, scope.previous_event)
            raise StateFailed(failure.error, failure.cause, "ParallelStateFailed")
        scope.previous_event = rt.history.add("ParallelStateSucceeded", scope.previous_event)
        result = [o.output for o in outcomes if o is not None]
        return self.complete(rt, scope, value, result, ctx)

    def branch_input(self, rt: Runtime, scope: Scope, value: Any, ctx: dict[str, Any]) -> Any:
        """The input every branch receives."""
        effective = value if self.input_path is None else self.input_path(value, ctx)
        if self.parameters is not None:
            effective = self.parameters(effective, ctx)
        return effective
