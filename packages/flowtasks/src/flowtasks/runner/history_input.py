"""A task's input, found in its execution's history (the ECS form of the protocol).

ECS container overrides hold at most 8 KiB, so a compiled ECS task passes only its token and
execution ARN. The runner then reads ``GetExecutionHistory`` newest first, finds the
``TaskScheduled`` event whose parameters hold its token, follows ``previousEventId`` back to
that attempt's ``TaskStateEntered`` event (the state's raw input, up to 256 KiB), applies the
state's ``InputPath`` and evaluates the task's input variables
(`flowtasks.asl.task_resource.input_parameters`) exactly as Step Functions would have
(``$$.Execution``, ``$$.State`` and ``$$.Task.Token`` are rebuilt from the history).

In AWS the event is almost always on the first page (the container starts seconds after
``TaskScheduled``): one API call per task. Workflow variables (``$name``) in a task's InputPath
or parameters are not in the history and cannot be read this way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["Found", "InputNotFound", "boto3_events", "find_input", "input_env"]

Event = Mapping[str, Any]


class InputNotFound(Exception):
    """The history holds no TaskScheduled event with this token (or its state's input)."""


@dataclass(frozen=True)
class Found:
    """What the history tells about one attempt of a task."""

    input: Any  # the state's raw input (before InputPath)
    entered_time: str
    retry_count: int
    execution_arn: str
    execution_input: Any = None
    start_time: str | None = None


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat(timespec="milliseconds")
        return text.removesuffix("+00:00") + "Z"
    return str(value)


def _details(event: Event, key: str) -> Mapping[str, Any]:
    details = event.get(key)
    return details if isinstance(details, Mapping) else {}


def _holds_token(event: Event, token: str) -> bool:
    """True for the TaskScheduled event whose parameters carry `token` (task tokens are long
    random strings: containment identifies the event, whatever shape the parameters have)."""
    if event.get("type") != "TaskScheduled":
        return False
    text = _details(event, "taskScheduledEventDetails").get("parameters")
    return isinstance(text, str) and token in text


def find_input(
    events_newest_first: Iterable[Event], token: str, execution_arn: str, need_start: bool = False
) -> Found:
    """Locate the attempt of the task holding `token` in a history read newest first.

    Reading stops at that attempt's TaskStateEntered event, or, with `need_start` (the task's
    parameters read ``$$.Execution.Input`` or ``StartTime``), at ExecutionStarted.
    """
    seen: dict[int, Event] = {}
    scheduled: Event | None = None
    wanted: int | None = None
    retries = 0
    entered: Event | None = None
    started: Event | None = None
    for event in events_newest_first:
        event_id = int(event.get("id", 0))
        seen[event_id] = event
        if event.get("type") == "ExecutionStarted":
            started = event
        if scheduled is None:
            if _holds_token(event, token):
                scheduled = event
                wanted = int(event.get("previousEventId") or 0)
            else:
                continue
        # follow previousEventId back through earlier attempts to the TaskStateEntered event
        while wanted is not None and wanted in seen:
            current = seen[wanted]
            if current.get("type") == "TaskScheduled":
                retries += 1
            if current.get("type") == "TaskStateEntered":
                entered = current
                wanted = None
                break
            wanted = int(current.get("previousEventId") or 0) or None
        if entered is not None and (started is not None or not need_start):
            break
    if scheduled is None:
        raise InputNotFound(f"no TaskScheduled event of {execution_arn} holds this task token")
    if entered is None:
        raise InputNotFound(f"no TaskStateEntered event before event {scheduled.get('id')}")
    details = _details(entered, "stateEnteredEventDetails")
    raw = details.get("input")
    start_details = _details(started, "executionStartedEventDetails") if started else {}
    execution_input = start_details.get("input")
    return Found(
        input=json.loads(raw) if isinstance(raw, str) else {},
        entered_time=_iso(entered.get("timestamp")),
        retry_count=retries,
        execution_arn=execution_arn,
        execution_input=json.loads(execution_input) if isinstance(execution_input, str) else None,
        start_time=_iso(started.get("timestamp")) if started else None,
    )


def boto3_events(client: Any, execution_arn: str) -> Iterator[Event]:
    """The execution's history events newest first, page by page (GetExecutionHistory)."""
    paginator = client.get_paginator("get_execution_history")
    pages = paginator.paginate(
        executionArn=execution_arn,
        reverseOrder=True,
        includeExecutionData=True,
        PaginationConfig={"PageSize": 1000},
    )
    for page in pages:
        yield from page.get("events", [])


def input_env(
    found: Found,
    state: str,
    state_spec: Mapping[str, Any],
    parameters: Mapping[str, str],
    token: str,
) -> dict[str, str]:
    """The input variables (``FLOWTASKS_INPUT`` / ``FLOWTASKS_PARAM_*``) of the attempt
    `found`, evaluated as Step Functions does: InputPath of `state_spec`, then `parameters`."""
    from flowtasks.expressions.jsonpath import ContextObject
    from flowtasks.local.state import input_path, template

    arn = found.execution_arn
    parts = arn.split(":")
    machine = ":".join([*parts[:5], "stateMachine", parts[6]]) if len(parts) > 7 else arn
    execution: dict[str, Any] = {"Id": arn, "Name": parts[-1]}
    if found.start_time is not None:
        execution["StartTime"] = found.start_time
    if found.execution_input is not None:
        execution["Input"] = found.execution_input
    context = ContextObject(
        {
            "Execution": execution,
            "StateMachine": {"Id": machine, "Name": parts[6] if len(parts) > 7 else ""},
            "State": {
                "Name": state,
                "EnteredTime": found.entered_time,
                "RetryCount": found.retry_count,
            },
            "Task": {"Token": token},
        }
    )
    value = found.input
    reader: Callable[[Any, Any], Any] | None = input_path(state_spec)
    if reader is not None:
        value = reader(value, context)
    evaluate = template(dict(parameters))
    assert evaluate is not None
    env = evaluate(value, context)
    return {str(key): str(item) for key, item in env.items()}
