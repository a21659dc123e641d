"""Local runs saved on disk, so a finished (or failed) run can be inspected, drawn and redriven.

Each run lives in ``.flowtasks/runs/<run id>/`` at the root of the repository the current folder
is in (see `runs_dir`; or under ``$FLOWTASKS_RUNS_DIR``)::

    input.json              the execution input
    output.json             its output (only when it SUCCEEDED)
    history.json            the events, as GetExecutionHistory returns them
    definition.asl.json     the ASL that ran
    execution.json          the whole execution (Execution.to_dict), for ``run --redrive``
    meta.json               flow, status, error/cause, mocks, timestamps

The run id is the execution's name: ``<UTC timestamp>-<6 hex digits>``, so ids sort by start time.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flowtasks.errors import UsageError

__all__ = [
    "RUNS_DIR_ENV",
    "SavedRun",
    "list_runs",
    "load_run",
    "new_run_id",
    "outcomes_of",
    "runs_dir",
    "save_run",
]

RUNS_DIR_ENV = "FLOWTASKS_RUNS_DIR"


def runs_dir(start: Path | None = None) -> Path:
    """Where runs are saved: ``$FLOWTASKS_RUNS_DIR``, else ``.flowtasks/runs`` in the repository
    that `start` (default: the current folder) is in, so that runs made from a domain's folder
    and from the root are the same runs. The repository is the nearest folder, from `start` up,
    holding ``.git`` (a folder, or a file in a git worktree); outside any, `start` itself."""
    given = os.environ.get(RUNS_DIR_ENV)
    if given:
        return Path(given)
    here = (start or Path.cwd()).resolve()
    root = next((folder for folder in (here, *here.parents) if (folder / ".git").exists()), here)
    return root / ".flowtasks" / "runs"


def new_run_id(now: datetime | None = None) -> str:
    """A fresh run id (also used as the execution name): ``20260101T120000-1a2b3c``."""
    moment = now or datetime.now(UTC)
    return f"{moment:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class SavedRun:
    """A run saved on disk. `meta` is meta.json; the other files are read on demand."""

    id: str
    path: Path
    meta: dict[str, Any]

    def read(self, name: str) -> Any:
        """The JSON content of one of the run's files (``history.json``...)."""
        return _read_json(self.path / name, f"run {self.id!r}")

    @property
    def history(self) -> list[dict[str, Any]]:
        """The execution history's events."""
        events: list[dict[str, Any]] = self.read("history.json")
        return events

    @property
    def definition(self) -> dict[str, Any]:
        """The ASL definition that ran."""
        definition: dict[str, Any] = self.read("definition.asl.json")
        return definition


def _read_json(path: Path, owner: str) -> Any:
    """The JSON in `path`; UsageError naming `owner` when it is missing or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{owner} has no {path.name}") from None
    except ValueError as exc:  # a file cut short or edited by hand
        raise UsageError(f"{owner}: {path.name} is not valid JSON ({exc}); see {path}") from None


def _write(path: Path, value: Any) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    path.write_text(text + "\n", encoding="utf-8")


def save_run(
    run_id: str,
    execution: Any,
    *,
    flow: str,
    mocks: Mapping[str, Any] | None = None,
    started: str,
    finished: str,
    extra: Mapping[str, Any] | None = None,
    directory: Path | None = None,
) -> SavedRun:
    """Save `execution` (a `flowtasks.local.Execution`) as run `run_id`; return it.

    Saving the same id again (a redrive) replaces the files.
    """
    path = (directory or runs_dir()) / run_id
    path.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {
        "id": run_id,
        "flow": flow,
        "status": execution.status,
        "error": execution.error,
        "cause": execution.cause,
        "execution_arn": execution.execution_arn,
        "mocks": dict(mocks or {}),
        "started": started,
        "finished": finished,
        **dict(extra or {}),
    }
    _write(path / "input.json", execution.input)
    if execution.status == "SUCCEEDED":
        _write(path / "output.json", execution.output)
    else:  # no output, as the docs say; a redrive that failed again leaves none either
        (path / "output.json").unlink(missing_ok=True)
    _write(path / "history.json", execution.history)
    _write(path / "definition.asl.json", execution.definition)
    _write(path / "execution.json", execution.to_dict())
    _write(path / "meta.json", meta)
    return SavedRun(run_id, path, meta)


def load_run(run_id: str, *, directory: Path | None = None) -> SavedRun:
    """The saved run `run_id` (``latest`` for the most recent). Raises UsageError if unknown."""
    base = directory or runs_dir()
    if run_id == "latest":
        recent = list_runs(limit=1, directory=base)
        if not recent:
            raise UsageError(f"no saved runs in {base}")
        return recent[0]
    path = base / run_id
    meta_path = path / "meta.json"
    if not meta_path.is_file():
        known = [run.id for run in list_runs(limit=5, directory=base)]
        hint = f" Recent runs: {', '.join(known)}." if known else ""
        raise UsageError(f"no saved run {run_id!r} in {base}.{hint}")
    meta = _read_json(meta_path, f"run {run_id!r}")
    if not isinstance(meta, dict):
        raise UsageError(f"run {run_id!r}: meta.json is not a JSON object; see {meta_path}")
    return SavedRun(run_id, path, meta)


def list_runs(limit: int | None = 20, *, directory: Path | None = None) -> list[SavedRun]:
    """Saved runs, most recent first: at most `limit` (>= 0) of them, all when None.

    Runs whose meta.json is unreadable are left out (``load_run`` names the problem).
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, not {limit}")
    base = directory or runs_dir()
    if not base.is_dir():
        return []
    runs: list[SavedRun] = []
    for path in base.iterdir():
        meta_path = path / "meta.json"
        if meta_path.is_file():
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except ValueError:
                continue
            if not isinstance(meta, dict):
                continue
            runs.append(SavedRun(path.name, path, meta))
    runs.sort(key=lambda run: (str(run.meta.get("started", "")), run.id), reverse=True)
    return runs[:limit] if limit is not None else runs


# --- outcomes of the states of a run ----------------------------------------------------------


def outcomes_of(
    history: Iterable[Mapping[str, Any]], definition: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """How each state entered in `history` ended (its latest entry): ``succeeded``, ``failed``
    or ``caught`` (`flowtasks.history.StateStatus`; a state entered but never exited, where the
    run ended, is ``failed``). States missing from the result were not run. `definition` is
    accepted for the callers that have it; the history alone decides.
    """
    from flowtasks.history import read_history

    outcomes = read_history(history, definition).outcomes()
    return {name: "failed" if status == "running" else status for name, status in outcomes.items()}
