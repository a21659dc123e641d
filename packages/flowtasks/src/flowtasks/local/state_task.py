"""The Task state: call a handler (or our flow's task in-process) across the JSON boundary.

Which code runs: ``handlers[state name]``, else ``handlers[Resource]``, else, when the Resource
and evaluated Parameters are one of our compiled tasks (`flowtasks.protocol.task_call_of`),
`flowtasks.runner.execute.run_task` runs the flow's task function in-process as the container would.
Any other Task fails the execution with ``States.Runtime`` naming the state and its Resource.

The JSON boundary: the handler receives a fresh copy of its input (parsed from JSON text) and
its result is serialised as the container's runner would before SendTaskSuccess; a value JSON
cannot carry (datetime, set, bytes, NaN...) fails the task with Error ``TypeError`` and the
serialiser's message (the runner's `encode_result`, shared with the container), like any
exception the task raised (so Retry and Catch see it as a task failure). A result over
256 KiB fails with ``States.DataLimitExceeded``.

Timeouts: in-process handlers cannot be interrupted safely, so TimeoutSeconds and
HeartbeatSeconds are judged when the handler returns (time read from the engine's clock): a
handler that ran longer than TimeoutSeconds, or went longer than HeartbeatSeconds without calling
`heartbeat()` (from its own thread), fails with ``States.Timeout`` and no cause, as recorded
against AWS for both (LocalStack's test_timeouts.py::test_fixed_timeout_service_lambda and
test_heartbeats.py::test_heartbeat_timeout: ``TaskTimedOut`` and ``ExecutionFailed`` carry
``{"error": "States.Timeout"}`` only, although the error-handling page names
``States.HeartbeatTimeout``). Its result is discarded.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure, error_details
from flowtasks.local import child_flows
from flowtasks.local.limits import (
    ResultTooLarge,
    check_result_text,
    check_text,
    dumps,
    from_handler,
)
from flowtasks.local.retry import Guarded, StateFailed
from flowtasks.local.state import Reader, template

if TYPE_CHECKING:
    from flowtasks.local.engine import Runtime, Scope

__all__ = ["TaskState", "current_events", "heartbeat", "resource_parts"]

_current = threading.local()


def heartbeat() -> None:
    """Report that the calling task handler is alive (SendTaskHeartbeat, locally).

    Call it from the handler's own thread; outside a running handler it does nothing.
    """
    beats: list[float] | None = getattr(_current, "beats", None)
    now = getattr(_current, "now", None)
    if beats is not None and now is not None:
        beats.append(now())


def current_events() -> list[dict[str, Any]] | None:
    """The history events of the execution whose task handler is running on this thread
    (None outside a handler): the runner reads an ECS task's input from them, as in AWS."""
    events: list[dict[str, Any]] | None = getattr(_current, "events", None)
    return events


def resource_parts(resource: str) -> tuple[str, str]:
    """(resourceType, resource) as the history's task events name them."""
    if resource.startswith("arn:aws:states:::"):
        service, _, rest = resource[len("arn:aws:states:::") :].partition(":")
        return service, rest
    parts = resource.split(":")
    if len(parts) > 2 and parts[0] == "arn":
        return parts[2], resource
    return "unknown", resource


class TaskEvents:
    """The history events of a Task's call, named and shaped as GetExecutionHistory does.

    A Resource that is a Lambda function ARN (``arn:aws:lambda:...``, the older integration)
    records LambdaFunctionScheduled/Started/Succeeded/Failed/TimedOut; every other Resource
    records TaskScheduled/Started/Succeeded/Failed/TimedOut with resourceType and resource.
    """

    def __init__(self, resource: str) -> None:
        self.resource = resource
        self.lambda_function = resource.startswith("arn:aws:lambda:")
        prefix = "LambdaFunction" if self.lambda_function else "Task"
        self.scheduled = f"{prefix}Scheduled"
        self.started = f"{prefix}Started"
        self.succeeded = f"{prefix}Succeeded"
        self.failed = f"{prefix}Failed"
        self.timed_out = f"{prefix}TimedOut"
        self.resource_type, self.resource_name = resource_parts(resource)
        # How AWS names a service integration in a result-size failure ('lambda' for
        # arn:aws:states:::lambda:invoke): LocalStack's AWS-recorded test_states_errors.py.
        self.reported = resource if self.resource_type == "unknown" else self.resource_type

    def where(self) -> dict[str, Any] | None:
        if self.lambda_function:
            return None
        return {"resourceType": self.resource_type, "resource": self.resource_name}

    def scheduled_details(
        self, rt: Runtime, params_text: str, timeout: Any, heartbeat_s: Any
    ) -> dict[str, Any]:
        details: dict[str, Any]
        if self.lambda_function:
            details = {
                "resource": self.resource,
                "input": params_text,
                "inputDetails": {"truncated": False},
            }
        else:
            details = {
                "resourceType": self.resource_type,
                "resource": self.resource_name,
                "region": rt.execution["Id"].split(":")[3],
                "parameters": params_text,
            }
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat_s is not None and not self.lambda_function:
            details["heartbeatInSeconds"] = heartbeat_s
        return details

    def error(self, error: str | None, cause: str | None) -> dict[str, Any]:
        return {**(self.where() or {}), **error_details(error, cause)}

    def output(self, text: str) -> dict[str, Any]:
        return {**(self.where() or {}), "output": text, "outputDetails": {"truncated": False}}


class TaskState(Guarded):
    kind = "Task"

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        self.resource: str = spec.get("Resource", "")
        self.events = TaskEvents(self.resource)
        self.parameters = template(spec.get("Parameters"))
        # validated before running (`flowtasks.asl.validate_numbers`)
        self.timeout: float | None = spec.get("TimeoutSeconds")
        self.heartbeat: float | None = spec.get("HeartbeatSeconds")
        self.timeout_path = _path(spec, "TimeoutSecondsPath")
        self.heartbeat_path = _path(spec, "HeartbeatSecondsPath")

    def _limit(self, fixed: float | None, reader: Reader | None, value: Any, ctx: Any) -> Any:
        if reader is None:
            return fixed
        from flowtasks.expressions.jsonpath import PathNotFound

        try:
            seconds = reader(value, ctx)
        except PathNotFound as exc:
            # AWS's cause (LocalStack's AWS-recorded test_base_scenarios.py::test_invalid_jsonpath
            # [ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH] and [..._HEARTBEATSECONDSPATH]).
            raise StatesFailure(
                StatesErrorName.RUNTIME, f"Invalid path '{exc.path}' : {exc}"
            ) from None
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0:
            raise StatesFailure(
                StatesErrorName.RUNTIME,
                f"Task state {self.name!r}: a timeout path must select a positive integer, "
                f"got {seconds!r}.",
            )
        return seconds

    def attempt(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str, retry_count: int
    ) -> Any:
        ctx = self.context(rt, entered_time, retry_count, scope)
        ctx["Task"] = {"Token": uuid.uuid4().hex + uuid.uuid4().hex}
        params, timeout, heartbeat_s = self.prepare(rt, scope, value, ctx)
        params_text = dumps(params)
        # concepts-error-handling.html, States.DataLimitExceeded: "the input to a state is
        # larger than the payload size quota, after Parameters processing".
        check_text(params_text, f"input of Task state {self.name!r} after Parameters")
        events = self.events
        scope.previous_event = rt.history.add(
            events.scheduled,
            scope.previous_event,
            events.scheduled_details(rt, params_text, timeout, heartbeat_s),
            scope.take_decision(),
        )
        scope.previous_event = rt.history.add(events.started, scope.previous_event, events.where())
        started = rt.now()
        beats: list[float] = []
        try:
            if child_flows.handles(self.resource) and not rt.handler_for(self.name, self.resource):
                result, text = child_flows.start_child(rt, scope, self.name, events, params)
            else:
                result, text = self._call(rt, params, params_text, beats)
        except StatesFailure as failure:
            raised = failure.__cause__  # what the task's own code raised, if it did
            raise StateFailed(
                failure.error,
                failure.cause,
                events.failed,
                events.error(failure.error, failure.cause),
                every_attempt=True,
                terminal=not isinstance(failure, ResultTooLarge),
                origin=None if isinstance(raised, StatesFailure) else raised,
            ) from failure
        late = _late(started, rt.now(), beats, timeout, heartbeat_s)
        if late is not None:
            raise StateFailed(
                late, None, events.timed_out, events.error(late, None), every_attempt=True
            )
        scope.previous_event = rt.history.add(
            events.succeeded, scope.previous_event, events.output(text)
        )
        return self.complete(rt, scope, value, result, ctx)

    def prepare(
        self, rt: Runtime, scope: Scope, value: Any, ctx: dict[str, Any]
    ) -> tuple[Any, Any, Any]:
        """(the task's parameters, TimeoutSeconds, HeartbeatSeconds) for this attempt."""
        effective = value if self.input_path is None else self.input_path(value, ctx)
        timeout = self._limit(self.timeout, self.timeout_path, effective, ctx)
        heartbeat_s = self._limit(self.heartbeat, self.heartbeat_path, effective, ctx)
        params = effective if self.parameters is None else self.parameters(effective, ctx)
        return params, timeout, heartbeat_s

    def _call(
        self, rt: Runtime, params: Any, params_text: str, beats: list[float]
    ) -> tuple[Any, str]:
        from flowtasks.protocol import error_of

        handler = rt.handler_for(self.name, self.resource)
        call = None
        if handler is None:
            from flowtasks.protocol import task_call_of

            call = task_call_of(self.resource, params)
            if call is None:
                raise StatesFailure(
                    StatesErrorName.RUNTIME,
                    f"No handler for Task state {self.name!r} (Resource {self.resource!r}). "
                    "Pass handlers={state name or Resource: callable(input) -> output}.",
                )
        _current.beats, _current.now, _current.events = beats, rt.now, rt.history.events
        try:
            if handler is not None:
                raw = handler(json.loads(params_text))
            else:
                from flowtasks.runner.execute import newest_first, run_task

                assert call is not None
                raw = run_task(call, newest_first(rt.history.events))
            result, text = from_handler(raw)
        except StatesFailure:
            raise
        except Exception as exc:
            error, cause = error_of(exc)
            raise StatesFailure(error, cause) from exc
        finally:
            _current.beats = _current.now = _current.events = None
        events = self.events
        check_result_text(text, events.resource if events.lambda_function else events.reported)
        return result, text


def _late(
    started: float,
    ended: float,
    beats: list[float],
    timeout: float | None,
    heartbeat_s: float | None,
) -> str | None:
    """Which timeout (if any) would have fired first while the handler ran."""
    fires: list[tuple[float, str]] = []
    if timeout is not None and ended - started > timeout:
        fires.append((started + timeout, StatesErrorName.TIMEOUT))
    if heartbeat_s is not None:
        last = started
        for moment in [*beats, ended]:
            if moment - last > heartbeat_s:
                fires.append((last + heartbeat_s, StatesErrorName.TIMEOUT))
                break
            last = moment
    return min(fires)[1] if fires else None


def _path(spec: Mapping[str, Any], key: str) -> Reader | None:
    path = spec.get(key)
    if not isinstance(path, str):
        return None
    from flowtasks.expressions.jsonpath import compile_path

    return compile_path(path)
