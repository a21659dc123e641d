"""Runs in progress written as they go (`flowtasks.live_runs`), as the UI reads them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from flowtasks.cli import main
from flowtasks.live_runs import EVENTS_FILE, LiveRun, process_alive, read_events
from flowtasks.local import run
from flowtasks.runs import list_runs, load_run, save_run
from flowtasks.ui.sources import LocalRuns

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}


def test_a_running_run_is_listed_as_running_with_its_events_so_far(tmp_path: Path) -> None:
    live = LiveRun("r1", flow="x.Y", definition=PASS, input={"a": 1}, started="2026-01-01T00:00:00",
                   directory=tmp_path)  # fmt: skip
    execution = run(PASS, {"a": 1}, on_event=live)
    (tmp_path / "r1" / "history.json").unlink(missing_ok=True)  # not saved yet
    meta = json.loads((tmp_path / "r1" / "meta.json").read_text())
    assert meta["status"] == "RUNNING"
    assert meta["pid"] == os.getpid()
    events = read_events(load_run("r1", directory=tmp_path))
    assert [e["type"] for e in events] == [e["type"] for e in execution.history]
    summary = LocalRuns(tmp_path).summaries()[0]
    assert (summary["status"], summary["alive"]) == ("RUNNING", True)

    save_run("r1", execution, flow="x.Y", started="a", finished="b", directory=tmp_path)
    live.close()
    assert not (tmp_path / "r1" / EVENTS_FILE).exists()
    assert read_events(load_run("r1", directory=tmp_path)) == execution.history
    assert LocalRuns(tmp_path).summaries()[0]["status"] == "SUCCEEDED"


def test_a_half_written_last_line_is_left_out(tmp_path: Path) -> None:
    live = LiveRun("r2", flow="x.Y", definition=PASS, input={}, started="s", directory=tmp_path)
    live({"id": 1, "type": "ExecutionStarted"})
    live.close()
    path = tmp_path / "r2" / EVENTS_FILE
    path.write_text('{"id": 1, "type": "ExecutionStarted"}\n{"id": 2, "ty', encoding="utf-8")
    assert [e["id"] for e in read_events(load_run("r2", directory=tmp_path))] == [1]


def test_abandon_leaves_no_trace_of_a_new_run_and_restores_a_redriven_one(tmp_path: Path) -> None:
    LiveRun("new", flow="x.Y", definition=PASS, input={}, started="s", directory=tmp_path).abandon()
    assert not (tmp_path / "new").exists()

    execution = run(PASS, {})
    save_run("old", execution, flow="x.Y", started="a", finished="b", directory=tmp_path)
    before = (tmp_path / "old" / "meta.json").read_bytes()
    live = LiveRun("old", flow="x.Y", definition=PASS, input={}, started="a", directory=tmp_path)
    assert json.loads((tmp_path / "old" / "meta.json").read_text())["status"] == "RUNNING"
    live.abandon()
    assert (tmp_path / "old" / "meta.json").read_bytes() == before
    assert (tmp_path / "old" / "history.json").is_file()


def test_a_run_whose_process_is_gone_is_not_alive() -> None:
    child = subprocess.Popen(["true"])
    child.wait()
    assert not process_alive(child.pid)
    assert process_alive(os.getpid())
    assert not process_alive(None)


def test_flow_task_run_leaves_a_finished_run_and_no_events_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asl = tmp_path / "m.asl.json"
    asl.write_text(json.dumps(PASS), encoding="utf-8")
    runs = tmp_path / "runs"
    monkeypatch.setenv("FLOWTASKS_RUNS_DIR", str(runs))
    assert main(["run", "--asl", str(asl)]) == 0
    assert main(["run", "--asl", str(asl), "--mock", "Nope={}"]) == 2  # refused before running
    saved = list_runs(directory=runs)
    assert [run.meta["status"] for run in saved] == ["SUCCEEDED"]
    assert not (saved[0].path / EVENTS_FILE).exists()


def test_the_ui_reads_a_growing_run_on_from_where_it_was(tmp_path: Path) -> None:
    """Each look at a run in progress reads only the events written since the last one."""
    from starlette.testclient import TestClient

    from flowtasks.ui.app import create_app

    execution = run(PASS, {"a": 1})
    live = LiveRun("r3", flow="x.Y", definition=PASS, input={"a": 1}, started="s",
                   directory=tmp_path)  # fmt: skip
    client = TestClient(create_app([LocalRuns(tmp_path)], elk=None), base_url="http://127.0.0.1")

    def outcomes() -> dict[str, str]:
        view = client.get("/api/local/runs/r3").json()
        return {node["name"]: node["outcome"] for node in view["graph"]["nodes"]}

    for event in execution.history[:2]:  # ExecutionStarted, PassStateEntered A
        live(event)
    assert outcomes() == {"A": "running", "B": "not_run"}
    third = json.dumps(execution.history[2], separators=(",", ":")) + "\n"
    assert live._file is not None
    live._file.write(third[:20])  # a line being written: not read yet
    live._file.flush()
    assert outcomes() == {"A": "running", "B": "not_run"}
    live._file.write(third[20:])
    live(execution.history[3])  # ... then read on from there
    assert outcomes() == {"A": "succeeded", "B": "running"}
    save_run("r3", execution, flow="x.Y", started="s", finished="f", directory=tmp_path)
    live.close()
    assert outcomes() == {"A": "succeeded", "B": "succeeded"}
