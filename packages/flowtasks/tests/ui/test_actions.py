"""The one action, redriving a failed local run: a POST from the page itself, never a GET."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from ui_runs import SavedRuns

from flowtasks.ui.app import create_app
from flowtasks.ui.sources import LocalRuns

ORIGIN = "http://127.0.0.1:8765"


@pytest.fixture
def runs_dir(saved_runs: SavedRuns, tmp_path: Path) -> Path:
    """A copy of the saved runs (a redrive rewrites its run)."""
    target = tmp_path / "runs"
    shutil.copytree(saved_runs.directory, target)
    return target


@pytest.fixture
def client(runs_dir: Path) -> TestClient:
    return TestClient(create_app([LocalRuns(runs_dir)], elk=None), base_url=ORIGIN)


def token(client: TestClient) -> str:
    value: str = client.get("/api/sources").json()["csrf"]
    return value


def redrive(client: TestClient, run_id: str, **headers: str) -> Any:
    return client.post(f"/api/local/runs/{run_id}/redrive", headers=headers, content="{}")


def meta(runs_dir: Path, run_id: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((runs_dir / run_id / "meta.json").read_text())
    return value


@pytest.mark.parametrize(
    "headers",
    [
        {},  # a plain form post of another site: no token
        {"Origin": ORIGIN},  # no token
        {"Origin": ORIGIN, "X-Flowtasks-Csrf": "guessed"},
        {"Origin": "http://evil.example", "X-Flowtasks-Csrf": "<the token>"},
        {"X-Flowtasks-Csrf": "<the token>"},  # no Origin at all
    ],
)
def test_a_redrive_without_token_and_own_origin_is_refused(
    client: TestClient, saved_runs: SavedRuns, runs_dir: Path, headers: dict[str, str]
) -> None:
    before = (runs_dir / saved_runs.failed / "meta.json").read_bytes()
    sent = {k: token(client) if v == "<the token>" else v for k, v in headers.items()}
    response = redrive(client, saved_runs.failed, **sent)
    assert response.status_code == 403
    assert "refused" in response.json()["error"] or "token" in response.json()["error"]
    time.sleep(0.2)
    assert (runs_dir / saved_runs.failed / "meta.json").read_bytes() == before


def test_a_get_never_redrives(client: TestClient, saved_runs: SavedRuns) -> None:
    assert client.get(f"/api/local/runs/{saved_runs.failed}/redrive").status_code == 405


def test_only_a_failed_run_is_redriven(client: TestClient, saved_runs: SavedRuns) -> None:
    headers = {"Origin": ORIGIN, "X-Flowtasks-Csrf": token(client)}
    response = redrive(client, saved_runs.succeeded, **headers)
    assert response.status_code == 409
    assert "SUCCEEDED" in response.json()["error"]
    assert redrive(client, "nope", **headers).status_code == 404


def test_the_page_redrives_a_failed_run(
    client: TestClient, saved_runs: SavedRuns, runs_dir: Path
) -> None:
    headers = {"Origin": ORIGIN, "X-Flowtasks-Csrf": token(client)}
    response = redrive(client, saved_runs.failed, **headers)
    assert response.status_code == 202
    for _ in range(300):  # flow-task run --redrive, in its own process
        if "redriven" in meta(runs_dir, saved_runs.failed):
            break
        time.sleep(0.05)
    redriven = meta(runs_dir, saved_runs.failed)
    assert (redriven["status"], redriven["error"]) == ("FAILED", "Busy")  # its mock fails again
    history = json.loads((runs_dir / saved_runs.failed / "history.json").read_text())
    assert "ExecutionRedriven" in [event["type"] for event in history]


def test_a_redrive_the_command_refuses_says_why(
    client: TestClient, saved_runs: SavedRuns, runs_dir: Path
) -> None:
    path = runs_dir / saved_runs.failed / "meta.json"
    path.write_text(json.dumps({**meta(runs_dir, saved_runs.failed), "mocks": {}}))
    headers = {"Origin": ORIGIN, "X-Flowtasks-Csrf": token(client)}
    response = redrive(client, saved_runs.failed, **headers)
    assert response.status_code == 422
    assert "CountOrders" in response.json()["error"]
    assert "--mock" in response.json()["error"]
    assert meta(runs_dir, saved_runs.failed)["status"] == "FAILED"
