"""Triggers: what starts a flow in AWS, declared on the flow (``Flow(triggers=[...])``).

- `Schedule`: ``Schedule.cron("0 6 * * ? *", timezone="Europe/Berlin")`` or
  ``Schedule.rate(1, "hour")``; an EventBridge Scheduler schedule.
- `S3ObjectCreated`: ``S3ObjectCreated("landing-{env}", prefix="vendor/", suffix=".csv")``; an
  EventBridge rule on the bucket's "Object Created" events (the bucket must send its events to
  EventBridge). ``{env}`` and ``{account}`` in the bucket name are filled per environment.
- `OnSuccess`: ``OnSuccess(other_flow)``; an EventBridge rule on another flow's execution
  succeeding (a `Flow` of the same domain, or ``"domain.Flow"`` of any domain).
- `Manual`: started by hand (``flow-task start``); documents the input it expects.

Each trigger has a `name` (lower-case letters, digits and ``-``; unique within its flow) used
by ``flow-task run FLOW --trigger NAME`` and in the names of its AWS resources. Every value is
checked when the trigger is made: a bad one raises ValueError naming the trigger and the field.
What each trigger becomes in the stack, and the input it sends, is `flowtasks.deploy.triggers`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from flowtasks.dsl.flow import Flow

__all__ = ["Manual", "OnSuccess", "S3ObjectCreated", "Schedule", "Trigger", "check_triggers"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_BUCKET = re.compile(r"^[a-z0-9{][a-z0-9.{}-]{1,80}[a-z0-9}]$")
_QUALIFIED = re.compile(r"^[a-z][a-z0-9_]*\.[A-Za-z0-9_-]{1,80}$")
_RATE_UNITS = ("minute", "minutes", "hour", "hours", "day", "days")

# AWS cron fields (EventBridge Scheduler, "Cron-based schedules"): the characters each accepts.
_CRON_FIELDS: tuple[tuple[str, str], ...] = (
    ("minutes", r"[0-9,\-*/]+"),
    ("hours", r"[0-9,\-*/]+"),
    ("day-of-month", r"[0-9,\-*?/LW]+"),
    ("month", r"[0-9A-Za-z,\-*/]+"),
    ("day-of-week", r"[0-9A-Za-z,\-*?/L#]+"),
    ("year", r"[0-9,\-*/]+"),
)


class Trigger:
    """Base of every trigger: a `name` unique within its flow and a `kind`."""

    kind: ClassVar[str] = "trigger"
    name: str

    def describe(self) -> str:
        """One line for humans (``flow-task list --json``, docs)."""
        raise NotImplementedError

    def _check_name(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(
                f"{type(self).__name__} trigger name {self.name!r} must be 1-32 lower-case "
                "letters, digits or '-', starting with a letter or digit"
            )


def _check_input(owner: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise ValueError(f"{owner}: input must be a dict (the flow's input), not {value!r}")
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{owner}: input must be JSON: {exc}") from None


def _check_timezone(owner: str, timezone: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{owner}: unknown time zone {timezone!r}; use an IANA name such as "
            "'UTC' or 'Europe/Berlin'"
        ) from None


def cron_problem(expression: str) -> str | None:
    """Why `expression` (the six fields inside ``cron(...)``) is not an AWS cron, or None."""
    fields = expression.split()
    if len(fields) != 6:
        return (
            f"cron expression {expression!r} has {len(fields)} fields; AWS cron has 6: "
            "minutes hours day-of-month month day-of-week year (e.g. '0 6 * * ? *')"
        )
    for value, (label, pattern) in zip(fields, _CRON_FIELDS, strict=True):
        if not re.fullmatch(pattern, value):
            return f"cron expression {expression!r}: {label} field {value!r} is not valid"
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return (
            f"cron expression {expression!r}: exactly one of day-of-month and day-of-week "
            "must be '?' (e.g. '0 6 * * ? *' every day, '0 6 ? * MON *' on Mondays)"
        )
    return None


@dataclass(frozen=True)
class Schedule(Trigger):
    """An EventBridge Scheduler schedule: ``cron(...)`` or ``rate(...)`` in `timezone`.

    Make one with `Schedule.cron` or `Schedule.rate`. `input` is the flow's input (default
    ``{"scheduled_time": "<aws.scheduler.scheduled-time>"}``); Scheduler replaces the
    ``<aws.scheduler.*>`` placeholders in it when it starts the flow.
    """

    kind: ClassVar[str] = "schedule"
    expression: str
    timezone: str = "UTC"
    name: str = "schedule"
    input: dict[str, Any] | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        self._check_name()
        owner = f"Schedule {self.name!r}"
        expr = self.expression
        if not isinstance(expr, str):
            raise ValueError(f"{owner}: expression must be a string")
        if expr.startswith("cron(") and expr.endswith(")"):
            problem = cron_problem(expr[5:-1])
            if problem:
                raise ValueError(f"{owner}: {problem}")
        elif not (expr.startswith("rate(") and expr.endswith(")")):
            raise ValueError(
                f"{owner}: expression {expr!r} must be cron(...) or rate(...); "
                "use Schedule.cron or Schedule.rate"
            )
        _check_timezone(owner, self.timezone)
        _check_input(owner, self.input)

    @classmethod
    def cron(
        cls,
        expression: str,
        *,
        timezone: str = "UTC",
        name: str = "schedule",
        input: dict[str, Any] | None = None,
        enabled: bool = True,
    ) -> Schedule:
        """At the times of AWS cron `expression` (6 fields), read in `timezone` (IANA name)."""
        return cls(f"cron({expression})", timezone, name, input, enabled)

    @classmethod
    def rate(
        cls,
        value: int,
        unit: Literal["minute", "minutes", "hour", "hours", "day", "days"],
        *,
        timezone: str = "UTC",
        name: str = "schedule",
        input: dict[str, Any] | None = None,
        enabled: bool = True,
    ) -> Schedule:
        """Every `value` `unit` (``rate(1, "hour")``, ``rate(15, "minutes")``)."""
        owner = f"Schedule {name!r}"
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{owner}: rate value must be a whole number >= 1, not {value!r}")
        if unit not in _RATE_UNITS:
            raise ValueError(f"{owner}: rate unit {unit!r} must be one of {', '.join(_RATE_UNITS)}")
        if (value == 1) != (not unit.endswith("s")):
            right = unit.rstrip("s") if value == 1 else unit.rstrip("s") + "s"
            raise ValueError(f"{owner}: write rate({value}, {right!r}), as AWS requires")
        return cls(f"rate({value} {unit})", timezone, name, input, enabled)

    def describe(self) -> str:
        return f"schedule {self.expression} ({self.timezone})"


@dataclass(frozen=True)
class S3ObjectCreated(Trigger):
    """An object created in `bucket` (key starting with `prefix`, ending with `suffix`).

    The flow's input is ``{"bucket", "key", "size", "event_time"}`` of the new object. `bucket`
    may contain ``{env}`` and ``{account}``, filled from the environment at synth time. The
    bucket must have EventBridge notifications switched on (see docs/workflow-triggers.md).
    """

    kind: ClassVar[str] = "s3"
    bucket: str
    prefix: str = ""
    suffix: str = ""
    name: str = "s3"

    def __post_init__(self) -> None:
        self._check_name()
        owner = f"S3ObjectCreated {self.name!r}"
        if not isinstance(self.bucket, str) or not _BUCKET.match(self.bucket):
            raise ValueError(
                f"{owner}: bucket {self.bucket!r} is not a bucket name (3-63 lower-case "
                "letters, digits, '.', '-'; '{env}' and '{account}' are filled per environment)"
            )
        unknown = set(re.findall(r"\{([^}]*)\}", self.bucket)) - {"env", "account"}
        if unknown:
            raise ValueError(
                f"{owner}: bucket {self.bucket!r} uses {{{sorted(unknown)[0]}}}; only {{env}} "
                "and {account} are filled in"
            )
        for label, value in (("prefix", self.prefix), ("suffix", self.suffix)):
            if not isinstance(value, str) or len(value) > 1024:
                raise ValueError(f"{owner}: {label} must be a string of at most 1024 characters")

    def bucket_for(self, env: str, account: str) -> str:
        """The bucket name in environment `env` of `account`."""
        return self.bucket.replace("{env}", env).replace("{account}", account)

    def describe(self) -> str:
        return f"object created in s3://{self.bucket}/{self.prefix}*{self.suffix}"


@dataclass(frozen=True)
class OnSuccess(Trigger):
    """Another flow's execution succeeded: `flow` is a `Flow` of this domain or ``"dom.Flow"``.

    The flow's input is ``{"execution_arn", "state_machine_arn", "output"}`` of the execution
    that succeeded (`output` is its output as JSON text, as Step Functions sends it).
    """

    kind: ClassVar[str] = "on-success"
    flow: Flow | str
    name: str = field(default="")

    def __post_init__(self) -> None:
        from flowtasks.dsl.flow import Flow

        target = self.flow
        if isinstance(target, Flow):
            label = target.name
        elif isinstance(target, str) and _QUALIFIED.match(target):
            label = target.split(".", 1)[1]
        else:
            raise ValueError(
                f"OnSuccess: flow must be a Flow or a qualified name 'domain.Flow', not {target!r}"
            )
        if not self.name:
            object.__setattr__(self, "name", _slug(f"after-{label}"))
        self._check_name()

    def target(self, domain: str) -> str:
        """The qualified name of the flow to follow, for a flow of `domain`."""
        from flowtasks.dsl.flow import Flow

        return f"{domain}.{self.flow.name}" if isinstance(self.flow, Flow) else self.flow

    def describe(self) -> str:
        from flowtasks.dsl.flow import Flow

        label = self.flow.name if isinstance(self.flow, Flow) else self.flow
        return f"after {label} succeeds"


@dataclass(frozen=True)
class Manual(Trigger):
    """Started by hand (``flow-task start FLOW --env E``); `example` is an input it takes."""

    kind: ClassVar[str] = "manual"
    example: dict[str, Any] | None = None
    name: str = "manual"

    def __post_init__(self) -> None:
        self._check_name()
        _check_input(f"Manual {self.name!r}", self.example)

    def describe(self) -> str:
        return "started by hand"


def _slug(text: str) -> str:
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text).lower()
    return re.sub(r"[^a-z0-9-]+", "-", words).strip("-")[:32].rstrip("-")


def check_triggers(flow_name: str, triggers: tuple[Any, ...]) -> None:
    """Raise TypeError for a value that is not a `Trigger`, ValueError for a repeated name."""
    seen: set[str] = set()
    for index, trigger in enumerate(triggers):
        if not isinstance(trigger, Trigger):
            raise TypeError(
                f"Flow {flow_name!r}: triggers[{index}] is {trigger!r}; use Schedule.cron(...), "
                "Schedule.rate(...), S3ObjectCreated(...), OnSuccess(...) or Manual()"
            )
        if trigger.name in seen:
            raise ValueError(
                f"Flow {flow_name!r}: two triggers are named {trigger.name!r}; give one of them "
                "another name= (trigger names are unique within a flow)"
            )
        seen.add(trigger.name)
