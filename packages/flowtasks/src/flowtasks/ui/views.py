"""What the UI's JSON endpoints answer, built from a `RunRecord`: pure functions of the run.

The graph is `flowtasks.asl.graph.to_json` of the run's own definition (the compiled ASL saved
with it), coloured by the outcomes of the history, exactly as ``flow-task graph --run`` is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowtasks.asl.graph import to_json
from flowtasks.runs import outcomes_of
from flowtasks.ui.sources import RunRecord

__all__ = ["list_view", "run_view"]

LIST_LIMIT_MAX = 500
"""The most runs one page of the runs list holds."""


def list_view(
    summaries: list[dict[str, Any]],
    *,
    flow: str | None = None,
    status: str | None = None,
    text: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> dict[str, Any]:
    """One page of the runs list (already newest first), filtered by flow, status and a text
    found in the id, flow or error; with the flows and statuses there are, for the filters."""
    flows = sorted({run["flow"] for run in summaries})
    statuses: dict[str, int] = {}
    for run in summaries:
        statuses[run["status"]] = statuses.get(run["status"], 0) + 1
    needle = (text or "").lower()
    chosen = [
        run
        for run in summaries
        if (not flow or run["flow"] == flow)
        and (not status or run["status"] == status)
        and (
            not needle
            or needle in run["id"].lower()
            or needle in run["flow"].lower()
            or needle in str(run.get("error") or "").lower()
        )
    ]
    limit = max(1, min(limit, LIST_LIMIT_MAX))
    offset = max(0, offset)
    return {
        "total": len(chosen),
        "offset": offset,
        "limit": limit,
        "runs": chosen[offset : offset + limit],
        "flows": flows,
        "statuses": dict(sorted(statuses.items())),
    }


def run_view(record: RunRecord, source: str) -> dict[str, Any]:
    """One run: summary, input/output, its graph coloured by outcome."""
    outcomes = outcomes_of(record.events, record.definition)
    return {
        "source": source,
        "version": record.version,
        "summary": record.summary,
        "input": record.input,
        "output": record.output,
        "graph": to_json(record.definition, outcomes=outcomes),
        "event_count": len(record.events),
    }


def _as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
