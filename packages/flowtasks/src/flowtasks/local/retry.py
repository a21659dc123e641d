"""Retry and Catch, as the ASL specification and the developer guide define them.

https://states-language.net/spec.html#errors and
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html:

- retriers are tried in order; the FIRST whose ErrorEquals matches decides; each retrier counts
  its own attempts; once it has used MaxAttempts (default 3; 0 = never) the error goes to Catch;
- the n-th retry (n from 0) of a retrier waits IntervalSeconds (default 1) x BackoffRate
  (default 2.0) ^ n, capped at MaxDelaySeconds; JitterStrategy FULL waits a uniformly random
  duration between 0 and that value;
- ``States.ALL`` matches every error but ``States.DataLimitExceeded`` and ``States.Runtime``
  (a Task's oversized *result* is the exception: AWS reports it as the task's failure and
  ``States.ALL`` catches it, see `flowtasks.local.limits.ResultTooLarge`);
  ``States.TaskFailed`` matches every error but ``States.Timeout`` (and those two);
- ``States.Runtime`` is never retried or caught: it always fails the execution;
- a catcher replaces the output with ``{"Error", "Cause"}`` put at its ResultPath in the
  state's input (default ``$``) and continues at its Next; its ``Assign`` (JSONPath: ``$`` is
  that error output) sets variables in the state's scope, instead of the state's own Assign
  (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.local.limits import ResultTooLarge
from flowtasks.local.state import State, Writer, result_path, template
from flowtasks.local.variables import assign_variables
from flowtasks.origin import origin_of

if TYPE_CHECKING:
    from flowtasks.local.engine import Runtime, Scope
    from flowtasks.local.variables import Assigner

__all__ = [
    "Catcher",
    "Guarded",
    "Retrier",
    "StateFailed",
    "compile_catchers",
    "compile_retriers",
    "matches",
]

_NOT_ALL = frozenset({StatesErrorName.DATA_LIMIT_EXCEEDED, StatesErrorName.RUNTIME})


def matches(error_equals: Sequence[str], error: str | None, *, terminal: bool = True) -> bool:
    """Whether an ErrorEquals list matches the error name `error` (None: a failure without an
    error name, which only the wildcards match).

    ``terminal=False`` is for a ``States.DataLimitExceeded`` that the wildcards do match: a
    Task's oversized result (`flowtasks.local.limits.ResultTooLarge`).
    """
    if error == StatesErrorName.RUNTIME:
        return False
    if error in error_equals:
        return True
    if terminal and error in _NOT_ALL:
        return False
    if StatesErrorName.ALL in error_equals:
        return True
    return StatesErrorName.TASK_FAILED in error_equals and error != StatesErrorName.TIMEOUT


class StateFailed(StatesFailure):
    """One attempt of a Task, Parallel or Map state failed; `event` (with `details`) is the
    history event that records it, which `Guarded.execute` adds with its decision (the
    ``flowtasks`` extra that `flowtasks.history` reads).

    `every_attempt`: a Task's failure event (TaskFailed, TaskTimedOut...) is recorded for each
    failed attempt; a Parallel's or Map's (``ParallelStateFailed``, ``MapStateFailed``) only once
    the failure is final. AWS-recorded history of LocalStack's ``test_base_scenarios.py::
    test_parallel_state_retry``: ParallelStateStarted, FailStateEntered (x3, one per attempt),
    then a single ParallelStateFailed; LocalStack's AWS-validated StateMap records MapStateFailed
    the same way. `terminal` is False for a Task's oversized result (see `matches`).
    `origin` is the exception a task's own code raised, if any: its event records where
    (`flowtasks.origin.origin_of`, under ``"origin"`` beside the decision).
    """

    def __init__(
        self,
        error: str | None,
        cause: str | None,
        event: str,
        details: dict[str, Any] | None = None,
        *,
        every_attempt: bool = False,
        terminal: bool = True,
        origin: BaseException | None = None,
    ) -> None:
        super().__init__(error, cause)
        self.event = event
        self.details = details
        self.every_attempt = every_attempt
        self.terminal = terminal
        self.origin = origin


class Retrier:
    """One Retry entry."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        # the fields were validated before running (`flowtasks.asl.checks.error_rules_problems`)
        self.errors: tuple[str, ...] = tuple(spec.get("ErrorEquals") or ())
        self.interval = float(spec.get("IntervalSeconds", 1))
        self.max_attempts = int(spec.get("MaxAttempts", 3))
        self.backoff = float(spec.get("BackoffRate", 2.0))
        max_delay = spec.get("MaxDelaySeconds")
        self.max_delay = float(max_delay) if max_delay is not None else None
        self.full_jitter = spec.get("JitterStrategy", "NONE") == "FULL"

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry number `attempt` (0-based) of this retrier."""
        seconds = self.interval * self.backoff**attempt
        if self.max_delay is not None:
            seconds = min(seconds, self.max_delay)
        if self.full_jitter:
            seconds = seconds * rand()
        return seconds


class Catcher:
    """One Catch entry. Its JSONPath ``Assign`` (`assign`) reads the error output as ``$``."""

    def __init__(self, spec: Mapping[str, Any], jsonpath: bool = True) -> None:
        self.errors: tuple[str, ...] = tuple(spec.get("ErrorEquals") or ())
        self.next: str = spec["Next"]
        self.writer: Writer | None = result_path(spec)
        self.assign: Assigner | None = None
        if jsonpath and "Assign" in spec:
            from flowtasks.local.variables import compile_assign

            self.assign = compile_assign(spec["Assign"])

    def output(self, state_input: Any, failure: StatesFailure) -> Any:
        result = {"Error": failure.error, "Cause": failure.cause}
        return result if self.writer is None else self.writer(state_input, result)


def compile_retriers(spec: Mapping[str, Any]) -> tuple[Retrier, ...]:
    return tuple(Retrier(r) for r in spec.get("Retry") or ())


def compile_catchers(spec: Mapping[str, Any], jsonpath: bool = True) -> tuple[Catcher, ...]:
    return tuple(Catcher(c, jsonpath) for c in spec.get("Catch") or ())


class Guarded(State):
    """A state with Retry and Catch (Task, Parallel, Map): subclasses implement `attempt`,
    and finish it with `complete` (ResultSelector, ResultPath and Assign, shared by all three)."""

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        self.result_selector = template(spec.get("ResultSelector"))
        self.result_path = result_path(spec)
        self.assign = self.compile_assign(spec)
        self.retriers = compile_retriers(spec)
        self.catchers = compile_catchers(spec, self.query_language == "JSONPath")

    def attempt(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str, retry_count: int
    ) -> Any:
        """Run the state once; return its output or raise StatesFailure."""
        raise NotImplementedError

    def complete(
        self, rt: Runtime, scope: Scope, value: Any, result: Any, ctx: dict[str, Any]
    ) -> Any:
        """The state's output from its input `value` and its raw `result`.

        ``Assign`` reads the raw result (before ResultSelector), as Step Functions does.
        """
        assigned = None if self.assign is None else self.assign(result, ctx)
        if self.result_selector is not None:
            result = self.result_selector(result, ctx)
        output = self.finish(value, result, ctx, self.result_path)
        if assigned is not None:
            assign_variables(scope, assigned, self.name)
        return output

    def caught(
        self,
        rt: Runtime,
        scope: Scope,
        catcher: Catcher,
        value: Any,
        failure: StatesFailure,
        entered_time: str,
    ) -> Any:
        """The state's output when `catcher` caught `failure` (and its Assign, if any)."""
        if catcher.assign is None:
            return catcher.output(value, failure)
        ctx = self.context(rt, entered_time, None, scope)
        assigned = catcher.assign({"Error": failure.error, "Cause": failure.cause}, ctx)
        output = catcher.output(value, failure)
        assign_variables(scope, assigned, self.name)
        return output

    def execute(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        counts = [0] * len(self.retriers)
        retry_count = 0
        while True:
            try:
                return self.attempt(rt, scope, value, entered_time, retry_count), self.next
            except StatesFailure as failure:
                terminal = not isinstance(failure, ResultTooLarge) and (
                    not isinstance(failure, StateFailed) or failure.terminal
                )
                delay, decision = self.decide(failure, counts, terminal)
                if isinstance(failure, StateFailed) and (
                    failure.every_attempt or decision["action"] != "retry"
                ):
                    extra: dict[str, Any] = {"decision": decision}
                    origin = None if failure.origin is None else origin_of(failure.origin)
                    if origin is not None:
                        extra["origin"] = origin
                    event = rt.history.add_event(
                        failure.event, scope.previous_event, failure.details, extra
                    )
                    scope.previous_event = event["id"]
                else:  # no event of its own: the next event of this state carries it
                    scope.decision = decision
                if delay is not None:
                    retry_count += 1
                    rt.sleep(delay, scope.cancel)
                    continue
                index = decision.get("catcher")
                if index is None:
                    scope.decision = None
                    raise
                catcher = self.catchers[index]
                return self.caught(rt, scope, catcher, value, failure, entered_time), catcher.next

    def decide(
        self, failure: StatesFailure, counts: list[int], terminal: bool
    ) -> tuple[float | None, dict[str, Any]]:
        """(the delay before the next attempt, or None; the decision as history records it).

        The first retrier whose ErrorEquals matches decides; once it has used its MaxAttempts,
        the catchers are tried in order. `counts` (attempts used of each retrier) is updated.
        """
        decision: dict[str, Any] = {"error": failure.error, "cause": failure.cause}
        for index, retrier in enumerate(self.retriers):
            if matches(retrier.errors, failure.error, terminal=terminal):
                if counts[index] < retrier.max_attempts:
                    delay = retrier.delay(counts[index])
                    counts[index] += 1
                    decision.update(
                        action="retry",
                        retrier=index,
                        retry=counts[index],
                        maxAttempts=retrier.max_attempts,
                        delaySeconds=delay,
                    )
                    return delay, decision
                break
        for index, catcher in enumerate(self.catchers):
            if matches(catcher.errors, failure.error, terminal=terminal):
                decision.update(action="catch", catcher=index, next=catcher.next)
                return None, decision
        decision["action"] = "fail"
        return None, decision
