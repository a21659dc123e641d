"""The loopback endpoint answers GetExecutionHistory as AWS does: boto3 reads the engine's ISO
timestamps back as the same instants."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from flowtasks.runner.endpoint import Endpoint

ARN = "arn:aws:states:us-east-1:123456789012:execution:M:run"
MOMENT = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


@pytest.fixture
def east_of_utc() -> Iterator[None]:
    """The process's local time zone is UTC+5 for the test (a naive time read as local time
    would then be 5 hours off)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "XXX-05"  # POSIX sign: 5 hours east of UTC
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ")
        else:
            os.environ["TZ"] = before
        time.tzset()


def history(endpoint: Endpoint) -> list[dict[str, Any]]:
    client = boto3.client(
        "stepfunctions",
        endpoint_url=endpoint.url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    events: list[dict[str, Any]] = client.get_execution_history(executionArn=ARN)["events"]
    return events


@pytest.mark.integration
def test_history_timestamps_reach_boto3_as_the_same_instants(east_of_utc: None) -> None:
    written = [
        "2026-01-02T03:04:05.678Z",  # as the engine writes them
        "2026-01-02T08:04:05.678+05:00",
        "2026-01-02T03:04:05.678",  # no offset: UTC, not the local time zone
        MOMENT.timestamp(),  # epoch seconds pass through
    ]
    events = [
        {"id": i, "type": "PassStateEntered", "timestamp": stamp}
        for i, stamp in enumerate(written, 1)
    ]
    events.append({"id": 5, "type": "PassStateExited"})  # no timestamp: none is sent
    with Endpoint() as endpoint:
        endpoint.track(ARN, events)
        read = history(endpoint)
    assert [event["id"] for event in read] == [1, 2, 3, 4, 5]
    assert [event.get("timestamp") for event in read] == [MOMENT] * 4 + [None]
