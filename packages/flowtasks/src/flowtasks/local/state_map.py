"""The Map state: run the ItemProcessor (or legacy Iterator) once per item, outputs in order.

Inline mode (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html):
ItemsPath selects the array in the effective input; ItemSelector (or the legacy Parameters)
builds each iteration's input with ``$$.Map.Item.Index`` / ``$$.Map.Item.Value``; up to
MaxConcurrency iterations run at once (0 = no limit, run here on at most 40 threads). One
failed iteration fails the Map state with its error, unless ToleratedFailureCount/Percentage
(or their Path forms) are given: then the state fails with
``States.ExceedToleratedFailureThreshold`` once the failures exceed them, and a tolerated
failed iteration's place in the output holds its ``{"Error", "Cause"}``.

Item processors made only of Pass/Choice/Succeed/Fail states run their iterations one after
another in the calling thread: nothing in them can block, so concurrency would be unobservable.
Distributed mode (``ProcessorConfig.Mode = DISTRIBUTED``) is in `flowtasks.local.distributed`.
A retried Map records ``MapStateFailed`` once, after its last attempt (`StateFailed`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.local.engine import Cancelled, CancelToken, Scope, run_scope
from flowtasks.local.fanout import Outcome, fan_out
from flowtasks.local.graph import compile_graph
from flowtasks.local.retry import Guarded, StateFailed
from flowtasks.local.state import Reader, item_context, template

if TYPE_CHECKING:
    from flowtasks.local.engine import Runtime

__all__ = ["MapState", "read_number", "threshold"]

THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


def read_number(
    state: str, spec: Mapping[str, Any], key: str, value: Any, ctx: Any
) -> float | None:
    """A number given as `key` or read through `key`Path, checked as AWS checks it when resolved.

    AWS's answers (LocalStack's AWS-recorded test_base_scenarios.py::test_max_concurrency_path,
    ::test_map_state_tolerated_failure_count_path, ::..._percentage_path,
    ::test_map_item_reader_csv_max_items_paths): a value that is not a number is ``States.Runtime``
    'The <key>Path field refers to value "<v>" which is not a valid integer (float): <path>'; a
    negative ToleratedFailureCount, a ToleratedFailurePercentage outside 0-100 and a negative
    MaxItems have causes of their own (the last one is ``States.ItemReaderFailed``).
    """
    if key in spec:
        number = spec[key]  # validated before running (`flowtasks.asl.validate_numbers`)
        return None if number is None else float(number)
    if key + "Path" not in spec:
        return None
    from flowtasks.expressions.jsonpath import PathNotFound, compile_path

    path = spec[key + "Path"]
    try:
        found = compile_path(path)(value, ctx)
    except PathNotFound:
        raise StatesFailure(
            StatesErrorName.RUNTIME,
            f"The {key}Path field does not reference an input value: {path}",
        ) from None
    kind = "float" if key == "ToleratedFailurePercentage" else "integer"
    number = _as_number(found, kind)
    if number is None:
        shown = found if isinstance(found, str) else json.dumps(found, separators=(",", ":"))
        raise StatesFailure(
            StatesErrorName.RUNTIME,
            f'The {key}Path field refers to value "{shown}" which is not a valid {kind}: {path}',
        )
    if key == "ToleratedFailurePercentage" and not 0 <= number <= 100:
        raise StatesFailure(
            StatesErrorName.RUNTIME, "ToleratedFailurePercentage must be between 0 and 100."
        )
    if number < 0 and key == "ToleratedFailureCount":
        raise StatesFailure(StatesErrorName.RUNTIME, "ToleratedFailureCount cannot be negative.")
    if number < 0 and key == "MaxItems":
        raise StatesFailure(StatesErrorName.ITEM_READER_FAILED, "field MaxItems must be positive")
    if number < 0:
        # MaxConcurrencyPath -1: AWS never finishes the execution (LocalStack's
        # test_max_concurrency_path_negative); a local run fails instead of hanging.
        raise StatesFailure(
            StatesErrorName.RUNTIME,
            f"{key}Path of Map state {state!r} selected {number:g}: it cannot be negative "
            "(AWS leaves such an execution running forever).",
        )
    return number


def _as_number(found: Any, kind: str) -> float | None:
    """`found` as a number of `kind` ("integer" or "float"), or None. An integer written as a
    string counts: AWS takes "1" (LocalStack's AWS-validated test_reference_in_map_state
    [..._TOLERATED_FAILURE_PATH] succeeds)."""
    if isinstance(found, str) and _INTEGER.fullmatch(found):
        return float(int(found))
    if isinstance(found, bool) or not isinstance(found, int | float):
        return None
    if kind == "integer" and not float(found).is_integer():
        return None
    return float(found)


def threshold(count: float | None, percentage: float | None) -> Callable[[int, int], bool] | None:
    """tolerate(failed, total) for the tolerated failure settings; None when neither is set."""
    if count is None and percentage is None:
        return None

    def tolerate(failed: int, total: int) -> bool:
        if count is not None and failed > count:
            return False
        return not (percentage is not None and total and failed * 100.0 / total > percentage)

    return tolerate


class MapState(Guarded):
    kind = "Map"

    def __init__(self, name: str, spec: Mapping[str, Any], language: str = "JSONPath") -> None:
        super().__init__(name, spec)
        processor = spec.get("ItemProcessor") or spec.get("Iterator") or {}
        self.processor = compile_graph(processor, language)
        config = processor.get("ProcessorConfig") or {}
        self.distributed = config.get("Mode") == "DISTRIBUTED"
        items_path = spec.get("ItemsPath", "$")
        self.items_path: Reader | None = None
        if items_path != "$":
            from flowtasks.expressions.jsonpath import compile_path

            self.items_path = compile_path(items_path)
        self.item_selector = template(spec.get("ItemSelector", spec.get("Parameters")))

    def items(self, effective: Any, ctx: Any, variables: Mapping[str, Any]) -> list[Any]:
        """The array ItemsPath selects (States.Runtime when it is not an array)."""
        items = effective
        if self.items_path is not None:
            from flowtasks.expressions.jsonpath import PathNotFound

            try:
                items = self.items_path(effective, ctx)
            except PathNotFound:
                raise StatesFailure(
                    StatesErrorName.RUNTIME,
                    f"Invalid path {self.spec['ItemsPath']!r} in ItemsPath of Map state "
                    f"{self.name!r}: no results.",
                ) from None
        if not isinstance(items, list):
            raise StatesFailure(
                StatesErrorName.RUNTIME,
                f"Map state {self.name!r}: the items must be a JSON array, "
                f"got {type(items).__name__}.",
            )
        return items

    def item_inputs(
        self, items: list[Any], effective: Any, ctx: dict[str, Any], variables: Mapping[str, Any]
    ) -> list[Any]:
        """Each iteration's input: the item, or ItemSelector evaluated with $$.Map.Item."""
        selector = self.item_selector
        if selector is None:
            return items
        inputs = []
        for index, item in enumerate(items):
            inputs.append(selector(effective, item_context(ctx, index, item)))
        return inputs

    def attempt(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str, retry_count: int
    ) -> Any:
        ctx = self.context(rt, entered_time, None, scope)
        effective = value if self.input_path is None else self.input_path(value, ctx)
        if self.distributed:
            from flowtasks.local.distributed import run_distributed

            result = run_distributed(rt, scope, self, effective, ctx)
        else:
            result = self._inline(rt, scope, effective, ctx)
        return self.complete(rt, scope, value, result, ctx)

    def concurrency(self, effective: Any, ctx: Any, variables: Mapping[str, Any]) -> int:
        number = read_number(self.name, self.spec, "MaxConcurrency", effective, ctx)
        return int(number or 0)

    def tolerance(
        self, effective: Any, ctx: Any, variables: Mapping[str, Any]
    ) -> Callable[[int, int], bool] | None:
        count = read_number(self.name, self.spec, "ToleratedFailureCount", effective, ctx)
        percentage = read_number(self.name, self.spec, "ToleratedFailurePercentage", effective, ctx)
        return threshold(count, percentage)

    def _inline(self, rt: Runtime, scope: Scope, effective: Any, ctx: dict[str, Any]) -> Any:
        variables = scope.variables
        items = self.items(effective, ctx, variables)
        max_concurrency = self.concurrency(effective, ctx, variables)
        tolerate = self.tolerance(effective, ctx, variables)
        inputs = self.item_inputs(items, effective, ctx, variables)
        key = f"{scope.key}/{self.name}"
        done = rt.previous.take_done(key) if rt.previous is not None else {}
        history = rt.history
        name = self.name
        started = history.add(
            "MapStateStarted", scope.previous_event, {"length": len(items)}, scope.take_decision()
        )
        scope.previous_event = started
        graph = self.processor
        # The last event of each failed iteration: MapStateFailed follows it, not the
        # MapIterationFailed (every AWS-recorded Map failure in LocalStack's snapshots, e.g.
        # test_base_scenarios.py::test_map_state_catch_empty_fail).
        failed_events: list[int] = []

        def job(index: int) -> Callable[[CancelToken], Any]:
            if index in done:
                return lambda _cancel: done[index]

            def run(cancel: CancelToken) -> Any:
                where = {"name": name, "index": index}
                first = history.add_event("MapIterationStarted", started, where)["id"]
                inner = scope.inner(f"{key}[{index}]", first, cancel)
                try:
                    output = run_scope(rt, graph, inputs[index], inner)
                except StatesFailure:
                    failed_events.append(inner.previous_event)
                    history.add("MapIterationFailed", inner.previous_event, where)
                    raise
                except Cancelled:
                    history.add("MapIterationAborted", inner.previous_event, where)
                    raise
                history.add_event("MapIterationSucceeded", inner.previous_event, where)
                return output

            return run

        outcomes = fan_out(
            [job(i) for i in range(len(items))],
            max_concurrency,
            scope.cancel,
            tolerate=tolerate,
            sequential=graph.simple,
            clock=rt.clock,
        )
        if failed_events:
            scope.previous_event = max(failed_events)
        return self.conclude(rt, scope, key, outcomes, tolerate, distributed=False)

    def conclude(
        self,
        rt: Runtime,
        scope: Scope,
        key: str,
        outcomes: list[Outcome | None],
        tolerate: Callable[[int, int], bool] | None,
        *,
        distributed: bool,
    ) -> list[Any]:
        """The Map's result from its iterations' outcomes, or its failure (recorded for redrive;
        ``MapStateFailed`` is recorded by `Guarded.execute` once the failure is final). A
        `distributed` Map also ends its Map Run (``MapRunSucceeded`` / ``MapRunFailed``)."""
        failures = [o.failure for o in outcomes if o is not None and o.failure is not None]
        incomplete = any(o is None for o in outcomes)
        error: StatesFailure | None = None
        if failures and tolerate is None:
            error = StatesFailure(failures[0].error, failures[0].cause)
        elif failures and (
            incomplete or not tolerate or not tolerate(len(failures), len(outcomes))
        ):
            error = StatesFailure(
                StatesErrorName.EXCEED_TOLERATED_FAILURE_THRESHOLD, THRESHOLD_CAUSE
            )
        if error is not None:
            rt.record.set_done(
                key, {i: o.output for i, o in enumerate(outcomes) if o is not None and o.ok}
            )
            if distributed:
                details = error.event_details()
                scope.previous_event = rt.history.add("MapRunFailed", scope.previous_event, details)
            raise StateFailed(error.error, error.cause, "MapStateFailed")
        if distributed:
            scope.previous_event = rt.history.add("MapRunSucceeded", scope.previous_event)
        scope.previous_event = rt.history.add("MapStateSucceeded", scope.previous_event)
        return [
            o.output if o.failure is None else {"Error": o.failure.error, "Cause": o.failure.cause}
            for o in outcomes
            if o is not None
        ]
