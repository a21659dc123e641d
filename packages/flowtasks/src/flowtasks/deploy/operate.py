"""Operating deployed flows: start, list executions, follow one, redrive a failed one.

Every call goes to Step Functions in the environment's region with the caller's credentials
(boto3's usual chain; ``AWS_ENDPOINT_URL`` reaches a stand-in such as moto). Inputs are checked
before any call: JSON, at most 256 KiB. State machines are found by their stack's naming
convention (`flowtasks.deploy.naming`), so no stack lookup is needed.

`start` starts the state machine's latest revision, which is the version its ``live`` alias
points at after a deploy (triggers and StartFlow states go through the alias).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flowtasks.deploy.environments import Environment
from flowtasks.deploy.naming import state_machine_name
from flowtasks.errors import FlowtasksError, UsageError
from flowtasks.limits import MAX_PAYLOAD_BYTES

__all__ = [
    "MAX_INPUT_BYTES",
    "ExecutionNotFound",
    "aws_event",
    "check_input",
    "describe",
    "executions",
    "history",
    "redrive",
    "start",
    "state_machine_arn",
    "watch",
]

MAX_INPUT_BYTES = MAX_PAYLOAD_BYTES
"""Step Functions' limit on an execution's input (256 KiB of UTF-8)."""

_ARN = "arn:aws:states:"


class ExecutionNotFound(UsageError):
    """No execution (or state machine) by that ARN in the environment's account and region."""


def _sfn(region: str) -> Any:
    import boto3

    session = boto3.Session(region_name=region)
    if session.get_credentials() is None:
        raise UsageError(
            "no AWS credentials: sign in (AWS_PROFILE, aws sso login) to the environment's "
            "account first"
        )
    return session.client("stepfunctions")


def state_machine_arn(qualified: str, env: Environment) -> str:
    """The ARN of flow `qualified`'s state machine in `env`."""
    name = state_machine_name(qualified, env.name)
    return f"arn:aws:states:{env.region}:{env.account}:stateMachine:{name}"


def check_input(value: Any) -> str:
    """The JSON text of `value`; UsageError when it is over 256 KiB (before any call)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    size = len(text.encode())
    if size > MAX_INPUT_BYTES:
        raise UsageError(
            f"the input has {size} bytes; Step Functions accepts at most {MAX_INPUT_BYTES} "
            "(256 KiB): pass a reference (an S3 key) instead of the data"
        )
    return text


def _not_found(exc: Exception, what: str) -> FlowtasksError:
    text = str(exc)
    if "DoesNotExist" in text or "does not exist" in text.lower() or "NotFound" in text:
        return ExecutionNotFound(f"{what} does not exist (is it deployed? {text})")
    if "InvalidArn" in text:
        return UsageError(f"{what} is not a valid ARN: {text}")
    return UsageError(f"{what}: {text}")


def start(qualified: str, env: Environment, value: Any, name: str | None = None) -> dict[str, Any]:
    """Start flow `qualified` in `env` with input `value` as execution `name` (default: a
    UUID, as AWS would pick); returns StartExecution's answer."""
    from botocore.exceptions import ClientError

    text = check_input(value)
    arn = state_machine_arn(qualified, env)
    arguments = {"stateMachineArn": arn, "input": text, "name": name or str(uuid.uuid4())}
    try:
        answer: dict[str, Any] = _sfn(env.region).start_execution(**arguments)
    except ClientError as exc:
        raise _not_found(exc, f"{qualified} in {env.name} ({arn})") from None
    return answer


def executions(qualified: str, env: Environment, limit: int = 20) -> list[dict[str, Any]]:
    """The most recent executions of `qualified` in `env`, newest first (at most `limit`)."""
    from botocore.exceptions import ClientError

    arn = state_machine_arn(qualified, env)
    client = _sfn(env.region)
    found: list[dict[str, Any]] = []
    try:
        for page in client.get_paginator("list_executions").paginate(stateMachineArn=arn):
            found.extend(page["executions"])
            if len(found) >= limit:
                break
    except ClientError as exc:
        raise _not_found(exc, f"{qualified} in {env.name} ({arn})") from None
    found.sort(key=lambda e: e["startDate"], reverse=True)
    return found[:limit]


def _region_of(execution_arn: str) -> str:
    parts = execution_arn.split(":")
    if not execution_arn.startswith(_ARN) or len(parts) < 8 or parts[5] != "execution":
        raise UsageError(
            f"{execution_arn!r} is not an execution ARN "
            "(arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME)"
        )
    return parts[3]


def describe(execution_arn: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(DescribeExecution, the definition it runs as a dict) of `execution_arn`."""
    from botocore.exceptions import ClientError

    client = _sfn(_region_of(execution_arn))
    try:
        execution: dict[str, Any] = client.describe_execution(executionArn=execution_arn)
        machine = client.describe_state_machine_for_execution(executionArn=execution_arn)
    except ClientError as exc:
        raise _not_found(exc, f"execution {execution_arn}") from None
    try:
        definition = json.loads(machine.get("definition") or "{}")
    except ValueError:
        definition = {}
    return execution, definition if isinstance(definition, dict) else {}


def aws_event(event: dict[str, Any]) -> dict[str, Any]:
    """A GetExecutionHistory event (boto3: datetime timestamps) as JSON-able data, as the
    engine's history holds it (ISO 8601 text)."""
    out = dict(event)
    stamp = out.get("timestamp")
    if isinstance(stamp, datetime):
        text = stamp.isoformat(timespec="milliseconds")
        out["timestamp"] = text.removesuffix("+00:00") + ("Z" if text.endswith("+00:00") else "")
    return out


def history(execution_arn: str, after: int = 0) -> Iterator[dict[str, Any]]:
    """The execution's events with an id above `after`, oldest first (every page), as boto3
    gives them (`flowtasks.history` reads these as it reads the engine's)."""
    from botocore.exceptions import ClientError

    client = _sfn(_region_of(execution_arn))
    try:
        pages = client.get_paginator("get_execution_history").paginate(
            executionArn=execution_arn, reverseOrder=False
        )
        for page in pages:
            for event in page["events"]:
                if int(event["id"]) > after:
                    yield event
    except ClientError as exc:
        raise _not_found(exc, f"execution {execution_arn}") from None


def watch(
    execution_arn: str,
    on_event: Callable[[dict[str, Any]], None],
    *,
    follow: bool = False,
    poll: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Feed every event of the execution to `on_event`; with `follow`, keep polling until the
    execution is no longer RUNNING. Returns the final DescribeExecution."""
    last = 0
    while True:
        execution, _ = describe(execution_arn)
        for event in history(execution_arn, after=last):
            on_event(event)
            last = max(last, int(event["id"]))
        if not follow or execution["status"] != "RUNNING":
            if follow:  # events written between the two calls
                for event in history(execution_arn, after=last):
                    on_event(event)
            return execution
        sleep(poll)


@dataclass(frozen=True)
class Redriven:
    """What RedriveExecution answered."""

    execution_arn: str
    redrive_date: Any


def redrive(execution_arn: str) -> Redriven:
    """Redrive a FAILED / TIMED_OUT / ABORTED execution; UsageError for any other status
    (checked before the call)."""
    from botocore.exceptions import ClientError

    execution, _ = describe(execution_arn)
    status = execution["status"]
    if status not in ("FAILED", "TIMED_OUT", "ABORTED"):
        raise UsageError(
            f"execution {execution_arn} is {status}: only FAILED, TIMED_OUT or ABORTED "
            "executions can be redriven"
        )
    try:
        answer = _sfn(_region_of(execution_arn)).redrive_execution(executionArn=execution_arn)
    except ClientError as exc:
        raise UsageError(f"Step Functions refused to redrive {execution_arn}: {exc}") from None
    return Redriven(execution_arn, answer.get("redriveDate"))
