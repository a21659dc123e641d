"""Live progress of a local run on a text stream, fed by the engine's history events.

`Progress` is the ``on_event`` callback of `flowtasks.local.run`: it prints each state as it enters
and leaves (with its duration), failures with their error and cause (a States.Runtime failure,
which AWS records only on ExecutionFailed, is shown on the state that raised it), retries with the
delay before the next attempt (from the state's Retry, as the engine computes it), Parallel branch
counts, and a progress bar for Maps of `bar_threshold` items or more (whose inner states it then
keeps quiet).
Plain lines without a TTY; on a TTY the bar redraws in place. Thread-safe: the engine may call it
from worker threads.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TextIO

from flowtasks.asl.walk import iter_states

if TYPE_CHECKING:
    from flowtasks.local.retry import Retrier

__all__ = ["Progress"]

_FAILURE_SUFFIXES = ("Failed", "TimedOut")
_NOT_STATE_EVENTS = ("Execution", "MapRun", "MapIteration")
# the engine's (and AWS's) cause of a States.Runtime failure names the state's entered event
_RUNTIME_AT = re.compile(
    r"^An error occurred while executing the state '.*?' \(entered at the event id #(\d+)\)\.\s*",
    re.DOTALL,
)
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
    `skip_waits` tells that the engine does not sleep retry intervals (the lines say so).
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
        skip_waits: bool = False,
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
        self._parent: dict[str, str] = {}  # state -> the Parallel / Map it is in
        _index(definition, 0, self._depth, self._inner, self._branches, self._parent)
        self._name_of: dict[Any, str] = {}
        self._type_of: dict[Any, str] = {}
        self._started: dict[str, list[float]] = {}
        self._bars: dict[str, _Bar] = {}
        self._quiet: dict[str, int] = {}  # inner state name -> number of large maps hiding it
        self._hidden_failures = 0
        self._open_line = False
        self._header = header
        self._skip_waits = skip_waits
        self._specs = dict(iter_states(definition))
        self._last_entry: dict[str, Any] = {}  # state -> id of its latest ...StateEntered
        self._retriers: dict[str, tuple[Retrier, ...]] = {}
        self._entry_of: dict[Any, Any] = {}  # event id -> id of its state's ...StateEntered
        self._failed: set[Any] = set()  # entries whose failure was printed
        self._counts: dict[Any, list[int]] = {}  # entry -> attempts used of each retrier
        self._announced: set[Any] = set()  # entries whose next attempt was announced
        self._pending: str | None = None  # a Parallel/Map failure line, printed after its cause

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
            self._flush()
            if self._open_line:
                self._stream.write("\n")
                self._stream.flush()
                self._open_line = False

    def _flush(self) -> None:
        if self._pending is not None:
            line, self._pending = self._pending, None
            self._line(line)

    def _handle(self, event: Mapping[str, Any]) -> None:
        if self._header is not None:
            self._line(self._header)
            self._header = None
        kind = str(event.get("type", ""))
        if kind != "ExecutionFailed":
            self._flush()
        event_id = event.get("id")
        previous = event.get("previousEventId")
        if kind.endswith("StateEntered"):
            name = str(event.get("stateEnteredEventDetails", {}).get("name"))
            self._entry_of[event_id] = self._last_entry[name] = event_id
        else:
            if kind.endswith("StateExited"):
                name = str(event.get("stateExitedEventDetails", {}).get("name"))
            else:
                name = self._name_of.get(previous, "")
            self._entry_of[event_id] = self._entry_of.get(previous)
            composite = _composite_type(kind)
            if composite is not None and self._type_of_state(name) != composite:
                # a Parallel's / Map's own event may follow an event of a state inside it
                while name and self._type_of_state(name) != composite:
                    name = self._parent.get(name, "")
                self._entry_of[event_id] = self._last_entry.get(name)
        self._name_of[event_id] = name
        self._type_of[event_id] = kind
        entry = self._entry_of[event_id]
        quiet = self._quiet.get(name, 0) > 0
        previous_kind = self._type_of.get(previous, "")
        restarted = (
            _is_state_failure(previous_kind)
            and not kind.endswith("StateExited")
            and not kind.startswith(_NOT_STATE_EVENTS)
        )
        if restarted:  # the next attempt of a retried state begins
            if entry not in self._announced and not quiet:
                self._line(f"{self._indent(name)}{self._sym['retry']} {name} retrying")
            self._announced.discard(entry)
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
                caught = previous_kind.endswith(_FAILURE_SUFFIXES)
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
        elif kind == "ExecutionFailed":
            self._execution_failed(event, previous)
        else:
            if kind.startswith("Map") and kind.endswith(("Succeeded", "Failed", "Aborted")):
                bar = self._bars.pop(name, None)
                if bar is not None:
                    self._draw(name, bar, final=True)
                    for inner in self._inner.get(name, ()):
                        self._quiet[inner] -= 1
            if _is_state_failure(kind):
                details = event.get(kind[0].lower() + kind[1:] + "EventDetails") or {}
                self._failure(entry, name, details.get("error"), details.get("cause"), quiet)

    def _type_of_state(self, name: str) -> Any:
        return (self._specs.get(name) or {}).get("Type")

    def _failure(self, entry: Any, name: str, error: Any, cause: Any, quiet: bool) -> None:
        """Print a state's failure (and, when its Retry applies, the coming retry)."""
        self._failed.add(entry)
        if quiet:
            self._hidden_failures += 1
            if self._hidden_failures > 3:
                return
        text = _error_text(error, cause)
        line = f"{self._indent(name)}{self._sym['fail']} {name} {text}".rstrip()
        if not error:  # a Parallel / Map: its cause, if any, is printed before it
            self._pending = line
            return
        self._line(line)
        retry = self._retry(entry, name, str(error))
        if retry is not None and not quiet:
            self._announced.add(entry)
            self._line(f"{self._indent(name)}{self._sym['retry']} {name} {retry}")

    def _execution_failed(self, event: Mapping[str, Any], previous: Any) -> None:
        """A failure recorded only on ExecutionFailed (States.Runtime in a Choice, a Pass...):
        shown on the state that raised it, unless that state's failure was already shown."""
        details = event.get("executionFailedEventDetails") or {}
        error, cause = details.get("error"), str(details.get("cause") or "")
        entry: Any = None
        located = _RUNTIME_AT.match(cause)
        if located is not None:
            entry, cause = int(located.group(1)), cause[located.end() :]
        elif self._type_of.get(previous, "").endswith("StateEntered"):
            entry = previous
        if entry is not None and entry not in self._failed and entry in self._name_of:
            name = self._name_of[entry]
            self._failed.add(entry)
            text = _error_text(error, cause)
            self._line(f"{self._indent(name)}{self._sym['fail']} {name} {text}".rstrip())
        self._flush()

    def _retry(self, entry: Any, name: str, error: str) -> str | None:
        """``retrying in 4s (retry 2 of 3)`` when the state's Retry retries `error`, else None.

        Mirrors the engine (flowtasks.local.retry): the first retrier matching the error decides,
        each retrier counts its own attempts."""
        retriers = self._retriers_of(name)
        if not retriers:
            return None
        from flowtasks.local.retry import matches

        counts = self._counts.setdefault(entry, [0] * len(retriers))
        for index, retrier in enumerate(retriers):
            if not matches(retrier.errors, error):
                continue
            if counts[index] >= retrier.max_attempts:
                return None
            delay = retrier.delay(counts[index], rand=lambda: 1.0)
            counts[index] += 1
            of = f"(retry {counts[index]} of {retrier.max_attempts})"
            seconds = f"{delay:g}s"
            if self._skip_waits and delay > 0:
                return f"retrying, {seconds} wait skipped {of}"
            if delay <= 0:
                return f"retrying now {of}"
            return f"retrying in {'up to ' if retrier.full_jitter else ''}{seconds} {of}"
        return None

    def _retriers_of(self, name: str) -> tuple[Retrier, ...]:
        found = self._retriers.get(name)
        if found is None:
            from flowtasks.local.retry import compile_retriers

            spec = self._specs.get(name) or {}
            try:
                found = compile_retriers(spec)
            except (TypeError, ValueError):  # an invalid Retry: the engine refuses it
                found = ()
            self._retriers[name] = found
        return found

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


def _composite_type(kind: str) -> str | None:
    """``Parallel`` / ``Map`` for the own events of those states (ParallelStateFailed...)."""
    for composite in ("Parallel", "Map"):
        if kind.startswith(composite + "State") and not kind.endswith(("Entered", "Exited")):
            return composite
    return None


def _is_state_failure(kind: str) -> bool:
    """Whether an event of this type is a state's failure (TaskFailed, ParallelStateFailed...)."""
    return kind.endswith(_FAILURE_SUFFIXES) and not kind.startswith(_NOT_STATE_EVENTS)


def _error_text(error: Any, cause: Any) -> str:
    """``Error: cause`` on one line, the cause cut at 200 characters."""
    text = " ".join(str(cause or "").split())
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{error}: {text}" if text and error else str(error or text)


def _index(
    machine: Mapping[str, Any],
    depth: int,
    depths: dict[str, int],
    inner: dict[str, set[str]],
    branches: dict[str, int],
    parents: dict[str, str],
    parent: str = "",
) -> set[str]:
    """Fill depth of each state, names inside each Map, branch counts, the Parallel / Map each
    state is in; return this scope's names."""
    names: set[str] = set()
    for name, state in (machine.get("States") or {}).items():
        names.add(name)
        depths.setdefault(name, depth)
        if parent:
            parents.setdefault(name, parent)
        if state.get("Type") == "Parallel":
            branches[name] = len(state.get("Branches") or [])
            for branch in state.get("Branches") or []:
                names |= _index(branch, depth + 1, depths, inner, branches, parents, name)
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if state.get("Type") == "Map" and isinstance(processor, Mapping):
            below = _index(processor, depth + 1, depths, inner, branches, parents, name)
            inner[name] = below
            names |= below
    return names
