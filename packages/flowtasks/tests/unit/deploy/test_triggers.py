"""Triggers are typed and checked when made; each gives the flow the input AWS would send,
which ``flow-task run FLOW --trigger NAME [--event JSON]`` feeds a local run."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from flowtasks.deploy.triggers import sample_event, trigger_input
from flowtasks.dsl import Flow, Manual, OnSuccess, S3ObjectCreated, Schedule, Succeed
from flowtasks.errors import UsageError

Run = Callable[..., tuple[int, str, str]]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Schedule.cron("0 6 * * *"), "has 5 fields; AWS cron has 6"),
        (lambda: Schedule.cron("0 6 * * MON *"), "exactly one of day-of-month and day-of-week"),
        (lambda: Schedule.cron("0 6 ? * ? *"), "exactly one of day-of-month and day-of-week"),
        (lambda: Schedule.cron("0 6 * * ? 20x6"), "year field '20x6' is not valid"),
        (lambda: Schedule.cron("0 6 * * ? *", timezone="Mars/Olympus"), "unknown time zone"),
        (lambda: Schedule.rate(0, "hours"), "rate value must be a whole number >= 1"),
        (lambda: Schedule.rate(2, "hour"), "write rate(2, 'hours')"),
        (lambda: Schedule.rate(1, "days"), "write rate(1, 'day')"),
        (lambda: Schedule.rate(1, "week"), "rate unit 'week' must be one of"),  # type: ignore[arg-type]
        (lambda: Schedule("every day"), "must be cron(...) or rate(...)"),
        (lambda: Schedule.rate(1, "hour", input=[1]), "input must be a dict"),  # type: ignore[arg-type]
        (lambda: S3ObjectCreated("Bad_Bucket"), "is not a bucket name"),
        (lambda: S3ObjectCreated("drops-{stage}"), "uses {stage}; only {env} and {account}"),
        (lambda: OnSuccess("NotQualified"), "flow must be a Flow or a qualified name"),
        (lambda: Manual(name="Has Space"), "trigger name 'Has Space' must be 1-32"),
    ],
)
def test_a_bad_trigger_is_refused_naming_the_field(make: Callable[[], Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        make()
    assert message in str(caught.value)


def test_flow_triggers_are_typed_and_their_names_unique() -> None:
    with pytest.raises(TypeError, match=r"triggers\[0\] is 'nightly'; use Schedule.cron"):
        Flow("F", Succeed("Done"), triggers=["nightly"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="two triggers are named 'schedule'"):
        Flow("F", Succeed("Done"), triggers=[Schedule.rate(1, "day"), Schedule.rate(2, "days")])
    flow = Flow("F", Succeed("Done"), triggers=[Schedule.rate(1, "day"), OnSuccess("x.Other")])
    assert [t.name for t in flow.triggers] == ["schedule", "after-other"]


def test_a_schedule_sends_its_input_with_schedulers_context_filled() -> None:
    trigger = Schedule.cron("0 2 * * ? *", timezone="Europe/Berlin")
    event = {"scheduled-time": "2026-01-01T01:00:00Z"}
    assert trigger_input(trigger, "demo.Nightly", event) == {
        "scheduled_time": "2026-01-01T01:00:00Z"
    }
    custom = Schedule.rate(1, "hour", input={"run": "<aws.scheduler.execution-id>", "n": 1})
    assert trigger_input(custom, "d.F", {"execution-id": "abc"}) == {"run": "abc", "n": 1}
    with pytest.raises(UsageError, match="a schedule's event has no 'when'"):
        trigger_input(custom, "d.F", {"when": "now"})


def test_an_s3_event_gives_bucket_key_size_and_time_and_must_match_the_rule() -> None:
    trigger = S3ObjectCreated("landing-{env}", prefix="vendor/", suffix=".csv")
    event = sample_event(trigger, "demo.UploadAudit")
    assert event["detail-type"] == "Object Created"
    assert event["source"] == "aws.s3"
    event["detail"]["object"]["key"] = "vendor/a b.csv"
    assert trigger_input(trigger, "demo.UploadAudit", event) == {
        "bucket": "landing-dev",
        "key": "vendor/a b.csv",
        "size": 1024,
        "event_time": event["time"],
    }
    event["detail"]["object"]["key"] = "vendor/a.txt"
    with pytest.raises(UsageError, match=r"detail.object.key is 'vendor/a.txt'"):
        trigger_input(trigger, "demo.UploadAudit", event)
    event["detail"]["bucket"]["name"] = "landing-prod"
    with pytest.raises(UsageError, match=r"detail.bucket.name is 'landing-prod'"):
        trigger_input(trigger, "demo.UploadAudit", event)


def test_on_success_gives_the_upstream_execution_and_its_output_text() -> None:
    trigger = OnSuccess("demo.VendorIngest")
    event = sample_event(trigger, "demo.UploadAudit")
    event["detail"]["output"] = json.dumps({"loaded": 2})
    given = trigger_input(trigger, "demo.UploadAudit", event)
    assert given["output"] == '{"loaded": 2}'
    assert given["execution_arn"].startswith(
        "arn:aws:states:us-east-1:123456789012:execution:demo-VendorIngest-dev:"
    )
    event["detail"]["status"] = "FAILED"
    with pytest.raises(UsageError, match=r"detail\.status is 'FAILED'"):
        trigger_input(trigger, "demo.UploadAudit", event)


def test_run_trigger_feeds_the_local_run_what_the_trigger_sends(flow_task: Run) -> None:
    code, out, err = flow_task("run", "demo.UploadAudit", "--trigger", "vendor-upload")
    assert code == 0, err
    assert json.loads(out) == {
        "event": "upload",
        "object": "s3://acme-landing-dev/vendor/example.csv",
        "size": 1024,
    }
    event = json.dumps(
        {
            "source": "aws.s3",
            "detail-type": "Object Created",
            "time": "2026-01-01T00:00:00Z",
            "detail": {
                "bucket": {"name": "acme-landing-dev"},
                "object": {"key": "vendor/x.csv", "size": 9},
            },
        }
    )
    code, out, err = flow_task(
        "run", "demo.UploadAudit", "--trigger", "vendor-upload", "--event", event
    )
    assert code == 0, err
    assert json.loads(out)["object"] == "s3://acme-landing-dev/vendor/x.csv"
    code, out, err = flow_task("run", "demo.UploadAudit", "--trigger", "nope")
    assert code == 2
    assert "has no trigger 'nope'; its triggers: after-vendor-ingest, vendor-upload" in err
    code, out, err = flow_task("run", "demo.UploadAudit", "--event", "{}")
    assert code == 2
    assert "--event needs --trigger NAME" in err
