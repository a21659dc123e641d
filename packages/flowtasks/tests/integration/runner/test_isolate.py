"""``flow-task run --isolate``: each Task in its own ``flow-task state`` process, reporting to
the engine's loopback Step Functions endpoint exactly as the container reports to AWS."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

FLOW_TASK = str(Path(sys.executable).parent / "flow-task")


def run(flow: str, payload: Any = None, *extra: str) -> subprocess.CompletedProcess[str]:
    argv = [FLOW_TASK, "run", flow, "--isolate", *extra]
    if payload is not None:
        argv += ["--input", json.dumps(payload)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=90, check=False)


def saved(tmp_path: Path, name: str) -> Any:
    (run_dir,) = (tmp_path / "runs").iterdir()
    text = (run_dir / name).read_text()
    return [json.loads(line) for line in text.splitlines()] if name.endswith("l") else text


def test_a_task_runs_in_its_own_process_and_reports_success(
    rt_domain: Path, tmp_path: Path
) -> None:
    done = run("rt.Echo", {"a": [1, 2]})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"a": [1, 2]}
    logs = saved(tmp_path, "runner.log.jsonl")
    assert [line["event"] for line in logs] == ["task_started", "task_succeeded", "reported"]
    assert {(line["flow"], line["state"], line["attempt"]) for line in logs} == {
        ("rt.Echo", "Echo", 1)
    }
    assert isinstance(logs[1]["duration_ms"], int)


def test_an_exception_fails_the_state_with_its_name_and_message(
    rt_domain: Path, tmp_path: Path
) -> None:
    done = run("rt.Fails", {"n": 7})
    assert done.returncode == 1
    assert "Error: ValueError" in done.stderr
    assert "Cause: bad value 7" in done.stderr
    events = [line["event"] for line in saved(tmp_path, "runner.log.jsonl")]
    assert events == ["task_started", "task_failed", "reported"]


def test_secrets_never_reach_the_logs_or_the_reported_cause(
    rt_domain: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWTASKS_CONN_WAREHOUSE", "postgres://loader:hunter2-s3cret@db:5432/x")
    done = run("rt.Leaks")
    assert done.returncode == 1
    assert "Error: RuntimeError" in done.stderr
    logs = saved(tmp_path, "runner.log.jsonl")
    history = saved(tmp_path, "execution.json")
    for text in (done.stderr, json.dumps(logs), history):
        assert "hunter2" not in text
    assert "cannot reach ***" in done.stderr


def test_heartbeats_keep_a_task_longer_than_its_heartbeat_seconds_alive(
    rt_domain: Path, tmp_path: Path
) -> None:
    # HeartbeatSeconds = 3 covers the runner's start-up; the task runs longer than that
    done = run("rt.Slow", {"sleep": 4.5})
    assert done.returncode == 0, done.stderr
    logs = saved(tmp_path, "runner.log.jsonl")
    (succeeded,) = [line for line in logs if line["event"] == "task_succeeded"]
    assert succeeded["heartbeats"] >= 4  # at once, then every second


def test_a_frozen_runner_times_out_on_its_heartbeat(rt_domain: Path, tmp_path: Path) -> None:
    done = run("rt.Frozen")
    assert done.returncode == 1
    # AWS records a heartbeat timeout as States.Timeout (see flowtasks.local.state_task)
    assert "Error: States.Timeout" in done.stderr
    history = json.loads(saved(tmp_path, "execution.json"))["history"]
    assert "TaskTimedOut" in [event["type"] for event in history]


def test_a_runner_that_dies_without_reporting_fails_the_state_at_once(
    rt_domain: Path, tmp_path: Path
) -> None:
    # killed before reporting (out of memory, a native crash): the engine fails the state as
    # the ECS STOPPED-event reporter does in AWS, instead of waiting for a timeout
    done = run("rt.Crashes")
    assert done.returncode == 1
    assert "Error: FlowTasks.ContainerStopped" in done.stderr
    assert "exited with code -9 without reporting" in done.stderr


def test_sigterm_reports_a_named_retryable_failure(rt_domain: Path, tmp_path: Path) -> None:
    done = run("rt.Terminates")
    assert done.returncode == 1
    assert "Error: FlowTasks.Terminated" in done.stderr
    events = [line["event"] for line in saved(tmp_path, "runner.log.jsonl")]
    assert events == ["task_started", "task_terminated", "reported"]


def test_a_multi_mib_result_travels_through_three_states_as_a_reference(
    rt_domain: Path, tmp_path: Path
) -> None:
    size = 3 * 1024 * 1024
    done = run("rt.Blob", {"size": size})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"chars": size + len("blob") + 0}
    history = json.loads(saved(tmp_path, "execution.json"))["history"]
    outputs = [
        json.loads(e["taskSucceededEventDetails"]["output"])
        for e in history
        if e["type"] == "TaskSucceeded"
    ]
    # MakeBlob and Keep: the blob went to the store, the small field stayed inline
    assert outputs[0]["label"] == "blob"
    assert outputs[0]["blob"]["flowtasks.ref"].startswith("s3://flowtasks-local-artifacts/rt.Blob/")
    assert outputs[1]["kept"] is True
    assert "flowtasks.ref" in outputs[1]["blob"]
    stored = list((tmp_path / "artifacts").rglob("*.json"))
    assert len(stored) == 2
    assert all(path.stat().st_size > size for path in stored)


def test_the_runner_reads_an_input_over_8_kib_from_the_history(rt_domain: Path) -> None:
    # the four results reach Measure as one 12 KB input: more than ECS overrides may carry,
    # so the runner process reads it with GetExecutionHistory from the engine's endpoint
    done = run("rt.Fanin")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"chars": 4 * 3002}
