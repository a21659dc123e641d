"""The runner's reports: retried with backoff when refused, ended cleanly when the state is
already over. The runner runs as a subprocess against the loopback Step Functions endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowtasks.runner.endpoint import Endpoint

pytestmark = pytest.mark.integration

FLOW_TASK = str(Path(sys.executable).parent / "flow-task")
TOKEN = "token-" + "x" * 40


def runner(
    endpoint: Endpoint, flow: str, state: str, payload: object
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "FLOWTASKS_TASK_TOKEN": TOKEN,
        "FLOWTASKS_INPUT": json.dumps(payload),
        "AWS_ENDPOINT_URL_SFN": endpoint.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    argv = [FLOW_TASK, "state", flow, state]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_a_throttled_report_is_retried_until_it_is_delivered(rt_domain: Path) -> None:
    refuse = {"SendTaskSuccess": ["ThrottlingException", "ServiceUnavailable"]}
    with Endpoint(refuse=refuse) as endpoint:
        box = endpoint.expect(TOKEN)
        done = runner(endpoint, "rt.Echo", "Echo", {"n": 1})
        assert done.returncode == 0, done.stdout + done.stderr
        assert box.get_nowait() == ("success", {"taskToken": TOKEN, "output": '{"n":1}'})
        assert endpoint.calls == ["SendTaskSuccess"] * 3


def test_a_state_that_already_timed_out_ends_the_runner_cleanly(rt_domain: Path) -> None:
    with Endpoint() as endpoint:
        endpoint.expect(TOKEN)
        endpoint.close(TOKEN)  # Step Functions gave up on the token: TaskTimedOut
        done = runner(endpoint, "rt.Fails", "Fail", {"n": 2})
    assert done.returncode == 0
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["event"] for line in lines] == ["task_started", "task_failed", "token_stale"]
    assert lines[-1]["code"] == "TaskTimedOut"


def test_an_unknown_state_is_reported_as_a_failure_not_left_hanging(rt_domain: Path) -> None:
    with Endpoint() as endpoint:
        box = endpoint.expect(TOKEN)
        done = runner(endpoint, "rt.Echo", "NoSuchState", {})
        assert done.returncode == 2
        kind, fields = box.get_nowait()
    assert (kind, fields["error"]) == ("failure", "StateNotFoundError")
    assert "NoSuchState" in fields["cause"]


def test_a_report_that_cannot_be_delivered_exits_75(rt_domain: Path) -> None:
    with Endpoint(refuse={"SendTaskSuccess": ["ServiceUnavailable"] * 20}) as endpoint:
        endpoint.expect(TOKEN)
        done = runner(endpoint, "rt.Echo", "Echo", {})
    assert done.returncode == 75
    assert json.loads(done.stdout.splitlines()[-1])["event"] == "report_failed"
