"""Local runs saved on disk, so a finished (or failed) run can be inspected, drawn and redriven.

Each run lives in ``.flowtasks/runs/<run id>/`` under the current directory (or under
``$FLOWTASKS_RUNS_DIR``)::

    input.json              the execution input
    output.json             its output (null unless SUCCEEDED)
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

from flowtasks.asl.walk import iter_states
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


def runs_dir() -> Path:
    """Where runs are saved: ``$FLOWTASKS_RUNS_DIR`` or ``./.flowtasks/runs``."""
    return Path(os.environ.get(RUNS_DIR_ENV) or Path.cwd() / ".flowtasks" / "runs")


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
    _write(path / "output.json", execution.output)
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

_NOT_STATE_EVENTS = ("Execution", "MapIteration", "MapRun")


def _entered_name(event: Mapping[str, Any]) -> str | None:
    details = event.get("stateEnteredEventDetails")
    return str(details.get("name")) if isinstance(details, Mapping) else None


def _catch_targets(definition: Mapping[str, Any]) -> dict[str, set[str]]:
    """State name -> the Next of each of its Catchers, at every depth."""
    targets: dict[str, set[str]] = {}
    for name, state in iter_states(definition):
        for catcher in state.get("Catch") or []:
            targets.setdefault(name, set()).add(str(catcher.get("Next")))
    return targets


def outcomes_of(
    history: Iterable[Mapping[str, Any]], definition: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """How each state entered in `history` ended: ``succeeded``, ``failed`` or ``caught``.

    A state's failure and success events (TaskFailed, MapStateSucceeded...) are attributed to it by
    following ``previousEventId`` back to its ``...StateEntered`` event. A state whose last attempt
    failed is ``caught`` when one of its Catch targets (from `definition`) was entered afterwards;
    a state entered but never exited (the run ended inside it) is ``failed``. States missing from
    the result were not run.
    """
    events = list(history)
    by_id = {event.get("id"): event for event in events}
    entered: dict[str, int] = {}
    first_entered: dict[str, list[int]] = {}
    exited: dict[str, int] = {}
    failed: dict[str, int] = {}
    succeeded: dict[str, int] = {}
    last_entered: str | None = None

    def state_of(event: Mapping[str, Any]) -> str | None:
        kind = str(event.get("type", ""))
        # MapStateFailed & co. may follow an iteration's events: skip to the Map's own entry
        wanted = next((f"{t}StateEntered" for t in ("Map", "Parallel") if kind.startswith(t)), None)
        current: Mapping[str, Any] | None = event
        for _ in range(len(events) + 1):
            previous = current.get("previousEventId") if current else None
            current = by_id.get(previous) if previous is not None else None
            if current is None:
                return last_entered
            name = _entered_name(current)
            if name is not None and (wanted is None or current.get("type") == wanted):
                return name
        return last_entered

    for index, event in enumerate(events):
        kind = str(event.get("type", ""))
        if kind.endswith("StateEntered"):
            name = _entered_name(event)
            if name is not None:
                entered[name] = index
                first_entered.setdefault(name, []).append(index)
                last_entered = name
        elif kind.endswith("StateExited"):
            details = event.get("stateExitedEventDetails")
            if isinstance(details, Mapping):
                exited[str(details.get("name"))] = index
        elif kind.startswith(_NOT_STATE_EVENTS):
            continue
        elif kind.endswith(("Failed", "TimedOut")):
            name = state_of(event)
            if name is not None:
                failed[name] = index
        elif kind.endswith("Succeeded"):
            name = state_of(event)
            if name is not None:
                succeeded[name] = index
    types = _state_types(definition) if definition else {}
    catches = _catch_targets(definition) if definition else {}
    outcomes: dict[str, str] = {}
    for name, entered_at in entered.items():
        failed_at = failed.get(name, -1)
        if types.get(name) == "Fail":
            outcomes[name] = "failed"
        elif failed_at > succeeded.get(name, -1):
            later = (i for target in catches.get(name, ()) for i in first_entered.get(target, ()))
            outcomes[name] = "caught" if any(i > failed_at for i in later) else "failed"
        elif exited.get(name, -1) > entered_at:
            outcomes[name] = "succeeded"
        else:
            outcomes[name] = "failed"
    return outcomes


def _state_types(definition: Mapping[str, Any]) -> dict[str, str]:
    return {name: str(state.get("Type")) for name, state in iter_states(definition)}
