"""The image and the compiled states agree: ECS appends the compiled Command to the image's
ENTRYPOINT, and the container then runs ``flow-task state FLOW STATE`` exactly once."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flowtasks.registry import compiled_definition
from flowtasks.runner.aws_resources import RUNNER
from flowtasks.runner.endpoint import Endpoint

ROOT = Path(__file__).resolve().parents[5]
DOCKERFILE = ROOT / "docker" / "Dockerfile"
ENTRYPOINT_SCRIPT = ROOT / "docker" / "entrypoint"
TOKEN = "token-" + "t" * 40


def instruction(name: str) -> list[str]:
    """The exec-form (JSON array) argument of the last `name` instruction of the Dockerfile."""
    found = re.findall(rf"^{name}\s+(\[.*\])\s*$", DOCKERFILE.read_text(), re.MULTILINE)
    assert found, f"no exec-form {name} in {DOCKERFILE}"
    value: list[str] = json.loads(found[-1])
    return value


def compiled_command(flow: str, state: str) -> list[str]:
    spec = compiled_definition(flow)["States"]["GatherMetrics"]["Branches"][0]["States"][state]
    command: list[str] = spec["Parameters"]["Overrides"]["ContainerOverrides"][0]["Command"]
    return command


def test_the_dockerfile_declares_the_runner_contract() -> None:
    assert tuple(instruction("ENTRYPOINT")) == RUNNER.entrypoint
    assert tuple(instruction("CMD")) == RUNNER.default_command
    text = DOCKERFILE.read_text()
    assert re.search(r"^USER\s+10001\s*$", text, re.MULTILINE)  # never root at run time
    assert "FROM python:${PYTHON_VERSION}-slim-bookworm AS build" in text  # multi-stage
    assert "install-steps install" in text
    assert "install-steps wheels" in text


def test_ecs_runs_flow_task_state_exactly_once() -> None:
    command = compiled_command("demo.DailyReport", "CountOrders")
    assert command == ["flow-task", "state", "demo.DailyReport", "CountOrders"]
    # ECS: an overridden command replaces CMD and is appended to ENTRYPOINT
    argv = [*instruction("ENTRYPOINT"), *command]
    assert argv.count("flow-task") == 1
    assert argv[:2] == ["/usr/bin/tini", "--"]  # tini is PID 1: signals reach the runner
    # the entrypoint script execs its arguments: what remains is the runner's command line
    assert Path(argv[2]).name == "flowtasks-entrypoint"
    assert argv[3:] == command


@pytest.mark.integration
def test_the_entrypoint_script_runs_the_state_once_and_it_reports(tmp_path: Path) -> None:
    command = compiled_command("demo.DailyReport", "CountOrders")
    payload = {"date": "2026-01-01", "orders": [{"region": "eu", "amount": 1.5}]}
    with Endpoint() as endpoint:
        box = endpoint.expect(TOKEN)
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "FLOWTASKS_TASK_TOKEN": TOKEN,
            "FLOWTASKS_INPUT": json.dumps(payload),
            "AWS_ENDPOINT_URL_SFN": endpoint.url,
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        env.pop("AWS_LAMBDA_RUNTIME_API", None)
        shell = shutil.which("sh") or "/bin/sh"
        done = subprocess.run(
            [shell, str(ENTRYPOINT_SCRIPT), *command],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert endpoint.calls == ["SendTaskSuccess"]  # one runner, one report
        assert box.get_nowait() == ("success", {"taskToken": TOKEN, "output": '{"orders":1}'})
    events = [json.loads(line)["event"] for line in done.stdout.splitlines()]
    assert events.count("task_started") == 1


@pytest.mark.integration
def test_the_lambda_handler_runs_the_compiled_payload(monkeypatch: pytest.MonkeyPatch) -> None:
    from flowtasks.runner.lambda_handler import handler

    payload: dict[str, Any] = {
        "command": ["flow-task", "state", "demo.DailyReport", "CountOrders"],
        "environment": {
            "FLOWTASKS_TASK_TOKEN": TOKEN,
            "FLOWTASKS_INPUT": json.dumps({"date": "d", "orders": [{}, {}]}),
        },
    }
    for key, value in (("AWS_ACCESS_KEY_ID", "x"), ("AWS_SECRET_ACCESS_KEY", "x")):
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with Endpoint() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", endpoint.url)
        box = endpoint.expect(TOKEN)
        assert handler(payload) == {"exit_code": 0, "outcome": "SUCCEEDED"}
        assert box.get_nowait()[1]["output"] == '{"orders":2}'


def test_the_lambda_handler_refuses_a_payload_that_is_not_ours() -> None:
    from flowtasks.runner.lambda_handler import handler

    with pytest.raises(ValueError, match="not a flowtasks payload"):
        handler({"command": ["echo", "hi"], "environment": {}})
