"""The one reader of execution histories: GetExecutionHistory events -> typed records.

Events are what ``GetExecutionHistory`` returns (and what the local engine records, see
`flowtasks.local.history`): dicts with ``id``, ``previousEventId``, ``timestamp``, ``type`` and one
``<x>EventDetails`` dict. Payloads (``input``, ``output``, assigned variables) may be JSON text,
as AWS sends them, or already decoded; both are read. Timestamps may be ISO 8601 text, epoch
seconds or `datetime` (boto3); all become timezone-aware `datetime`.

Read a whole history::

    from flowtasks.history import read_history

    execution = read_history(events, definition)      # an ExecutionRecord
    execution.status, execution.error                  # "FAILED", "Vendor.Down"
    for state in execution.states:                     # StateRecord, in the order entered
        print(state.name, state.path, state.status, state.attempts, state.failures)

or follow one as it is written (the engine's ``on_event``, a poller of AWS)::

    reader = HistoryReader(definition)
    for event in events:
        change = reader.feed(event)                    # a Change: what this event did
        if change.kind == "failed": ...

How events are attributed (the same for AWS and local histories): each event belongs to the
state whose events it follows by ``previousEventId``; a ``...StateEntered`` after a
``ParallelStateStarted`` starts a branch, one after a ``MapIterationStarted`` starts an iteration.
A Parallel's or Map's own events (``ParallelStateFailed``, ``MapStateStarted``...) may follow an
event deep inside it (AWS records a retried Parallel's next start after the failing branch's last
event): they belong to the nearest enclosing Parallel / Map. `definition` (the ASL, optional)
only tells which branch of a Parallel a state is in; without it `PathStep.index` of a branch
is None.

**The engine's extra** (`ENGINE_EXTRA`, never in AWS histories): the local engine records what it
decided after a failure, which AWS does not record, in a separate top-level event key
``"flowtasks"``: ``{"decision": {...}}`` with ``error``, ``cause`` and ``action``:

- ``"retry"``: ``retrier`` (index in Retry), ``retry`` (1-based count of that retrier),
  ``maxAttempts``, ``delaySeconds`` (the delay drawn, jitter applied);
- ``"catch"``: ``catcher`` (index in Catch) and ``next`` (its Next state);
- ``"fail"``: neither retried nor caught: the failure goes up to the enclosing scope.

When the task's own code raised, the same key holds ``"origin"``: ``location`` (``file:line`` of
the innermost frame of the user's code, when there is one), ``function`` and the full
``traceback`` text (see `flowtasks.origin`); `Failure.location` / `Failure.traceback`.

It is on the event that records the attempt's failure (``TaskFailed``, ``TaskTimedOut``,
``ParallelStateFailed``...). A failure with no event of its own (a Parallel or Map attempt that is
retried, a ResultSelector error) puts it on the state's next event instead: the next attempt's
first event (``TaskScheduled``, ``ParallelStateStarted``, ``MapStateStarted``), after the delay,
or its ``...StateExited`` when caught. Read without the extra (an AWS history), a failure's
`Failure.action` is None, and a state that exits after a failure is ``caught`` (Catch with
unknown `Catch.catcher`; `Catch.next` is the state entered next).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from flowtasks.asl.walk import children

__all__ = [
    "ATTEMPT_EVENTS",
    "ENGINE_EXTRA",
    "EXECUTION_END_EVENTS",
    "TASK_FAILURE_EVENTS",
    "Catch",
    "Change",
    "ChangeKind",
    "ExecutionRecord",
    "ExecutionStatus",
    "Failure",
    "HistoryReader",
    "PathStep",
    "Retry",
    "StateRecord",
    "StateStatus",
    "parse_time",
    "read_history",
]

ENGINE_EXTRA = "flowtasks"
"""Top-level event key of the local engine's additions (see the module docstring)."""

ATTEMPT_EVENTS = frozenset(
    {
        "TaskScheduled",
        "LambdaFunctionScheduled",
        "ActivityScheduled",
        "ParallelStateStarted",
        "MapStateStarted",
    }
)
"""Events that start one attempt of a state (a retried Task is scheduled again; a retried Parallel
or Map starts again)."""

TASK_FAILURE_EVENTS = frozenset(
    {
        "TaskFailed",
        "TaskTimedOut",
        "TaskSubmitFailed",
        "TaskStartFailed",
        "LambdaFunctionFailed",
        "LambdaFunctionTimedOut",
        "LambdaFunctionStartFailed",
        "LambdaFunctionScheduleFailed",
        "ActivityFailed",
        "ActivityTimedOut",
        "ActivityScheduleFailed",
    }
)
"""Events that end one attempt of a Task state with an error (details: ``error``, ``cause``)."""

_CONTAINER_FAILURE_EVENTS = frozenset({"ParallelStateFailed", "MapStateFailed"})

EXECUTION_END_EVENTS = frozenset(
    {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}
)
"""Events that end an execution (or one run of it, before a redrive)."""

_END_STATUS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}

# AWS's (and the engine's) cause of a failure recorded only on ExecutionFailed names the state
_LOCATED = re.compile(
    r"^An error occurred while executing the state '.*?' \(entered at the event id #(\d+)\)\.\s*",
    re.DOTALL,
)

StateStatus = Literal["running", "succeeded", "caught", "failed"]
"""``running``: entered, not yet exited; ``succeeded``: exited normally; ``caught``: exited
through a Catch after its last attempt failed; ``failed``: a Fail state, or a state that failed
(or was stopped) and never exited."""

ExecutionStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]

ChangeKind = Literal["execution", "entered", "attempt", "failed", "exited", "iteration", "other"]
"""What an event did (`Change.kind`):

- ``execution``: an Execution* event (`HistoryReader.execution` changed); when it fails the
  execution with an error first recorded there (States.Runtime in a Pass...), `Change.state`
  and `Change.failure` name the state that raised it;
- ``entered``: `Change.state` was entered (a new `StateRecord`);
- ``attempt``: an attempt of `Change.state` began (`StateRecord.attempts` is its number);
- ``failed``: an attempt of `Change.state` failed: `Change.failure`;
- ``exited``: `Change.state` exited (``succeeded`` or ``caught``);
- ``iteration``: a Map iteration of `Change.state` started or ended (`StateRecord.iterations`);
- ``other``: anything else (TaskStarted, TaskSucceeded, MapRunStarted...)."""


@dataclass(frozen=True)
class PathStep:
    """One level of nesting: the state runs in iteration `index` of Map `state`
    (``kind="iteration"``) or in branch `index` of Parallel `state` (``kind="branch"``; index
    None when the reader was given no definition)."""

    state: str
    kind: Literal["iteration", "branch"]
    index: int | None


@dataclass(frozen=True)
class Retry:
    """The engine retried: retrier `retrier` of the state's Retry, its `retry`-th retry (1-based)
    of `max_attempts`, after waiting `delay_seconds`."""

    retrier: int
    retry: int
    max_attempts: int
    delay_seconds: float


@dataclass(frozen=True)
class Catch:
    """The failure was caught: by catcher `catcher` of the state's Catch (None when the history
    does not say: AWS), going to `next` (None until that state is entered, when not recorded)."""

    catcher: int | None
    next: str | None


@dataclass(frozen=True)
class Failure:
    """One failed attempt of a state: its `error` and `cause`, and what followed.

    `attempt` is the attempt it ended (1 for the first; 0 for a state without attempts: Pass,
    Choice...). `event_id` / `event_type`: the event that records it (for a failure without an
    event of its own, the event that carries the engine's decision). `action` is the engine's
    decision
    (``retry``, with `retry`; ``catch``, with `catch`; ``fail``), None when the history does not
    record it (AWS). `location` (``file:line``) and `traceback`: where the task's own code raised
    it, when the engine recorded that (None otherwise, and always in AWS histories).
    """

    error: str
    cause: str
    attempt: int
    event_id: int
    event_type: str
    action: Literal["retry", "catch", "fail"] | None = None
    retry: Retry | None = None
    catch: Catch | None = None
    location: str | None = None
    traceback: str | None = None


@dataclass(eq=False)
class StateRecord:
    """One time a state was entered, and everything recorded about it until it ended.

    `type` is the ASL Type (``Task``, ``Map``...). `path` is where it ran (outermost first;
    empty at the top level). `input` / `output` are decoded JSON (`output` None until exited).
    `attempts` counts the attempts of a Task, Parallel or Map (0 for other types); `failures`
    holds each failed attempt in order; `caught` is set when a Catch took the last one.
    `assigned` holds the variables its ``Assign`` set (decoded). For a Map, `items` is the item
    count of its latest attempt and `iterations` maps each started iteration's index to
    ``running``, ``succeeded``, ``failed`` or ``aborted``.
    """

    name: str
    type: str
    path: tuple[PathStep, ...]
    entered_id: int
    entered_at: datetime | None
    input: Any
    parent: StateRecord | None = field(default=None, repr=False)
    status: StateStatus = "running"
    output: Any = None
    exited_id: int | None = None
    exited_at: datetime | None = None
    attempts: int = 0
    failures: list[Failure] = field(default_factory=list)
    caught: Catch | None = None
    assigned: dict[str, Any] = field(default_factory=dict)
    items: int | None = None
    iterations: dict[int, str] = field(default_factory=dict)

    @property
    def exited(self) -> bool:
        """Whether the state exited (succeeded, or caught)."""
        return self.exited_id is not None

    @property
    def retries(self) -> int:
        """Attempts beyond the first (0 when it was never retried)."""
        return max(self.attempts - 1, 0)

    @property
    def errors(self) -> list[tuple[str, str]]:
        """``(error, cause)`` of each failed attempt, in order."""
        return [(failure.error, failure.cause) for failure in self.failures]

    @property
    def last_failure(self) -> Failure | None:
        return self.failures[-1] if self.failures else None


@dataclass(eq=False)
class ExecutionRecord:
    """An execution as its history tells it: status, error and cause, input and output, start
    and stop times, redrives, and `states` (every `StateRecord`, in the order entered)."""

    status: ExecutionStatus = "RUNNING"
    input: Any = None
    output: Any = None
    error: str | None = None
    cause: str | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    redrive_count: int = 0
    states: list[StateRecord] = field(default_factory=list)

    def of(self, name: str) -> list[StateRecord]:
        """Every record of the state `name` (each entry, every iteration / branch), in order."""
        return [state for state in self.states if state.name == name]

    def outcomes(self) -> dict[str, StateStatus]:
        """State name -> the status of its latest record (states never entered are missing)."""
        return {state.name: state.status for state in self.states}

    def failed_state(self) -> StateRecord | None:
        """The state where a failed execution stopped: the last one entered that never exited
        (None when every state exited)."""
        for state in reversed(self.states):
            if not state.exited:
                return state
        return None


@dataclass(frozen=True)
class Change:
    """What one event did: its `kind` (see `ChangeKind`), the `state` it concerns (None for the
    execution's own events), and the `failure` it recorded (for ``failed`` and ``execution``)."""

    event: Mapping[str, Any]
    kind: ChangeKind
    state: StateRecord | None = None
    failure: Failure | None = None


class HistoryReader:
    """Reads events one at a time (`feed`) into `execution`, an `ExecutionRecord`.

    `definition` (ASL, optional) lets it tell which branch of a Parallel a state is in.
    Events must be fed in history order (ascending ``id``). Not thread-safe: feed from one
    thread (or under a lock).
    """

    def __init__(self, definition: Mapping[str, Any] | None = None) -> None:
        self.execution = ExecutionRecord()
        self._branch = _branch_indexes(definition) if definition else {}
        self._owner: dict[int, StateRecord | None] = {}
        self._type: dict[int, str] = {}
        self._steps: dict[int, PathStep] = {}  # MapIterationStarted id -> its iteration
        self._by_entry: dict[int, StateRecord] = {}

    def feed(self, event: Mapping[str, Any]) -> Change:
        """Read one event; return what it did."""
        event_id = _int(event.get("id"))
        previous = _int(event.get("previousEventId"))
        kind = str(event.get("type", ""))
        details = _details(event, kind)
        self._type[event_id] = kind
        prior = self._owner.get(previous)
        change: Change
        if kind.startswith("Execution"):
            change = self._execution(event, kind, details, previous)
            self._owner[event_id] = None
            return change
        if kind.endswith("StateEntered"):
            entered = self._entered(event, event_id, previous, kind, details, prior)
            self._owner[event_id] = entered
            return Change(event, "entered", entered)
        state: StateRecord | None
        if kind.endswith("StateExited"):
            state = self._named(str(details.get("name")), prior)
        elif kind.startswith(("Parallel", "Map")):
            wanted = "Map" if kind.startswith("Map") else "Parallel"
            name = details.get("name") if kind.startswith("MapIteration") else None
            state = self._container(wanted, name, prior)
        else:
            state = prior
        self._owner[event_id] = state
        if state is None:
            return Change(event, "other")
        decision = _decision(event)
        if kind.endswith("StateExited"):
            return self._exited(event, event_id, details, state, decision)
        if kind in ATTEMPT_EVENTS:
            state.attempts += 1
            if kind == "MapStateStarted":
                state.items = _int(details.get("length"))
                state.iterations = {}
            failure = None
            if decision is not None:  # the retry of an attempt that had no failure event
                failure = self._fail(state, event_id, kind, decision, decision, state.attempts - 1)
            return Change(event, "attempt", state, failure)
        if kind in TASK_FAILURE_EVENTS or kind in _CONTAINER_FAILURE_EVENTS:
            failure = self._fail(
                state, event_id, kind, details, decision, state.attempts, _origin(event)
            )
            return Change(event, "failed", state, failure)
        if kind.startswith("MapIteration"):
            index = _int(details.get("index"))
            if kind == "MapIterationStarted":
                self._steps[event_id] = PathStep(state.name, "iteration", index)
            state.iterations[index] = _ITERATION_STATUS.get(kind, "running")
            return Change(event, "iteration", state)
        return Change(event, "other", state)

    # -- kinds of events ---------------------------------------------------------------------

    def _entered(
        self,
        event: Mapping[str, Any],
        event_id: int,
        previous: int,
        kind: str,
        details: Mapping[str, Any],
        prior: StateRecord | None,
    ) -> StateRecord:
        name = str(details.get("name"))
        before = self._type.get(previous, "")
        parent: StateRecord | None
        if before == "ParallelStateStarted" and prior is not None:
            parent = prior
            path = (*prior.path, PathStep(prior.name, "branch", self._branch.get(name)))
        elif before in ("MapIterationStarted", "MapStateStarted") and prior is not None:
            parent = prior
            step = self._steps.get(previous, PathStep(prior.name, "iteration", None))
            path = (*prior.path, step)
        elif prior is not None:  # after a sibling in the same scope
            parent, path = prior.parent, prior.path
        else:
            parent, path = None, ()
        if prior is not None and prior.status == "caught" and prior.caught is not None:
            if prior.caught.next is None:
                prior.caught = Catch(prior.caught.catcher, name)
        elif prior is not None and parent is prior.parent and prior.failures and not prior.exited:
            # a history without the caught state's ...StateExited: it moved on through a Catch
            prior.status, prior.caught = "caught", prior.caught or Catch(None, name)
        state_type = kind[: -len("StateEntered")]
        state = StateRecord(
            name=name,
            type=state_type,
            path=path,
            entered_id=event_id,
            entered_at=parse_time(event.get("timestamp")),
            input=_decode(details.get("input")),
            parent=parent,
        )
        if state_type == "Fail":
            state.status = "failed"
        self.execution.states.append(state)
        self._by_entry[event_id] = state
        return state

    def _exited(
        self,
        event: Mapping[str, Any],
        event_id: int,
        details: Mapping[str, Any],
        state: StateRecord,
        decision: Mapping[str, Any] | None,
    ) -> Change:
        failure = None
        if decision is not None:  # caught, the failure having had no event of its own
            kind = str(event.get("type"))
            failure = self._fail(state, event_id, kind, decision, decision, state.attempts)
        state.exited_id = event_id
        state.exited_at = parse_time(event.get("timestamp"))
        state.output = _decode(details.get("output"))
        assigned = details.get("assignedVariables")
        if isinstance(assigned, Mapping):
            state.assigned = {str(k): _decode(v) for k, v in assigned.items()}
        last = state.last_failure
        if last is not None and last.action != "retry" and last.attempt == state.attempts:
            state.status = "caught"
            if state.caught is None:
                state.caught = Catch(None, None)
        else:
            state.status = "succeeded"
        return Change(event, "exited", state, failure)

    def _fail(
        self,
        state: StateRecord,
        event_id: int,
        event_type: str,
        details: Mapping[str, Any],
        decision: Mapping[str, Any] | None,
        attempt: int,
        origin: Mapping[str, Any] | None = None,
    ) -> Failure:
        error = details.get("error")
        cause = details.get("cause")
        if decision is not None:
            error = decision.get("error") if error is None else error
            cause = decision.get("cause") if cause is None else cause
        action, retry, catch = _action(decision)
        where = origin or {}
        failure = Failure(
            str(error or ""),
            _text(cause),
            attempt,
            event_id,
            event_type,
            action,
            retry,
            catch,
            _optional_text(where.get("location")),
            _optional_text(where.get("traceback")),
        )
        state.failures.append(failure)
        if catch is not None:
            state.caught = catch
        return failure

    def _execution(
        self,
        event: Mapping[str, Any],
        kind: str,
        details: Mapping[str, Any],
        previous: int,
    ) -> Change:
        record = self.execution
        moment = parse_time(event.get("timestamp"))
        if kind == "ExecutionStarted":
            record.status, record.started_at = "RUNNING", moment
            record.input = _decode(details.get("input"))
            return Change(event, "execution")
        if kind == "ExecutionRedriven":
            record.status, record.stopped_at = "RUNNING", None
            record.error = record.cause = None
            record.redrive_count = _int(details.get("redriveCount")) or record.redrive_count + 1
            return Change(event, "execution")
        status = _END_STATUS.get(kind)
        if status is None:
            return Change(event, "other")
        record.status = status  # type: ignore[assignment]
        record.stopped_at = moment
        if kind == "ExecutionSucceeded":
            record.output = _decode(details.get("output"))
            return Change(event, "execution")
        record.error = None if details.get("error") is None else str(details.get("error"))
        record.cause = None if details.get("cause") is None else _text(details.get("cause"))
        state, failure = self._located(event, previous, record.error, record.cause)
        for open_state in record.states:
            if open_state.status == "running":
                open_state.status = "failed"
        return Change(event, "execution", state, failure)

    def _located(
        self, event: Mapping[str, Any], previous: int, error: str | None, cause: str | None
    ) -> tuple[StateRecord | None, Failure | None]:
        """The state that raised a failure first recorded on ExecutionFailed, and that failure:
        the state its cause names (``... (entered at the event id #N).``), else the state whose
        entered event comes just before; None when the state's own failure was recorded."""
        if event.get("type") != "ExecutionFailed":
            return None, None
        text = cause or ""
        located = _LOCATED.match(text)
        state: StateRecord | None = None
        if located is not None:
            state, text = self._by_entry.get(int(located.group(1))), text[located.end() :]
        elif self._type.get(previous, "").endswith("StateEntered"):
            state = self._by_entry.get(previous)
        if state is None or state.exited:
            return None, None
        last = state.last_failure
        if last is not None and (located is None or last.error == error):
            return None, None  # the state's own event recorded it
        failure = Failure(
            str(error or ""), text, state.attempts, _int(event.get("id")), "ExecutionFailed"
        )
        state.failures.append(failure)
        return state, failure

    # -- finding the state an event belongs to -------------------------------------------------

    def _named(self, name: str, prior: StateRecord | None) -> StateRecord | None:
        """The open state `name` from `prior` up through its enclosing states, else the latest
        open state of that name."""
        return self._open(prior, lambda state: state.name == name)

    def _container(
        self, state_type: str, name: Any, prior: StateRecord | None
    ) -> StateRecord | None:
        """The nearest open Parallel / Map (named `name`, when given) enclosing `prior` (or
        `prior` itself), else the latest open one."""
        return self._open(prior, lambda s: s.type == state_type and name in (None, s.name))

    def _open(
        self, prior: StateRecord | None, wanted: Callable[[StateRecord], bool]
    ) -> StateRecord | None:
        """The first open (not exited) `wanted` state from `prior` up through its enclosing
        states, else the latest open `wanted` state."""
        state = prior
        while state is not None:
            if not state.exited and wanted(state):
                return state
            state = state.parent
        for state in reversed(self.execution.states):
            if not state.exited and wanted(state):
                return state
        return None


def read_history(
    events: Iterable[Mapping[str, Any]], definition: Mapping[str, Any] | None = None
) -> ExecutionRecord:
    """The `ExecutionRecord` of a whole history (events in ``id`` order). See `HistoryReader`."""
    reader = HistoryReader(definition)
    for event in events:
        reader.feed(event)
    return reader.execution


# -- helpers ----------------------------------------------------------------------------------

_ITERATION_STATUS = {
    "MapIterationSucceeded": "succeeded",
    "MapIterationFailed": "failed",
    "MapIterationAborted": "aborted",
}


def _action(
    decision: Mapping[str, Any] | None,
) -> tuple[Literal["retry", "catch", "fail"] | None, Retry | None, Catch | None]:
    if decision is None:
        return None, None, None
    action = decision.get("action")
    if action == "retry":
        retry = Retry(
            _int(decision.get("retrier")),
            _int(decision.get("retry")),
            _int(decision.get("maxAttempts")),
            float(decision.get("delaySeconds") or 0),
        )
        return "retry", retry, None
    if action == "catch":
        next_state = decision.get("next")
        catch = Catch(
            _int(decision.get("catcher")), None if next_state is None else str(next_state)
        )
        return "catch", None, catch
    if action == "fail":
        return "fail", None, None
    return None, None, None


def _decision(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    extra = event.get(ENGINE_EXTRA)
    if isinstance(extra, Mapping):
        decision = extra.get("decision")
        if isinstance(decision, Mapping):
            return decision
    return None


def _origin(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    extra = event.get(ENGINE_EXTRA)
    if isinstance(extra, Mapping):
        origin = extra.get("origin")
        if isinstance(origin, Mapping):
            return origin
    return None


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _details(event: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    """The event's ``<x>EventDetails`` (``stateEnteredEventDetails`` for every *StateEntered)."""
    if kind.endswith("StateEntered"):
        key = "stateEnteredEventDetails"
    elif kind.endswith("StateExited"):
        key = "stateExitedEventDetails"
    else:
        key = kind[:1].lower() + kind[1:] + "EventDetails"
    details = event.get(key)
    return details if isinstance(details, Mapping) else {}


def _decode(value: Any) -> Any:
    """History payloads are JSON text; anything else (already decoded) is returned as is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def parse_time(value: Any) -> datetime | None:
    """A timestamp as AWS, the engine or a saved run writes it (ISO 8601 text with ``Z``, an
    offset or none (UTC), epoch seconds, a datetime), timezone-aware; None for anything else."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return None


def _branch_indexes(machine: Mapping[str, Any]) -> dict[str, int]:
    """State name -> index of the Parallel branch it is directly in, at every depth."""
    found: dict[str, int] = {}

    def visit(scope: Mapping[str, Any]) -> None:
        states = scope.get("States")
        if not isinstance(states, Mapping):
            return
        for state in states.values():
            if not isinstance(state, Mapping):
                continue
            nested = children(state)
            for index, branch in enumerate(nested):
                if state.get("Type") == "Parallel":
                    for name in branch.get("States") or {}:
                        found[str(name)] = index
                visit(branch)

    visit(machine)
    return found
