"""Where the runs that ``flow-task ui`` shows come from: a `RunSource`.

Every view of the UI reads through this interface, so executions in AWS are one more source,
not another page. `LocalRuns` reads the saved local runs (``.flowtasks/runs``): it keeps an index
of their meta.json files, re-reading only those whose modification time changed, so listing
thousands of runs costs one ``stat`` each.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from flowtasks.history import parse_time
from flowtasks.live_runs import EVENTS_FILE, process_alive, read_events
from flowtasks.runs import SavedRun

__all__ = [
    "LocalRuns",
    "RunNotFound",
    "RunRecord",
    "RunSource",
    "SourceUnavailable",
    "run_summary",
]

_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
"""What a run id may look like (a saved run's folder name); anything else names no run."""


class RunNotFound(LookupError):
    """No run of that id in the source (or not a valid id at all)."""


class SourceUnavailable(Exception):
    """The source cannot be read now (AWS refused or is unreachable); the message says why."""


@dataclass(frozen=True)
class RunRecord:
    """One run, as every source gives it: its summary, definition, input, output and events.

    `version` changes whenever the run does (a source-defined token): views cache on it.
    """

    summary: dict[str, Any]
    definition: dict[str, Any]
    input: Any
    output: Any
    events: list[dict[str, Any]] = field(repr=False)
    version: str = ""


class RunSource(Protocol):
    """A place runs are read from (saved local runs; executions of an AWS environment)."""

    name: str
    """Shown in the UI: ``local`` or the environment's name."""

    def summaries(self) -> list[dict[str, Any]]:
        """Every run's summary (see `run_summary`), newest first."""
        ...

    def version(self, run_id: str) -> str:
        """A token that changes when run `run_id` changes; RunNotFound if unknown."""
        ...

    def record(self, run_id: str) -> RunRecord:
        """Run `run_id` in full; RunNotFound if unknown."""
        ...


def run_summary(run_id: str, meta: Mapping[str, Any]) -> dict[str, Any]:
    """What the runs list shows of one run: id, flow, status, started, finished, duration
    (milliseconds, None while running), error and cause (cut to 300 characters)."""
    started, finished = parse_time(meta.get("started")), parse_time(meta.get("finished"))
    duration = None
    if started is not None and finished is not None:
        duration = round((finished - started).total_seconds() * 1000)
    status = str(meta.get("status") or "UNKNOWN")
    summary: dict[str, Any] = {
        "id": run_id,
        "flow": str(meta.get("flow") or "?"),
        "status": status,
        "started": meta.get("started"),
        "finished": meta.get("finished"),
        "duration_ms": duration,
        "error": meta.get("error"),
        "cause": str(meta["cause"])[:300] if meta.get("cause") else None,
        "redriven": meta.get("redriven"),
    }
    if status == "RUNNING" and "pid" in meta:  # a local run: is its process still there?
        summary["alive"] = process_alive(meta.get("pid"))
    return summary


class LocalRuns:
    """The saved runs of one folder (``.flowtasks/runs`` by default). Thread-safe."""

    def __init__(self, directory: Path) -> None:
        self.name = "local"
        self.directory = directory
        self._lock = threading.Lock()
        self._index: dict[str, tuple[int, dict[str, Any]]] = {}
        self._tails: dict[str, tuple[int, list[dict[str, Any]]]] = {}

    def summaries(self) -> list[dict[str, Any]]:
        """Every readable run's summary, newest first (by start time, then id)."""
        seen: dict[str, tuple[int, dict[str, Any]]] = {}
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            entries = []
        with self._lock:
            for entry in entries:
                try:
                    mtime = os.stat(os.path.join(entry.path, "meta.json")).st_mtime_ns
                except (FileNotFoundError, NotADirectoryError):
                    continue
                cached = self._index.get(entry.name)
                if cached is not None and cached[0] == mtime and not _running(cached[1]):
                    seen[entry.name] = cached
                    continue
                meta = _read_meta(Path(entry.path) / "meta.json")
                if meta is not None:
                    seen[entry.name] = (mtime, run_summary(entry.name, meta))
            self._index = seen
        runs = [summary for _, summary in seen.values()]
        runs.sort(key=lambda run: (str(run.get("started") or ""), run["id"]), reverse=True)
        return runs

    def _path(self, run_id: str) -> Path:
        """The folder of run `run_id`; RunNotFound for anything that is not a saved run folder
        directly inside the runs folder (``..``, slashes, links out of it)."""
        if not _RUN_ID.fullmatch(run_id) or run_id.strip(".") == "":
            raise RunNotFound(run_id)
        path = self.directory / run_id
        try:
            inside = path.resolve().parent == self.directory.resolve()
        except OSError:
            inside = False
        if not inside or not (path / "meta.json").is_file():
            raise RunNotFound(run_id)
        return path

    def _tail(self, run_id: str, path: Path) -> list[dict[str, Any]]:
        """The events of a run in progress: ``events.jsonl`` read on from where the last call
        stopped (complete lines only), so a growing history is not read again and again."""
        with self._lock:
            offset, events = self._tails.get(run_id, (0, []))
            try:
                with (path / EVENTS_FILE).open("rb") as file:
                    if os.fstat(file.fileno()).st_size < offset:  # a new file: read it all
                        offset, events = 0, []
                    file.seek(offset)
                    chunk = file.read()
            except FileNotFoundError:
                return list(events)
            complete = chunk[: chunk.rfind(b"\n") + 1]
            for line in complete.splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    break
                if isinstance(event, dict):
                    events.append(event)
            self._tails[run_id] = (offset + len(complete), events)
            return list(events)

    def version(self, run_id: str) -> str:
        path = self._path(run_id)
        parts = []
        for name in ("meta.json", "history.json", EVENTS_FILE):
            try:
                stat = os.stat(path / name)
            except FileNotFoundError:
                parts.append("-")
            else:
                parts.append(f"{stat.st_mtime_ns}:{stat.st_size}")
        return "/".join(parts)

    def record(self, run_id: str) -> RunRecord:
        path = self._path(run_id)
        version = self.version(run_id)
        meta = _read_meta(path / "meta.json")
        if meta is None:
            raise RunNotFound(run_id)
        saved = SavedRun(run_id, path, meta)
        running = meta.get("status") == "RUNNING" and not (path / "history.json").is_file()
        return RunRecord(
            summary=run_summary(run_id, meta),
            definition=_read_json(path / "definition.asl.json", {}),
            input=_read_json(path / "input.json", None),
            output=_read_json(path / "output.json", None),
            events=self._tail(run_id, path) if running else read_events(saved),
            version=version,
        )


def _running(summary: Mapping[str, Any]) -> bool:
    return summary.get("status") == "RUNNING"


def _read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return default


def _read_meta(path: Path) -> dict[str, Any] | None:
    meta = _read_json(path, None)
    return meta if isinstance(meta, dict) else None
