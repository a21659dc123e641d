"""A local run while it runs: written to its folder as it goes, so ``flow-task ui`` shows it live.

`LiveRun` is an ``on_event`` callback of `flowtasks.local.run` (chain it with the progress
printer). When created it writes the run's ``meta.json`` with ``"status": "RUNNING"`` (and the
process id), ``input.json`` and ``definition.asl.json``; each history event is then appended as
one JSON line to ``events.jsonl``. When the run ends, `flowtasks.runs.save_run` writes the
finished files and `LiveRun.close` removes ``events.jsonl``; if the engine raises instead,
`LiveRun.abandon` leaves the folder as it was before. `read_events` gives the events of a
saved run either way: ``history.json`` once finished, ``events.jsonl`` while running.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from flowtasks.errors import UsageError
from flowtasks.runs import SavedRun, runs_dir

__all__ = ["EVENTS_FILE", "LiveRun", "process_alive", "read_events", "tee"]

EVENTS_FILE = "events.jsonl"
"""The history of a run in progress, one event per line, in the run's folder."""


def _write_json(path: Path, value: Any) -> None:
    """Write `value` to `path` atomically (a reader never sees half a file)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n", "utf-8")
    os.replace(partial, path)


class LiveRun:
    """Writes run `run_id`'s events to disk as the engine reports them. Thread-safe.

    `prior` are events already in the history (a redrive continues it); `meta` adds fields to
    the RUNNING meta.json (a redrive keeps its mocks there).
    """

    def __init__(
        self,
        run_id: str,
        *,
        flow: str,
        definition: Mapping[str, Any],
        input: Any,
        started: str,
        prior: Sequence[Mapping[str, Any]] = (),
        meta: Mapping[str, Any] | None = None,
        directory: Path | None = None,
    ) -> None:
        self.path = (directory or runs_dir()) / run_id
        self._new = not self.path.exists()
        self._previous_meta = (self.path / "meta.json").read_bytes() if not self._new else None
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        _write_json(self.path / "definition.asl.json", definition)
        _write_json(self.path / "input.json", {} if input is None else input)  # as run() does
        self._file: IO[str] | None = (self.path / EVENTS_FILE).open("w", encoding="utf-8")
        for event in prior:
            self._file.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
        self._file.flush()
        running = {
            **dict(meta or {}),
            "id": run_id,
            "flow": flow,
            "status": "RUNNING",
            "started": started,
            "pid": os.getpid(),
        }
        _write_json(self.path / "meta.json", running)

    def __call__(self, event: Mapping[str, Any]) -> None:
        """Append one history event (the engine's ``on_event``)."""
        line = json.dumps(event, ensure_ascii=False, default=str, separators=(",", ":"))
        with self._lock:
            if self._file is None:
                return
            self._file.write(line + "\n")
            self._file.flush()  # a reader sees each event at once (a Wait may follow for hours)

    def close(self) -> None:
        """Stop writing and remove ``events.jsonl`` (call after `save_run` wrote history.json)."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
        (self.path / EVENTS_FILE).unlink(missing_ok=True)

    def abandon(self) -> None:
        """The run could not go on (the engine raised): leave no RUNNING trace. A new run's
        folder is removed; a redriven run gets its previous meta.json back."""
        self.close()
        if self._previous_meta is not None:
            partial = self.path / "meta.json.partial"
            partial.write_bytes(self._previous_meta)
            os.replace(partial, self.path / "meta.json")
        elif self._new:
            for name in ("meta.json", "input.json", "definition.asl.json"):
                (self.path / name).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.path.rmdir()


def tee(*sinks: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    """One ``on_event`` callback that hands each event to every one of `sinks`, in order."""

    def sink(event: dict[str, Any]) -> None:
        for each in sinks:
            each(event)

    return sink


def read_events(run: SavedRun) -> list[dict[str, Any]]:
    """The history events of `run`: ``history.json``, or while it runs, ``events.jsonl``
    (a last line still being written is left out)."""
    if (run.path / "history.json").is_file():
        try:
            return run.history
        except UsageError:  # being written by save_run this very moment: events.jsonl still is
            pass
    events: list[dict[str, Any]] = []
    try:
        text = (run.path / EVENTS_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return events
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            break  # the line being written
        if isinstance(event, dict):
            events.append(event)
    return events


def process_alive(pid: Any) -> bool:
    """Whether process `pid` (as saved in a running run's meta.json) still exists."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True
