"""The image's install steps (docker/install-steps, which docker/Dockerfile runs) produce a
working environment: run here into a fresh virtual environment (no Docker engine needed), then
`flow-task list` and one state through the runner from that environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowtasks.runner.endpoint import Endpoint

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[5]
STEPS = ROOT / "docker" / "install-steps"
TOKEN = "token-" + "i" * 40


@pytest.mark.timeout(600)
def test_the_install_steps_make_an_environment_that_runs_the_domain(tmp_path: Path) -> None:
    venv = tmp_path / "image"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env["PYTHON"] = str(python)
    env.pop("FLOWTASKS_LAMBDA_RIC", None)  # the Lambda runtime client is the image's only extra
    wheels = tmp_path / "wheels"
    for step in (["wheels", str(ROOT), "demo", str(wheels)], ["install", str(wheels)]):
        done = subprocess.run(
            ["sh", str(STEPS), *step], env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"install-steps {step[0]}: {done.stdout}{done.stderr}"
    # byte-compiled: every module of the framework has its .pyc
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert list((site / "flowtasks" / "__pycache__").glob("protocol.*.pyc"))
    flow_task = str(venv / "bin" / "flow-task")
    clean = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    listed = subprocess.run(
        [flow_task, "list"], env=clean, cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert "demo.DailyReport" in listed.stdout.split()
    payload = {"date": "2026-01-01", "orders": [{"region": "eu", "amount": 2}]}
    with Endpoint() as endpoint:
        box = endpoint.expect(TOKEN)
        runner_env = {
            **clean,
            "FLOWTASKS_TASK_TOKEN": TOKEN,
            "FLOWTASKS_INPUT": json.dumps(payload),
            "AWS_ENDPOINT_URL_SFN": endpoint.url,
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        ran = subprocess.run(
            [flow_task, "state", "demo.DailyReport", "RevenueByRegion"],
            env=runner_env, cwd=tmp_path, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert box.get_nowait() == (
            "success",
            {"taskToken": TOKEN, "output": '{"revenue":{"eu":2.0}}'},
        )
