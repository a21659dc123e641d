"""What each trigger becomes in the stack, and the input it gives the flow, in one place.

The same module writes a trigger's AWS resource (`trigger_resource`) and computes the input
that resource sends for an event (`trigger_input`), so ``flow-task run FLOW --trigger NAME``
feeds a local run exactly what AWS would:

- `Schedule`: an ``AWS::Scheduler::Schedule`` whose target ``Input`` is the trigger's input;
  Scheduler fills ``<aws.scheduler.scheduled-time>``, ``<aws.scheduler.execution-id>``,
  ``<aws.scheduler.schedule-arn>`` and ``<aws.scheduler.attempt-number>`` in it. The local
  "event" is those four values (``{"scheduled-time": ..., ...}``; defaults: now, a new id).
- `S3ObjectCreated`: an ``AWS::Events::Rule`` on S3's "Object Created" events with an
  InputTransformer giving ``{"bucket", "key", "size", "event_time"}``. The local event is the
  EventBridge event (envelope and S3 detail).
- `OnSuccess`: an ``AWS::Events::Rule`` on "Step Functions Execution Status Change" events
  (status SUCCEEDED of the other flow) giving ``{"execution_arn", "state_machine_arn",
  "output"}`` (output as JSON text, as the event carries it).
- `Manual`: nothing in the stack; the local event is the input itself.

A local event that the trigger's rule would not match is refused, naming the field.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flowtasks.deploy.environments import Environment
from flowtasks.deploy.naming import logical_id, state_machine_name
from flowtasks.dsl.triggers import Manual, OnSuccess, S3ObjectCreated, Schedule, Trigger
from flowtasks.errors import UsageError

__all__ = [
    "SCHEDULER_CONTEXT",
    "event_pattern",
    "input_transformer",
    "sample_event",
    "schedule_input",
    "trigger_input",
    "trigger_resource",
]

SCHEDULER_CONTEXT = ("scheduled-time", "execution-id", "schedule-arn", "attempt-number")
"""The context attributes EventBridge Scheduler fills in a target's Input."""

_S3_FIELDS = {
    "bucket": "$.detail.bucket.name",
    "key": "$.detail.object.key",
    "size": "$.detail.object.size",
    "event_time": "$.time",
}
_SUCCESS_FIELDS = {
    "execution_arn": "$.detail.executionArn",
    "state_machine_arn": "$.detail.stateMachineArn",
    "output": "$.detail.output",
}
_SFN_DETAIL_TYPE = "Step Functions Execution Status Change"


def schedule_input(trigger: Schedule) -> dict[str, Any]:
    """The Input of a schedule's target (with Scheduler's ``<aws.scheduler.*>`` keywords)."""
    if trigger.input is not None:
        return dict(trigger.input)
    return {"scheduled_time": "<aws.scheduler.scheduled-time>"}


def _wildcard_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*")


def event_pattern(trigger: Trigger, domain: str, env: Environment) -> dict[str, Any]:
    """The EventBridge EventPattern of an S3ObjectCreated or OnSuccess trigger."""
    if isinstance(trigger, S3ObjectCreated):
        detail: dict[str, Any] = {"bucket": {"name": [trigger.bucket_for(env.name, env.account)]}}
        if trigger.prefix and trigger.suffix:
            key = [
                {
                    "wildcard": f"{_wildcard_escape(trigger.prefix)}*"
                    f"{_wildcard_escape(trigger.suffix)}"
                }
            ]
            detail["object"] = {"key": key}
        elif trigger.prefix:
            detail["object"] = {"key": [{"prefix": trigger.prefix}]}
        elif trigger.suffix:
            detail["object"] = {"key": [{"suffix": trigger.suffix}]}
        return {"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": detail}
    if isinstance(trigger, OnSuccess):
        name = state_machine_name(trigger.target(domain), env.name)
        arn = f"arn:aws:states:{env.region}:{env.account}:stateMachine:{name}"
        return {
            "source": ["aws.states"],
            "detail-type": [_SFN_DETAIL_TYPE],
            "detail": {"status": ["SUCCEEDED"], "stateMachineArn": [arn]},
        }
    raise TypeError(f"{type(trigger).__name__} has no event pattern")


def input_transformer(trigger: Trigger) -> dict[str, Any]:
    """The rule target's InputTransformer: the flow's input built from the event."""
    fields = _S3_FIELDS if isinstance(trigger, S3ObjectCreated) else _SUCCESS_FIELDS
    template = "{" + ", ".join(f'"{name}": <{name}>' for name in fields) + "}"
    return {"InputPathsMap": dict(fields), "InputTemplate": template}


def trigger_resource(
    trigger: Trigger,
    qualified: str,
    env: Environment,
    *,
    target: Any,
    role: Any,
) -> tuple[str, dict[str, Any]] | None:
    """(logical id, resource) of `trigger` of flow `qualified`; None for `Manual`.

    `target` is the ARN to start (the flow's alias), `role` the ARN of the role that may.
    """
    domain, _, flow = qualified.partition(".")
    if isinstance(trigger, Manual):
        return None
    lid = logical_id(flow, trigger.name, "Trigger")
    name = f"{state_machine_name(qualified, env.name)}-{trigger.name}"[:64]
    if isinstance(trigger, Schedule):
        return lid, {
            "Type": "AWS::Scheduler::Schedule",
            "Properties": {
                "Name": name,
                "Description": f"{qualified}: {trigger.describe()}",
                "ScheduleExpression": trigger.expression,
                "ScheduleExpressionTimezone": trigger.timezone,
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "State": "ENABLED" if trigger.enabled else "DISABLED",
                "Target": {
                    "Arn": target,
                    "RoleArn": role,
                    "Input": json.dumps(schedule_input(trigger), sort_keys=True),
                    "RetryPolicy": {"MaximumRetryAttempts": 3},
                },
            },
        }
    return lid, {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "Name": name,
            "Description": f"{qualified}: {trigger.describe()}",
            "EventPattern": event_pattern(trigger, domain, env),
            "State": "ENABLED",
            "Targets": [
                {
                    "Id": "flow",
                    "Arn": target,
                    "RoleArn": role,
                    "InputTransformer": input_transformer(trigger),
                }
            ],
        },
    }


# -- local runs: the event a trigger receives, and the input it gives -----------------------------


def sample_event(
    trigger: Trigger,
    qualified: str,
    env_name: str = "dev",
    account: str = "123456789012",
    region: str = "us-east-1",
) -> Any:
    """A realistic event of `trigger` (what ``run --trigger`` uses without ``--event``)."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    domain = qualified.split(".", 1)[0]
    if isinstance(trigger, Schedule):
        name = f"{state_machine_name(qualified, env_name)}-{trigger.name}"[:64]
        return {
            "scheduled-time": now,
            "execution-id": uuid.uuid4().hex[:16],
            "schedule-arn": f"arn:aws:scheduler:{region}:{account}:schedule/default/{name}",
            "attempt-number": 1,
        }
    if isinstance(trigger, S3ObjectCreated):
        bucket = trigger.bucket_for(env_name, account)
        key = f"{trigger.prefix}example{trigger.suffix or '.json'}"
        return _envelope(
            "Object Created",
            "aws.s3",
            account,
            region,
            now,
            [f"arn:aws:s3:::{bucket}"],
            {
                "version": "0",
                "bucket": {"name": bucket},
                "object": {
                    "key": key,
                    "size": 1024,
                    "etag": uuid.uuid4().hex,
                    "sequencer": "0062E99A88DC407460",
                },
                "request-id": uuid.uuid4().hex[:16].upper(),
                "requester": account,
                "reason": "PutObject",
            },
        )
    if isinstance(trigger, OnSuccess):
        target = trigger.target(domain)
        machine = state_machine_name(target, env_name)
        sm_arn = f"arn:aws:states:{region}:{account}:stateMachine:{machine}"
        name = str(uuid.uuid4())
        execution = f"arn:aws:states:{region}:{account}:execution:{machine}:{name}"
        millis = int(datetime.now(UTC).timestamp() * 1000)
        return _envelope(
            _SFN_DETAIL_TYPE,
            "aws.states",
            account,
            region,
            now,
            [execution],
            {
                "executionArn": execution,
                "stateMachineArn": sm_arn,
                "name": name,
                "status": "SUCCEEDED",
                "startDate": millis - 1000,
                "stopDate": millis,
                "input": "{}",
                "inputDetails": {"included": True},
                "output": "{}",
                "outputDetails": {"included": True},
            },
        )
    if isinstance(trigger, Manual):
        return dict(trigger.example or {})
    raise TypeError(f"not a trigger: {trigger!r}")


def _envelope(
    detail_type: str,
    source: str,
    account: str,
    region: str,
    time: str,
    resources: list[str],
    detail: dict[str, Any],
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": time,
        "region": region,
        "resources": resources,
        "detail": detail,
    }


def _path(event: Any, path: str) -> Any:
    value = event
    for part in path.removeprefix("$.").split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise UsageError(f"the event has no {path} (EventBridge would not match it)")
        value = value[part]
    return value


def _matches(pattern: Any, event: Any, where: str) -> None:
    """Raise UsageError when `event` does not match the EventBridge `pattern` we write."""
    for key, expected in pattern.items():
        if not isinstance(event, Mapping) or key not in event:
            raise UsageError(f"the event has no {where}{key}, so the rule would not match it")
        value = event[key]
        if isinstance(expected, dict):
            _matches(expected, value, f"{where}{key}.")
            continue
        if not any(_matches_one(rule, value) for rule in expected):
            raise UsageError(
                f"the event's {where}{key} is {value!r}; the trigger's rule only matches "
                f"{json.dumps(expected)}, so AWS would not start the flow"
            )


def _matches_one(rule: Any, value: Any) -> bool:
    if not isinstance(rule, dict):
        return bool(rule == value)
    if not isinstance(value, str):
        return False
    if "prefix" in rule:
        return value.startswith(rule["prefix"])
    if "suffix" in rule:
        return value.endswith(rule["suffix"])
    if "wildcard" in rule:
        parts = re.split(r"(?<!\\)\*", rule["wildcard"])
        regex = ".*".join(re.escape(p.replace("\\*", "*").replace("\\\\", "\\")) for p in parts)
        return re.fullmatch(regex, value, re.DOTALL) is not None
    return False


def trigger_input(
    trigger: Trigger, qualified: str, event: Any, env: Environment | None = None
) -> Any:
    """The flow input that `trigger` sends for `event` (as `sample_event` shapes it).

    Raises UsageError when the event is malformed or the trigger's rule would not match it.
    `env` (default: a stand-in ``dev`` of account 123456789012, us-east-1) fills ``{env}`` and
    ``{account}`` in bucket names and the other flow's ARN.
    """
    if isinstance(trigger, Manual):
        return event
    if isinstance(trigger, Schedule):
        if not isinstance(event, Mapping):
            raise UsageError("a schedule's event is an object of Scheduler's context values")
        unknown = sorted(set(event) - set(SCHEDULER_CONTEXT))
        if unknown:
            raise UsageError(
                f"a schedule's event has no {unknown[0]!r}; its keys are "
                + ", ".join(SCHEDULER_CONTEXT)
            )
        defaults = sample_event(trigger, qualified)
        values = {**defaults, **event}
        text = json.dumps(schedule_input(trigger))
        for key in SCHEDULER_CONTEXT:
            text = text.replace(f"<aws.scheduler.{key}>", str(values[key]))
        return json.loads(text)
    stand_in = env or _stand_in()
    _matches(event_pattern(trigger, qualified.split(".", 1)[0], stand_in), event, "")
    transformer = input_transformer(trigger)
    return {name: _path(event, path) for name, path in transformer["InputPathsMap"].items()}


def _stand_in() -> Environment:
    return Environment(
        name="dev",
        account="123456789012",
        region="us-east-1",
        cluster="local",
        subnets=("subnet-00000000",),
        security_groups=("sg-00000000",),
        artifact_bucket="local-artifacts",
        log_retention_days=1,
    )
