"""`Execution`: the record of one local run, JSON-serialisable to be saved and redriven."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from flowtasks.errors import UsageError

__all__ = ["Execution"]

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@dataclass
class Execution:
    """One execution of a state machine by the local engine.

    `history` holds GetExecutionHistory-shaped event dicts. `children` holds the child
    executions of Distributed Map states (each itself an `Execution.to_dict()`). `redrive_data`
    is what `flowtasks.local.redrive` needs to resume from the failed states.
    """

    definition: dict[str, Any]
    input: Any
    name: str
    execution_arn: str
    state_machine_arn: str
    status: str = "RUNNING"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    start_date: str = ""
    stop_date: str = ""
    redrive_count: int = 0
    children: list[dict[str, Any]] = field(default_factory=list)
    redrive_data: dict[str, Any] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every field (round-trips through `from_dict`)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "the saved execution") -> Execution:
        """The execution `data` (a `to_dict()`) describes; unknown keys are ignored.

        Raises UsageError naming `source` and the first missing or ill-typed field, so that a
        damaged saved run is reported as such instead of failing deep inside `redrive`.
        """
        if not isinstance(data, Mapping):
            raise UsageError(f"{source} is damaged: expected a JSON object, got {_kind(data)}")
        problem = next(_problems(data), None)
        if problem is not None:
            raise UsageError(f"{source} is damaged: {problem}")
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})

    def __repr__(self) -> str:
        detail = f" error={self.error!r}" if self.error else ""
        return f"<Execution {self.name} {self.status}{detail} events={len(self.history)}>"


# field -> (required?, accepted types); `input` and `output` may be any JSON value.
_FIELDS: dict[str, tuple[bool, tuple[type, ...]]] = {
    "definition": (True, (dict,)),
    "name": (True, (str,)),
    "execution_arn": (True, (str,)),
    "state_machine_arn": (True, (str,)),
    "status": (False, (str,)),
    "error": (False, (str, type(None))),
    "cause": (False, (str, type(None))),
    "history": (False, (list,)),
    "start_date": (False, (str,)),
    "stop_date": (False, (str,)),
    "redrive_count": (False, (int,)),
    "children": (False, (list,)),
    "redrive_data": (False, (dict,)),
}


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _problems(data: Mapping[str, Any]) -> Iterator[str]:
    """Each way `data` is not a saved `Execution`: a missing field or a wrong type."""
    for key in ("definition", "input", "name", "execution_arn", "state_machine_arn"):
        if key not in data:
            yield f"field {key!r} is missing"
    for key, (_, types) in _FIELDS.items():
        value = data.get(key, types[0]())
        if not isinstance(value, types) or isinstance(value, bool):
            expected = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            yield f"field {key!r} should be {expected}, not {_kind(value)}"
    if data.get("status", "RUNNING") not in STATUSES:
        yield f"field 'status' is {data['status']!r}, not one of {', '.join(STATUSES)}"
    for key in ("history", "children"):
        if not all(isinstance(item, dict) for item in data.get(key) or []):
            yield f"field {key!r} should hold JSON objects only"
    redrive_data = data.get("redrive_data")
    if isinstance(redrive_data, dict):
        definition = data.get("definition")
        names = _state_names(definition) if isinstance(definition, dict) else set()
        yield from _redrive_problems(redrive_data, names)


def _state_names(definition: Mapping[str, Any]) -> set[str]:
    """Every state name in `definition`, nested branches and Map processors included."""
    from flowtasks.asl.walk import iter_states

    return {name for name, _ in iter_states(definition)}


def _redrive_problems(data: Mapping[str, Any], names: set[str]) -> Iterator[str]:
    where = "field 'redrive_data'"
    resume, done = data.get("resume") or {}, data.get("done") or {}
    if not isinstance(resume, dict) or not isinstance(done, dict):
        yield f"{where} should map 'resume' and 'done' to JSON objects"
        return
    for scope, entry in resume.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("state"), str):
            yield f"{where}: resume[{scope!r}] should be an object with a 'state' name"
        elif entry["state"] not in names:
            state = entry["state"]
            yield f"{where}: resume[{scope!r}] names {state!r}, not a state of the definition"
        elif "input" not in entry:
            yield f"{where}: resume[{scope!r}] has no 'input'"
        elif not isinstance(entry.get("variables") or {}, dict):
            yield f"{where}: resume[{scope!r}].variables should be a JSON object"
    for state, outputs in done.items():
        if not isinstance(outputs, dict) or not all(
            isinstance(i, str) and i.isdigit() for i in outputs
        ):
            yield f"{where}: done[{state!r}] should map iteration indexes to outputs"
