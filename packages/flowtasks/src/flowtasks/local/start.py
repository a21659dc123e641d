"""`run` and `redrive`: start an execution of an ASL definition (StartExecution, RedriveExecution)
in-process, with Step Functions semantics; the states run in `flowtasks.local.engine`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.errors import UsageError
from flowtasks.limits import MAX_HISTORY_EVENTS
from flowtasks.local.clock import Clock, RealClock, SkippedWaits
from flowtasks.local.context import ROLE_ARN, execution_arn, state_machine_arn
from flowtasks.local.engine import (
    Cancelled,
    ExecutionTimedOut,
    Redrive,
    Runtime,
    Scope,
    run_scope,
)
from flowtasks.local.execution import Execution
from flowtasks.local.graph import Graph, compile_definition
from flowtasks.local.history import EventSink, History, iso
from flowtasks.local.limits import checked_json, dumps

__all__ = ["DEFAULT_STATE_MACHINE_NAME", "redrive", "run"]

DEFAULT_STATE_MACHINE_NAME = "LocalStateMachine"

Handler = Callable[[Any], Any]


def run(
    definition: Mapping[str, Any] | str,
    input: Any = None,
    handlers: Mapping[str, Handler] | None = None,
    skip_waits: bool = False,
    *,
    clock: Clock | None = None,
    on_event: EventSink | None = None,
    name: str | None = None,
    state_machine_name: str | None = None,
    history_limit: int | None = MAX_HISTORY_EVENTS,
) -> Execution:
    """Run `definition` (ASL dict or JSON text) on `input` (None -> {}) and return the execution.

    Raises `flowtasks.DefinitionError` (every problem) for an invalid definition, before running.
    Every other failure is the execution's: see `Execution.status`, `.error`, `.cause`.
    `history_limit`: AWS fails an execution whose history would pass 25,000 events (e.g. an
    inline Map over thousands of items, or an endless loop); None lifts the limit.
    """
    parsed, graph = compile_definition(definition)
    value = {} if input is None else json.loads(dumps(input))
    sm_name = state_machine_name or DEFAULT_STATE_MACHINE_NAME
    exec_name = name or str(uuid.uuid4())
    execution = Execution(
        definition=parsed,
        input=value,
        name=exec_name,
        execution_arn=execution_arn(sm_name, exec_name),
        state_machine_arn=state_machine_arn(sm_name),
    )
    return _execute(
        _Start(execution, graph, handlers or {}, skip_waits, clock, on_event, history_limit)
    )


def redrive(
    execution: Execution,
    handlers: Mapping[str, Handler] | None = None,
    skip_waits: bool = False,
    *,
    clock: Clock | None = None,
    on_event: EventSink | None = None,
    history_limit: int | None = MAX_HISTORY_EVENTS,
) -> Execution:
    """Resume a FAILED / TIMED_OUT / ABORTED execution as RedriveExecution does (Standard).

    https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html: the
    execution continues from the states that did not succeed, with the same input; states that
    succeeded are not run again (nor are the Parallel branches and Map iterations that
    succeeded); the history continues with an ``ExecutionRedriven`` event and
    ``$$.Execution.RedriveCount`` is incremented. Returns a new `Execution` (same name and ARN).
    """
    if execution.status not in ("FAILED", "TIMED_OUT", "ABORTED"):
        raise UsageError(
            f"execution {execution.name!r} is {execution.status}: only FAILED, TIMED_OUT or "
            "ABORTED executions can be redriven"
        )
    _, graph = compile_definition(execution.definition)
    again = Execution(
        definition=execution.definition,
        input=execution.input,
        name=execution.name,
        execution_arn=execution.execution_arn,
        state_machine_arn=execution.state_machine_arn,
        history=[dict(event) for event in execution.history],
        start_date=execution.start_date,
        redrive_count=execution.redrive_count + 1,
        children=list(execution.children),
    )
    previous = Redrive.from_dict(execution.redrive_data)
    start = _Start(again, graph, handlers or {}, skip_waits, clock, on_event, history_limit)
    return _execute(start, previous)


@dataclass(frozen=True)
class _Start:
    """What `run` / `redrive` hand to `_execute`: the execution to run and how."""

    execution: Execution
    graph: Graph
    handlers: Mapping[str, Handler]
    skip_waits: bool
    clock: Clock | None
    on_event: EventSink | None
    history_limit: int | None


def _execute(start: _Start, previous: Redrive | None = None) -> Execution:
    """Run `start.execution` (from where `previous` stopped, for a redrive) to its end."""
    execution, graph, skip_waits = start.execution, start.graph, start.skip_waits
    clock = start.clock or RealClock()
    if skip_waits and not isinstance(clock, SkippedWaits):
        clock = SkippedWaits(clock)
    history = History(clock.now, start.on_event, execution.history, start.history_limit)
    started = clock.now()
    if not execution.start_date:
        execution.start_date = iso(started)
    sm_name = execution.state_machine_arn.rsplit(":", 1)[-1]
    rt = Runtime(
        history=history,
        clock=clock,
        handlers=start.handlers,
        skip_waits=skip_waits,
        execution={
            "Id": execution.execution_arn,
            "Input": execution.input,
            "Name": execution.name,
            "RoleArn": ROLE_ARN,
            "StartTime": execution.start_date,
            "RedriveCount": execution.redrive_count,
        },
        machine={"Id": execution.state_machine_arn, "Name": sm_name},
        state_machine_name=sm_name,
        deadline=started + graph.timeout if graph.timeout is not None else None,
        previous=previous,
    )
    if previous is None:
        text = dumps(execution.input)
        first = history.add(
            "ExecutionStarted",
            0,
            {
                "input": text,
                "inputDetails": {"truncated": False},
                "roleArn": ROLE_ARN,
                "stateMachineArn": execution.state_machine_arn,
            },
        )
    else:
        first = history.add(
            "ExecutionRedriven", history.last_id, {"redriveCount": execution.redrive_count}
        )
    # AWS records the first state's entered event after event 0, not after ExecutionStarted
    # (every AWS-recorded history in LocalStack's snapshots); a redrive continues the history.
    scope = Scope("", first if previous is not None else 0, rt.root)
    try:
        try:
            checked_json(execution.input, "execution input")
            output = run_scope(rt, graph, execution.input, scope)
            text = checked_json(output, "execution output")
        except KeyboardInterrupt:
            rt.root.cancel()
            raise Cancelled from None
    except StatesFailure as failure:
        _end(execution, "FAILED", failure.error, failure.cause)
        history.add("ExecutionFailed", scope.previous_event, failure.event_details())
    except ExecutionTimedOut:
        cause = f"The execution ran longer than its TimeoutSeconds ({graph.timeout:g})."
        _end(execution, "TIMED_OUT", StatesErrorName.TIMEOUT, cause)
        history.add(
            "ExecutionTimedOut",
            scope.previous_event,
            {"error": StatesErrorName.TIMEOUT, "cause": cause},
        )
    except Cancelled:
        _end(execution, "ABORTED", "States.Aborted", "The execution was interrupted.")
        history.add(
            "ExecutionAborted",
            scope.previous_event,
            {"error": "States.Aborted", "cause": "The execution was interrupted."},
        )
    else:
        execution.status = "SUCCEEDED"
        execution.output = json.loads(text)
        history.add(
            "ExecutionSucceeded",
            scope.previous_event,
            {"output": text, "outputDetails": {"truncated": False}},
        )
    execution.stop_date = iso(clock.now())
    execution.children.extend(rt.children)
    if execution.status != "SUCCEEDED":
        if rt.previous is not None:  # what the redrive did not reach stays to be redriven
            for key, resume in rt.previous.resume.items():
                rt.record.resume.setdefault(key, resume)
            for key, done in rt.previous.done.items():
                rt.record.done.setdefault(key, done)
        execution.redrive_data = rt.record.to_dict()
    else:
        execution.redrive_data = {}
    return execution


def _end(execution: Execution, status: str, error: str | None, cause: str | None) -> None:
    execution.status = status
    execution.error = error
    execution.cause = cause
