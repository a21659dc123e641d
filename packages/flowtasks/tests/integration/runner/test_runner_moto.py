"""The runner against Step Functions (moto in server mode over HTTP).

moto executes ``sqs:sendMessage.waitForTaskToken`` states, so the state machine hands the real
task token and execution ARN to the test through SQS; the test then starts ``flow-task state``
as a subprocess, exactly as ECS would start the container, and watches the execution end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

FLOW_TASK = str(Path(sys.executable).parent / "flow-task")
ROLE = "arn:aws:iam::123456789012:role/flowtasks-test"

Machine = Callable[..., dict[str, Any]]


@pytest.fixture
def clients(moto_endpoint: str) -> tuple[Any, Any, Any]:
    """(stepfunctions, sqs, s3) clients on moto, with moto's state machine execution on."""
    import boto3

    request = urllib.request.Request(
        f"{moto_endpoint}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()
    return (
        boto3.client("stepfunctions", endpoint_url=moto_endpoint),
        boto3.client("sqs", endpoint_url=moto_endpoint),
        boto3.client("s3", endpoint_url=moto_endpoint),
    )


@pytest.fixture
def start(clients: tuple[Any, Any, Any], rt_domain: Path) -> Machine:
    """``start(state, input, **state_fields)``: a one-state machine whose Task (named like the
    flow's) waits for a token handed out through SQS; returns {arn, token, execution}."""
    sfn, sqs, _ = clients

    def make(state: str, payload: Any, **fields: Any) -> dict[str, Any]:
        name = f"m{uuid.uuid4().hex[:10]}"
        queue = sqs.create_queue(QueueName=name)["QueueUrl"]
        task = {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {
                "QueueUrl": queue,
                "MessageBody": {
                    "FLOWTASKS_TASK_TOKEN.$": "$$.Task.Token",
                    "FLOWTASKS_EXECUTION.$": "$$.Execution.Id",
                },
            },
            "End": True,
            **fields,
        }
        machine = sfn.create_state_machine(
            name=name,
            definition=json.dumps({"StartAt": state, "States": {state: task}}),
            roleArn=ROLE,
        )["stateMachineArn"]
        arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(payload))[
            "executionArn"
        ]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages")
            if messages:
                body = json.loads(messages[0]["Body"])
                return {"arn": arn, **body}
        raise AssertionError("the state machine never handed out its task token")

    return make


def runner(flow: str, state: str, handed: dict[str, Any], **env: str) -> subprocess.Popen[str]:
    environment = {**os.environ, **handed, **env}
    environment.pop("arn")
    return subprocess.Popen(
        [FLOW_TASK, "state", flow, state],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(sfn: Any, arn: str, seconds: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.2)
    raise AssertionError(f"{arn} still RUNNING after {seconds} s")


def failure_of(sfn: Any, arn: str) -> tuple[str, str]:
    """(error, cause) of the task's failure as the history records it."""
    events = sfn.get_execution_history(executionArn=arn, reverseOrder=True)["events"]
    for event in events:
        for key in ("taskFailedEventDetails", "taskTimedOutEventDetails"):
            details = event.get(key)
            if details:
                return details.get("error", ""), details.get("cause", "")
    raise AssertionError(f"no TaskFailed event: {[e['type'] for e in events]}")


def test_the_runner_reports_the_handlers_output(start: Machine, clients: Any) -> None:
    sfn = clients[0]
    handed = start("Echo", {"orders": [1, 2, 3]})
    process = runner("rt.Echo", "Echo", handed)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, out + err
    described = finished(sfn, handed["arn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"orders": [1, 2, 3]}
    logs = [json.loads(line) for line in out.splitlines()]
    assert logs[0]["attempt"] == 1  # read from the history, as the input was
    assert [line["event"] for line in logs] == ["task_started", "task_succeeded", "reported"]


def test_an_exception_fails_the_execution_with_its_name_and_message(
    start: Machine, clients: Any
) -> None:
    sfn = clients[0]
    handed = start("Fail", {"n": 41})
    process = runner("rt.Fails", "Fail", handed)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert finished(sfn, handed["arn"])["status"] == "FAILED"
    assert failure_of(sfn, handed["arn"])[0] == "ValueError"
    # moto (5.2) drops SendTaskFailure's cause (moto/stepfunctions/responses.py,
    # send_task_failure): the cause the runner sent is checked in its log instead
    (failed,) = [json.loads(line) for line in out.splitlines() if "task_failed" in line]
    assert (failed["error"], failed["cause"]) == ("ValueError", "bad value 41")


def test_heartbeats_keep_a_long_task_alive(start: Machine, clients: Any) -> None:
    sfn = clients[0]
    # the runner starts after TaskScheduled (as a container would): HeartbeatSeconds covers
    # that start on a loaded machine; the task runs longer than HeartbeatSeconds
    handed = start("Slow", {"sleep": 5}, HeartbeatSeconds=3)
    process = runner("rt.Slow", "Slow", handed)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, out + err
    described = finished(sfn, handed["arn"])
    assert described["status"] == "SUCCEEDED", failure_of(sfn, handed["arn"])
    assert json.loads(described["output"]) == {"slept": 5}


def test_a_frozen_runner_times_out_on_its_heartbeat(start: Machine, clients: Any) -> None:
    sfn = clients[0]
    handed = start("Freeze", {}, HeartbeatSeconds=3)
    process = runner("rt.Frozen", "Freeze", handed)
    try:
        started = time.monotonic()
        assert finished(sfn, handed["arn"])["status"] == "FAILED"
        assert time.monotonic() - started < 15  # the 3 s heartbeat, not a task timeout
        # recorded against AWS as States.Timeout (flowtasks.local.state_task), as moto does
        assert failure_of(sfn, handed["arn"])[0] == "States.Timeout"
    finally:
        process.kill()
        process.communicate()


def test_sigterm_fails_the_execution_with_a_named_retryable_error(
    start: Machine, clients: Any
) -> None:
    sfn = clients[0]
    handed = start("Linger", {})
    process = runner("rt.Lingers", "Linger", handed)
    assert process.stdout is not None
    first = json.loads(process.stdout.readline())
    assert first["event"] == "task_started"
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)
    assert process.returncode == 143
    assert finished(sfn, handed["arn"])["status"] == "FAILED"
    assert failure_of(sfn, handed["arn"])[0] == "FlowTasks.Terminated"


def test_a_large_result_is_offloaded_to_the_artifact_bucket(
    start: Machine, clients: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sfn, _, s3 = clients
    bucket = f"artifacts-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    monkeypatch.delenv("FLOWTASKS_ARTIFACT_DIR")
    handed = start("MakeBlob", {"size": 1_000_000, "label": "big"})
    process = runner("rt.Blob", "MakeBlob", handed, FLOWTASKS_ARTIFACT_BUCKET=bucket)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, out + err
    described = finished(sfn, handed["arn"])
    output = json.loads(described["output"])
    assert output["label"] == "big"  # small fields stay inline, for Choice rules
    ref = output["blob"]["flowtasks.ref"]
    execution = handed["arn"].rsplit(":", 1)[-1]
    assert ref.startswith(f"s3://{bucket}/rt.Blob/{execution}/MakeBlob/")
    key = ref[len(f"s3://{bucket}/") :]
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert json.loads(body) == "x" * 1_000_000
