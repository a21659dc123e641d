"""The runner's JSON logs never show secrets; its history reader finds the right attempt."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from flowtasks.runner.history_input import InputNotFound, find_input
from flowtasks.runner.logs import Logger, redact, secret_values


def test_secret_values_and_uri_passwords_are_masked() -> None:
    env = {
        "FLOWTASKS_CONN_WAREHOUSE": "postgres://u:pw-123456@db/x",
        "API_TOKEN": "abcd1234",
        "HOME": "/home/flows",
    }
    text = "cannot reach postgres://u:pw-123456@db/x with abcd1234 from /home/flows"
    masked = redact(text, secret_values(env))
    assert "pw-123456" not in masked
    assert "abcd1234" not in masked
    assert "/home/flows" in masked  # ordinary values stay
    assert redact("sftp://me:hunter2@host/path", []) == "sftp://me:***@host/path"


def test_log_lines_are_json_with_context_and_redacted_fields() -> None:
    stream = io.StringIO()
    log = Logger({"flow": "demo.X", "state": "S"}, stream, {"DB_PASSWORD": "s3cr3t-value"})
    log.bind(attempt=2)
    log("task_failed", "ERROR", cause="login with s3cr3t-value refused", duration_ms=5)
    line = json.loads(stream.getvalue())
    assert line["event"] == "task_failed"
    assert line["level"] == "ERROR"
    assert (line["flow"], line["state"], line["attempt"], line["duration_ms"]) == (
        "demo.X", "S", 2, 5,
    )  # fmt: skip
    assert line["cause"] == "login with *** refused"


def event(id: int, previous: int, kind: str, **details: Any) -> dict[str, Any]:
    key = "stateEnteredEventDetails" if kind.endswith("StateEntered") else None
    key = key or kind[0].lower() + kind[1:] + "EventDetails"
    out = {"id": id, "previousEventId": previous, "type": kind, "timestamp": f"t{id}"}
    if details:
        out[key] = details
    return out


def scheduled(id: int, previous: int, token: str) -> dict[str, Any]:
    params = {"Overrides": {"Environment": [{"Name": "FLOWTASKS_TASK_TOKEN", "Value": token}]}}
    return event(id, previous, "TaskScheduled", parameters=json.dumps(params))


ARN = "arn:aws:states:us-east-1:123456789012:execution:M:run"


def test_the_attempt_is_found_among_interleaved_map_iterations_and_retries() -> None:
    history = [
        event(1, 0, "ExecutionStarted", input='{"all": 1}'),
        event(2, 1, "MapIterationStarted"),
        event(3, 1, "MapIterationStarted"),
        event(4, 2, "TaskStateEntered", name="Work", input='{"item": "a"}'),
        event(5, 3, "TaskStateEntered", name="Work", input='{"item": "b"}'),
        scheduled(6, 4, "tok-a1"),
        scheduled(7, 5, "tok-b1"),
        event(8, 7, "TaskFailed", error="Boom"),
        scheduled(9, 8, "tok-b2"),  # the retry of iteration b
    ]
    found = find_input(reversed(history), "tok-b2", ARN)
    assert (found.input, found.retry_count, found.entered_time) == ({"item": "b"}, 1, "t5")
    found = find_input(reversed(history), "tok-a1", ARN, need_start=True)
    assert (found.input, found.retry_count, found.execution_input) == ({"item": "a"}, 0, {"all": 1})


def test_a_token_not_in_the_history_is_reported() -> None:
    with pytest.raises(InputNotFound, match="no TaskScheduled event"):
        find_input(iter([event(1, 0, "ExecutionStarted")]), "tok", ARN)
