"""Live progress of a local run on a text stream, fed by the engine's history events.

`Progress` is the ``on_event`` callback of `flowtasks.local.run`: it prints each state as it enters
and leaves (with its duration), failures with their error and cause, retries, Parallel branch
counts, and a progress bar for Maps of `bar_threshold` items or more (whose inner states it then
keeps quiet).
Plain lines without a TTY; on a TTY the bar redraws in place. Thread-safe: the engine may call it
from worker threads.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

__all__ = ["Progress"]

_FAILURE_SUFFIXES = ("Failed", "TimedOut")
_UNICODE = {
    "enter": "▸",
    "ok": "✓",
    "fail": "✗",
    "caught": "↪",
    "retry": "↻",
    "bar": "█",
    "todo": "░",
}
_ASCII = {
    "enter": ">",
    "ok": "+",
    "fail": "x",
    "caught": "^",
    "retry": "~",
    "bar": "#",
    "todo": "-",
}


class _Bar:
    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.last_bucket = 0
        self.last_draw = 0.0
        self.drawn = -1  # `done` when last drawn


class Progress:
    """Prints a run's progress to `stream` (stderr by default). Call `close` at the end.

    `header` is printed before the first event (so nothing is printed for a refused definition).
    """

    def __init__(
        self,
        definition: Mapping[str, Any],
        stream: TextIO | None = None,
        *,
        tty: bool | None = None,
        bar_threshold: int = 20,
        clock: Callable[[], float] = time.monotonic,
        header: str | None = None,
    ) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._tty = self._stream.isatty() if tty is None else tty
        encoding = (getattr(self._stream, "encoding", None) or "").lower().replace("-", "")
        self._sym = _UNICODE if encoding.startswith("utf") else _ASCII
        self._threshold = bar_threshold
        self._clock = clock
        self._lock = threading.Lock()
        self._depth: dict[str, int] = {}
        self._inner: dict[str, set[str]] = {}
        self._branches: dict[str, int] = {}
        _index(definition, 0, self._depth, self._inner, self._branches)
        self._name_of: dict[Any, str] = {}
        self._type_of: dict[Any, str] = {}
        self._started: dict[str, list[float]] = {}
        self._bars: dict[str, _Bar] = {}
        self._quiet: dict[str, int] = {}  # inner state name -> number of large maps hiding it
        self._hidden_failures = 0
        self._open_line = False
        self._header = header

    # -- output ---------------------------------------------------------------------------------

    def _line(self, text: str) -> None:
        if self._open_line:
            self._stream.write("\n")
            self._open_line = False
        self._stream.write(text + "\n")
        self._stream.flush()

    def _indent(self, name: str) -> str:
        return "  " * (self._depth.get(name, 0) + 1)

    def _draw(self, name: str, bar: _Bar, final: bool = False) -> None:
        if final and not self._tty and bar.drawn == bar.done:
            return
        bar.drawn = bar.done
        width = 30
        filled = width * bar.done // bar.total if bar.total else width
        failed = f"  {bar.failed} failed" if bar.failed else ""
        text = (
            f"{self._indent(name)}{name} [{self._sym['bar'] * filled}"
            f"{self._sym['todo'] * (width - filled)}] {bar.done}/{bar.total}{failed}"
        )
        if self._tty:
            self._stream.write("\r" + text)
            self._open_line = True
            if final:
                self._stream.write("\n")
                self._open_line = False
            self._stream.flush()
        else:
            self._line(text)

    # -- events ---------------------------------------------------------------------------------

    def __call__(self, event: Mapping[str, Any]) -> None:
        """Handle one history event (the engine's ``on_event``)."""
        with self._lock:
            self._handle(event)

    def close(self) -> None:
        """End any open progress line."""
        with self._lock:
            if self._open_line:
                self._stream.write("\n")
                self._stream.flush()
                self._open_line = False

    def _handle(self, event: Mapping[str, Any]) -> None:
        if self._header is not None:
            self._line(self._header)
            self._header = None
        kind = str(event.get("type", ""))
        event_id = event.get("id")
        previous = event.get("previousEventId")
        if kind.endswith("StateEntered"):
            name = str(event.get("stateEnteredEventDetails", {}).get("name"))
        elif kind.endswith("StateExited"):
            name = str(event.get("stateExitedEventDetails", {}).get("name"))
        else:
            name = self._name_of.get(previous, "")
        self._name_of[event_id] = name
        self._type_of[event_id] = kind
        quiet = self._quiet.get(name, 0) > 0
        if kind.endswith("StateEntered"):
            self._started.setdefault(name, []).append(self._clock())
            if not quiet:
                branches = self._branches.get(name)
                extra = f" ({branches} branches)" if kind == "ParallelStateEntered" else ""
                extra = extra if branches is not None else ""
                self._line(f"{self._indent(name)}{self._sym['enter']} {name}{extra}")
        elif kind.endswith("StateExited"):
            starts = self._started.get(name)
            elapsed = self._clock() - starts.pop(0) if starts else 0.0
            if not quiet:
                caught = self._type_of.get(previous, "").endswith(_FAILURE_SUFFIXES)
                mark, note = (self._sym["caught"], " caught") if caught else (self._sym["ok"], "")
                self._line(f"{self._indent(name)}{mark} {name}{note} {elapsed:.2f}s")
        elif kind == "MapStateStarted":
            length = int(event.get("mapStateStartedEventDetails", {}).get("length", 0))
            if length >= self._threshold:
                self._bars[name] = _Bar(length)
                for inner in self._inner.get(name, ()):
                    self._quiet[inner] = self._quiet.get(inner, 0) + 1
                self._draw(name, self._bars[name])
            else:
                self._line(f"{self._indent(name)}  {name}: {length} items")
        elif kind in ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"):
            details = event.get(kind[0].lower() + kind[1:] + "EventDetails", {})
            map_name = str(details.get("name", name))
            bar = self._bars.get(map_name)
            if bar is not None:
                bar.done += 1
                bar.failed += kind != "MapIterationSucceeded"
                self._update(map_name, bar)
        elif kind.startswith("Map") and kind.endswith(("Succeeded", "Failed", "Aborted")):
            bar = self._bars.pop(name, None)
            if bar is not None:
                self._draw(name, bar, final=True)
                for inner in self._inner.get(name, ()):
                    self._quiet[inner] -= 1
        elif kind == "TaskScheduled" and self._type_of.get(previous, "").endswith(
            _FAILURE_SUFFIXES
        ):
            if not quiet:
                self._line(f"{self._indent(name)}{self._sym['retry']} {name} retrying")
        elif kind.endswith(_FAILURE_SUFFIXES) and not kind.startswith(("Execution", "MapRun")):
            details = event.get(kind[0].lower() + kind[1:] + "EventDetails", {})
            error, cause = details.get("error", ""), " ".join(str(details.get("cause", "")).split())
            cause = cause if len(cause) <= 200 else cause[:197] + "..."
            if quiet:
                self._hidden_failures += 1
                if self._hidden_failures > 3:
                    return
            text = f"{error}: {cause}" if cause else str(error)
            self._line(f"{self._indent(name)}{self._sym['fail']} {name} {text}".rstrip())

    def _update(self, name: str, bar: _Bar) -> None:
        if self._tty:
            now = self._clock()
            if now - bar.last_draw >= 0.1 or bar.done == bar.total:
                bar.last_draw = now
                self._draw(name, bar)
        else:
            bucket = 10 * bar.done // bar.total if bar.total else 10
            if bucket != bar.last_bucket:
                bar.last_bucket = bucket
                self._draw(name, bar)


def _index(
    machine: Mapping[str, Any],
    depth: int,
    depths: dict[str, int],
    inner: dict[str, set[str]],
    branches: dict[str, int],
) -> set[str]:
    """Fill depth of each state, names inside each Map, branch counts; return this scope's names."""
    names: set[str] = set()
    for name, state in (machine.get("States") or {}).items():
        names.add(name)
        depths.setdefault(name, depth)
        if state.get("Type") == "Parallel":
            branches[name] = len(state.get("Branches") or [])
            for branch in state.get("Branches") or []:
                names |= _index(branch, depth + 1, depths, inner, branches)
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if state.get("Type") == "Map" and isinstance(processor, Mapping):
            below = _index(processor, depth + 1, depths, inner, branches)
            inner[name] = below
            names |= below
    return names
