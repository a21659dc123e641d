"""`Execution`: the record of one local run, JSON-serialisable to be saved and redriven."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

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
    def from_dict(cls, data: dict[str, Any]) -> Execution:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})

    def __repr__(self) -> str:
        detail = f" error={self.error!r}" if self.error else ""
        return f"<Execution {self.name} {self.status}{detail} events={len(self.history)}>"
