"""The Parallel state: run every branch on the same input, output their outputs in order.

https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html: "If any branch fails,
because of an unhandled error or by transitioning to a Fail state, the entire Parallel state
fails, and all of its branches are stopped"; the Parallel state fails with that branch's error.
When redriven, only the branches that failed or were stopped run again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flowtasks.asl.states_errors import StatesFailure
from flowtasks.local.fanout import fan_out
from flowtasks.local.graph import compile_graph
from flowtasks.local.retry import Guarded
from flowtasks.local.runtime import CancelToken, run_scope
from flowtasks.local.state import template

if TYPE_CHECKING:
    from flowtasks.local.graph import Graph
    from flowtasks.local.runtime import Runtime, Scope

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
        started = rt.history.add("ParallelStateStarted", scope.previous_event)
        scope.previous_event = started

        def branch_job(index: int, graph: Graph) -> Callable[[CancelToken], Any]:
            if index in done:
                return lambda _cancel: done[index]
            return lambda cancel: run_scope(
                rt, graph, effective, scope.inner(f"{key}[{index}]", started, cancel)
            )

        jobs = [branch_job(i, graph) for i, graph in enumerate(self.branches)]
        outcomes = fan_out(jobs, 0, scope.cancel)
        failure = next((o[1] for o in outcomes if o is not None and not o[0]), None)
        if failure is not None:
            rt.record.set_done(
                key, {i: o[1] for i, o in enumerate(outcomes) if o is not None and o[0]}
            )
            scope.previous_event = rt.history.add("ParallelStateFailed", scope.previous_event)
            raise StatesFailure(failure.error, failure.cause)
        scope.previous_event = rt.history.add("ParallelStateSucceeded", scope.previous_event)
        result = [o[1] for o in outcomes if o is not None]
        return self.complete(rt, scope, value, result, ctx)

    def branch_input(self, rt: Runtime, scope: Scope, value: Any, ctx: dict[str, Any]) -> Any:
        """The input every branch receives."""
        effective = value if self.input_path is None else self.input_path(value, ctx)
        if self.parameters is not None:
            effective = self.parameters(effective, ctx)
        return effective
