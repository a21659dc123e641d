"""Saved runs (flowtasks.runs): files on disk, listing, and the outcome of each state of a run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from flowtasks.errors import UsageError
from flowtasks.runs import list_runs, load_run, new_run_id, outcomes_of, runs_dir, save_run


@dataclass
class FakeExecution:
    status: str = "FAILED"
    output: Any = None
    error: str | None = "Boom"
    cause: str | None = "it broke"
    execution_arn: str = "arn:aws:states:local:000000000000:execution:X:1"
    input: Any = field(default_factory=lambda: {"n": 1})
    history: list[dict[str, Any]] = field(
        default_factory=lambda: [{"id": 1, "type": "ExecutionStarted"}]
    )
    definition: dict[str, Any] = field(
        default_factory=lambda: {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
    )

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "history": self.history}


def test_run_ids_sort_by_time_and_are_unique() -> None:
    from datetime import UTC, datetime

    first = new_run_id(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert first.startswith("20260102T030405-")
    assert len(first) == len("20260102T030405-") + 6
    assert new_run_id() != new_run_id()


def test_runs_dir_defaults_to_cwd_and_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLOWTASKS_RUNS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert runs_dir() == tmp_path / ".flowtasks" / "runs"
    monkeypatch.setenv("FLOWTASKS_RUNS_DIR", str(tmp_path / "elsewhere"))
    assert runs_dir() == tmp_path / "elsewhere"


@pytest.mark.parametrize("git", ["folder", "file"])  # a clone, or a git worktree
def test_runs_dir_is_the_repository_s_whatever_folder_runs_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, git: str
) -> None:
    monkeypatch.delenv("FLOWTASKS_RUNS_DIR", raising=False)
    repo = tmp_path / "repo"
    domain = repo / "domains" / "demo-flows"
    domain.mkdir(parents=True)
    if git == "folder":
        (repo / ".git").mkdir()
    else:
        (repo / ".git").write_text("gitdir: /somewhere/.git/worktrees/repo\n")
    monkeypatch.chdir(domain)
    assert runs_dir() == repo / ".flowtasks" / "runs"
    assert runs_dir(repo) == repo / ".flowtasks" / "runs"
    save_run("r-1", FakeExecution(), flow="f", started="s", finished="f")
    monkeypatch.chdir(repo)
    assert [run.id for run in list_runs()] == ["r-1"]


def test_output_json_is_written_only_for_a_run_that_succeeded(tmp_path: Path) -> None:
    done = FakeExecution(status="SUCCEEDED", output={"rows": 3}, error=None, cause=None)
    saved = save_run("r-ok", done, flow="f", started="s", finished="f", directory=tmp_path)
    assert json.loads((saved.path / "output.json").read_text()) == {"rows": 3}
    saved = save_run(
        "r-bad", FakeExecution(), flow="f", started="s", finished="f", directory=tmp_path
    )
    assert not (saved.path / "output.json").exists()


def test_save_writes_every_file_and_load_reads_them_back(tmp_path: Path) -> None:
    execution = FakeExecution()
    saved = save_run(
        "20260101T000000-aaaaaa",
        execution,
        flow="demo.X",
        mocks={"A": {"Error": "Boom"}},
        started="2026-01-01T00:00:00.000+00:00",
        finished="2026-01-01T00:00:01.000+00:00",
        directory=tmp_path,
    )
    files = sorted(p.name for p in saved.path.iterdir())
    assert files == [
        "definition.asl.json",
        "execution.json",
        "history.json",
        "input.json",
        "meta.json",
    ]  # no output.json: the run failed
    meta = json.loads((saved.path / "meta.json").read_text())
    assert meta["flow"] == "demo.X"
    assert meta["status"] == "FAILED"
    assert meta["error"] == "Boom"
    assert meta["mocks"] == {"A": {"Error": "Boom"}}
    loaded = load_run("20260101T000000-aaaaaa", directory=tmp_path)
    assert loaded.meta == meta
    assert loaded.history == execution.history
    assert loaded.definition == execution.definition
    assert loaded.read("input.json") == {"n": 1}
    assert loaded.read("execution.json") == execution.to_dict()


def test_list_is_newest_first_and_latest_finds_the_newest(tmp_path: Path) -> None:
    for run_id, started in [("r-old", "2026-01-01T00:00:00"), ("r-new", "2026-02-01T00:00:00")]:
        save_run(
            run_id, FakeExecution(), flow="f", started=started, finished=started, directory=tmp_path
        )
    assert [run.id for run in list_runs(directory=tmp_path)] == ["r-new", "r-old"]
    assert [run.id for run in list_runs(limit=1, directory=tmp_path)] == ["r-new"]
    assert load_run("latest", directory=tmp_path).id == "r-new"


def test_unknown_run_is_a_usage_error_naming_recent_ones(tmp_path: Path) -> None:
    save_run("r-1", FakeExecution(), flow="f", started="s", finished="f", directory=tmp_path)
    with pytest.raises(UsageError, match=r"no saved run 'nope' .* Recent runs: r-1\."):
        load_run("nope", directory=tmp_path)
    with pytest.raises(UsageError, match="no saved runs"):
        load_run("latest", directory=tmp_path / "empty")
    assert list_runs(directory=tmp_path / "missing") == []


# --- outcomes ----------------------------------------------------------------------------------
# Event types and details follow GetExecutionHistory / HistoryEvent in the Step Functions API
# reference: https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html


def _history(*specs: tuple[str, str | None]) -> list[dict[str, Any]]:
    """Events chained by previousEventId; spec = (type, state name for Entered/Exited events)."""
    events: list[dict[str, Any]] = []
    for index, (kind, name) in enumerate(specs, start=1):
        event: dict[str, Any] = {"id": index, "previousEventId": index - 1, "type": kind}
        if kind.endswith("StateEntered"):
            event["stateEnteredEventDetails"] = {"name": name, "input": "{}"}
        elif kind.endswith("StateExited"):
            event["stateExitedEventDetails"] = {"name": name, "output": "{}"}
        elif kind.endswith("Failed"):
            event[kind[0].lower() + kind[1:] + "EventDetails"] = {"error": "E", "cause": "c"}
        events.append(event)
    return events


DEFINITION = {
    "StartAt": "Fetch",
    "States": {
        "Fetch": {
            "Type": "Task",
            "Resource": "r",
            "Next": "Load",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
        },
        "Load": {"Type": "Task", "Resource": "r", "End": True},
        "Recover": {"Type": "Pass", "Next": "Stop"},
        "Stop": {"Type": "Fail", "Error": "Stopped"},
    },
}


def test_outcomes_of_a_successful_run_with_a_retry() -> None:
    history = _history(
        ("ExecutionStarted", None),
        ("TaskStateEntered", "Fetch"),
        ("TaskScheduled", None),
        ("TaskStarted", None),
        ("TaskFailed", None),
        ("TaskScheduled", None),  # the retry
        ("TaskStarted", None),
        ("TaskSucceeded", None),
        ("TaskStateExited", "Fetch"),
        ("TaskStateEntered", "Load"),
        ("TaskScheduled", None),
        ("TaskStarted", None),
        ("TaskSucceeded", None),
        ("TaskStateExited", "Load"),
        ("ExecutionSucceeded", None),
    )
    assert outcomes_of(history, DEFINITION) == {"Fetch": "succeeded", "Load": "succeeded"}


def test_outcomes_of_a_caught_failure_and_a_fail_state() -> None:
    history = _history(
        ("ExecutionStarted", None),
        ("TaskStateEntered", "Fetch"),
        ("TaskScheduled", None),
        ("TaskStarted", None),
        ("TaskFailed", None),
        ("TaskStateExited", "Fetch"),
        ("PassStateEntered", "Recover"),
        ("PassStateExited", "Recover"),
        ("FailStateEntered", "Stop"),
        ("ExecutionFailed", None),
    )
    assert outcomes_of(history, DEFINITION) == {
        "Fetch": "caught",
        "Recover": "succeeded",
        "Stop": "failed",
    }


def test_outcomes_of_an_uncaught_failure() -> None:
    history = _history(
        ("ExecutionStarted", None),
        ("TaskStateEntered", "Fetch"),
        ("TaskStateExited", "Fetch"),
        ("TaskStateEntered", "Load"),
        ("TaskScheduled", None),
        ("TaskStarted", None),
        ("TaskFailed", None),
        ("ExecutionFailed", None),
    )
    assert outcomes_of(history, DEFINITION) == {"Fetch": "succeeded", "Load": "failed"}


def test_a_state_the_run_ended_inside_is_failed() -> None:
    history = _history(
        ("ExecutionStarted", None),
        ("ChoiceStateEntered", "Route"),
        ("ExecutionFailed", None),  # States.NoChoiceMatched
    )
    assert outcomes_of(history) == {"Route": "failed"}


def test_failures_inside_concurrent_map_iterations_are_attributed_by_previous_event_id() -> None:
    # Two iterations interleave: the failure of "Inner" in iteration 1 follows its own chain.
    events = [
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted"},
        {
            "id": 2,
            "previousEventId": 1,
            "type": "MapStateEntered",
            "stateEnteredEventDetails": {"name": "Fan"},
        },
        {"id": 3, "previousEventId": 2, "type": "MapIterationStarted"},
        {"id": 4, "previousEventId": 2, "type": "MapIterationStarted"},
        {
            "id": 5,
            "previousEventId": 3,
            "type": "TaskStateEntered",
            "stateEnteredEventDetails": {"name": "Inner"},
        },
        {
            "id": 6,
            "previousEventId": 4,
            "type": "PassStateEntered",
            "stateEnteredEventDetails": {"name": "Other"},
        },
        {"id": 7, "previousEventId": 5, "type": "TaskFailed", "taskFailedEventDetails": {}},
        {
            "id": 8,
            "previousEventId": 6,
            "type": "PassStateExited",
            "stateExitedEventDetails": {"name": "Other"},
        },
        {"id": 9, "previousEventId": 7, "type": "MapIterationFailed"},
        {"id": 10, "previousEventId": 9, "type": "MapStateFailed"},
        {
            "id": 11,
            "previousEventId": 10,
            "type": "PassStateEntered",
            "stateEnteredEventDetails": {"name": "Recover"},
        },
        {
            "id": 12,
            "previousEventId": 11,
            "type": "PassStateExited",
            "stateExitedEventDetails": {"name": "Recover"},
        },
        {"id": 13, "previousEventId": 12, "type": "ExecutionSucceeded"},
    ]
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Inner",
                    "States": {"Inner": {"Type": "Task", "Resource": "r", "End": True}},
                },
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
                "End": True,
            },
            "Recover": {"Type": "Pass", "End": True},
        },
    }
    assert outcomes_of(events, definition) == {
        "Fan": "caught",
        "Inner": "failed",
        "Other": "succeeded",
        "Recover": "succeeded",
    }


def test_a_run_whose_files_are_not_json_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    save_run("r-1", FakeExecution(), flow="f", started="s", finished="f", directory=tmp_path)
    (tmp_path / "r-1" / "history.json").write_text('[{"id": 1,')  # cut short
    with pytest.raises(UsageError, match=r"run 'r-1': history.json is not valid JSON"):
        load_run("r-1", directory=tmp_path).read("history.json")
    (tmp_path / "r-1" / "meta.json").write_text("{not json")
    with pytest.raises(UsageError, match=r"run 'r-1': meta.json is not valid JSON"):
        load_run("r-1", directory=tmp_path)
    (tmp_path / "r-1" / "meta.json").write_text("[]")
    with pytest.raises(UsageError, match=r"run 'r-1': meta.json is not a JSON object"):
        load_run("r-1", directory=tmp_path)
    assert list_runs(directory=tmp_path) == []  # left out of the listing, not a crash


def test_list_runs_refuses_a_negative_limit(tmp_path: Path) -> None:
    for run_id in ("r-1", "r-2"):
        save_run(
            run_id, FakeExecution(), flow="f", started=run_id, finished="f", directory=tmp_path
        )
    assert [run.id for run in list_runs(limit=0, directory=tmp_path)] == []
    with pytest.raises(ValueError, match="limit must be >= 0"):
        list_runs(limit=-1, directory=tmp_path)  # a slice [:-1] would silently drop a run
