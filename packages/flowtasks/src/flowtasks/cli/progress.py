"""Live progress of a local run on a text stream, fed by the engine's history events.

`Progress` is the ``on_event`` callback of `flowtasks.local.run`: it reads each event with
`flowtasks.history.HistoryReader` and prints each state as it enters and leaves (with its
duration), failures with their error and cause (a States.Runtime failure, which AWS records only
on ExecutionFailed, is shown on the state that raised it), the engine's retry decisions with the
delay before the next attempt, Parallel branch counts, and a progress bar for Maps of
`bar_threshold` items or more (whose inner states it then keeps quiet).
Plain lines without a TTY; on a TTY the bar redraws in place. Thread-safe: the engine may call it
from worker threads.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from flowtasks.asl.walk import iter_states
from flowtasks.history import Change, Failure, HistoryReader, Retry, StateRecord

__all__ = ["Progress"]

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
_MAP_ENDS = ("MapStateSucceeded", "MapStateFailed", "MapStateAborted")
_ITERATION_ENDS = ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted")


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
    A task's failure shows where its code raised (``at file:line``, the innermost frame of the
    user's code); `tracebacks` (``FLOWTASKS_DEBUG=1``) adds the full traceback under it.
    A Parallel's or Map's failure says what failed inside it: the branch or iteration, the
    innermost state that failed there, and its error and cause.
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
        tracebacks: bool = False,
    ) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._tty = self._stream.isatty() if tty is None else tty
        encoding = (getattr(self._stream, "encoding", None) or "").lower().replace("-", "")
        self._sym = _UNICODE if encoding.startswith("utf") else _ASCII
        self._threshold = bar_threshold
        self._clock = clock
        self._lock = threading.Lock()
        self._reader = HistoryReader(definition)
        self._branches = {
            name: len(state.get("Branches") or [])
            for name, state in iter_states(definition)
            if state.get("Type") == "Parallel"
        }
        self._started: dict[int, float] = {}  # entered event id -> clock
        self._bars: dict[int, _Bar] = {}  # a Map's entered event id -> its bar
        self._hidden_failures = 0
        self._open_line = False
        self._header = header
        self._skip_waits = skip_waits
        self._tracebacks = tracebacks
        self._announced: set[int] = set()  # states whose next attempt was announced
        self._pending: str | None = None  # a Parallel/Map failure line, printed after its cause

    # -- output ---------------------------------------------------------------------------------

    def _line(self, text: str) -> None:
        if self._open_line:
            self._stream.write("\n")
            self._open_line = False
        self._stream.write(text + "\n")
        self._stream.flush()

    def _indent(self, state: StateRecord) -> str:
        return "  " * (len(state.path) + 1)

    def _draw(self, state: StateRecord, bar: _Bar, final: bool = False) -> None:
        if final and not self._tty and bar.drawn == bar.done:
            return
        bar.drawn = bar.done
        width = 30
        filled = width * bar.done // bar.total if bar.total else width
        failed = f"  {bar.failed} failed" if bar.failed else ""
        text = (
            f"{self._indent(state)}{state.name} [{self._sym['bar'] * filled}"
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
        change = self._reader.feed(event)
        kind = str(event.get("type", ""))
        if kind != "ExecutionFailed":
            self._flush()
        state = change.state
        if state is None:
            return
        if change.kind == "execution":  # a failure recorded only on ExecutionFailed
            if change.failure is not None:
                self._failure(state, change.failure, self._quiet(state))
            self._flush()
            return
        quiet = self._quiet(state)
        key = state.entered_id
        if change.kind == "entered":
            self._started[key] = self._clock()
            if not quiet:
                branches = self._branches.get(state.name) if state.type == "Parallel" else None
                extra = f" ({branches} branches)" if branches is not None else ""
                self._line(f"{self._indent(state)}{self._sym['enter']} {state.name}{extra}")
        elif change.kind == "attempt":
            self._attempt(change, state, quiet)
        elif change.kind == "exited":
            started = self._started.pop(key, None)
            elapsed = self._clock() - started if started is not None else 0.0
            if not quiet:
                caught = state.status == "caught"
                mark, note = (self._sym["caught"], " caught") if caught else (self._sym["ok"], "")
                self._line(f"{self._indent(state)}{mark} {state.name}{note} {elapsed:.2f}s")
        elif change.kind == "iteration" and kind in _ITERATION_ENDS:
            bar = self._bars.get(key)
            if bar is not None:
                bar.done += 1
                bar.failed += kind != "MapIterationSucceeded"
                self._update(state, bar)
        if kind in _MAP_ENDS:
            bar = self._bars.pop(key, None)
            if bar is not None:
                self._draw(state, bar, final=True)
        if change.kind == "failed" and change.failure is not None:
            self._failure(state, change.failure, quiet)

    def _attempt(self, change: Change, state: StateRecord, quiet: bool) -> None:
        """A new attempt of `state`: announce a retry (the decision, when its failure had no
        event of its own, comes with it), and start a Map's bar or item count."""
        key = state.entered_id
        if change.failure is not None:
            self._failure(state, change.failure, quiet)
        elif state.attempts > 1 and key not in self._announced and not quiet:
            self._line(f"{self._indent(state)}{self._sym['retry']} {state.name} retrying")
        self._announced.discard(key)
        if change.event.get("type") != "MapStateStarted":
            return
        length = state.items or 0
        if length >= self._threshold:
            bar = self._bars[key] = _Bar(length)
            self._draw(state, bar)
        elif not quiet:
            self._line(f"{self._indent(state)}  {state.name}: {length} items")

    def _quiet(self, state: StateRecord) -> bool:
        """Whether `state` runs inside a Map that shows a bar."""
        parent = state.parent
        while parent is not None:
            if parent.entered_id in self._bars:
                return True
            parent = parent.parent
        return False

    def _failure(self, state: StateRecord, failure: Failure, quiet: bool) -> None:
        """Print a state's failure and, when the engine retries it, the coming retry."""
        if quiet:
            self._hidden_failures += 1
            if self._hidden_failures > 3:
                return
        if state.type in ("Parallel", "Map"):
            line = self._container_line(state, failure)
            if failure.event_type in ("ParallelStateFailed", "MapStateFailed"):
                # its final failure: printed after the inner failure that causes it, whose
                # events may come after this one (AWS orders them so)
                self._pending = line
                return
            self._line(line)  # a retried attempt: its decision came with the next attempt
        else:
            text = _error_text(failure.error, failure.cause)
            if failure.location is not None:
                text += f"  at {failure.location}"
            self._line(f"{self._indent(state)}{self._sym['fail']} {state.name} {text}".rstrip())
            if self._tracebacks and failure.traceback and not quiet:
                for row in failure.traceback.splitlines():
                    self._line(f"{self._indent(state)}    {row}")
        if failure.retry is not None and not quiet:
            self._announced.add(state.entered_id)
            retry = _retry_text(failure.retry, self._skip_waits)
            self._line(f"{self._indent(state)}{self._sym['retry']} {state.name} {retry}")

    def _container_line(self, state: StateRecord, failure: Failure) -> str:
        """``✗ P Boom (branch 2 of 2, state B: Boom: cause)``: a Parallel's or Map's failure and
        the innermost state inside it that failed, in which branch or iteration."""
        head = f"{self._indent(state)}{self._sym['fail']} {state.name} {failure.error}".rstrip()
        inner = _inner_failure(self._reader.execution.states, state)
        if inner is None:
            return f"{head}: {_error_text('', failure.cause)}" if failure.cause else head
        step = inner.path[len(state.path)]
        if step.kind == "branch" and step.index is not None:
            count = self._branches.get(state.name)
            where = f"branch {step.index + 1}" + (f" of {count}" if count else "")
        elif step.kind == "iteration" and step.index is not None:
            where = f"iteration {step.index}" + (f" of {state.items}" if state.items else "")
        else:
            where = "a branch" if step.kind == "branch" else "an iteration"
        last = inner.last_failure
        error, cause = (last.error, last.cause) if last else (failure.error, failure.cause)
        return f"{head} ({where}, state {inner.name}: {_error_text(error, cause)})"

    def _update(self, state: StateRecord, bar: _Bar) -> None:
        if self._tty:
            now = self._clock()
            if now - bar.last_draw >= 0.1 or bar.done == bar.total:
                bar.last_draw = now
                self._draw(state, bar)
        else:
            bucket = 10 * bar.done // bar.total if bar.total else 10
            if bucket != bar.last_bucket:
                bar.last_bucket = bucket
                self._draw(state, bar)


def _inner_failure(states: list[StateRecord], container: StateRecord) -> StateRecord | None:
    """The last state inside `container` (at any depth) that failed and was not caught: a Fail
    state, or one whose last attempt failed and that never exited."""
    for record in reversed(states):
        failed = record.status == "failed" or (not record.exited and bool(record.failures))
        if not failed or record is container:
            continue
        parent = record.parent
        while parent is not None and parent is not container:
            parent = parent.parent
        if parent is container:
            return record
    return None


def _retry_text(retry: Retry, skip_waits: bool) -> str:
    """``retrying in 4s (retry 2 of 3)``: the engine's decision (its delay, jitter applied)."""
    of = f"(retry {retry.retry} of {retry.max_attempts})"
    delay = retry.delay_seconds
    seconds = f"{round(delay, 2):g}s"
    if skip_waits and delay > 0:
        return f"retrying, {seconds} wait skipped {of}"
    if delay <= 0:
        return f"retrying now {of}"
    return f"retrying in {seconds} {of}"


def _error_text(error: Any, cause: Any) -> str:
    """``Error: cause`` on one line, the cause cut at 200 characters."""
    text = " ".join(str(cause or "").split())
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{error}: {text}" if text and error else str(error or text)
