"""Runs for the UI tests, each made by the local engine and saved with `flowtasks.runs.save_run`.

Every kind a person looks at: a success through Choice, Parallel and a Map; a failure after
retries whose error holds HTML; a failure caught by a Catch; a Map of many iterations; outputs
holding ``<script>``. Ids follow ``new_run_id``'s form and sort by start time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flowtasks import TaskError
from flowtasks.local import run
from flowtasks.runs import save_run

SCRIPT = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
"""Text that would run if the page ever put data into HTML."""

ORDERS: dict[str, Any] = {
    "Comment": "orders: count, check in parallel, charge each, done",
    "StartAt": "CountOrders",
    "States": {
        "CountOrders": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "ResultPath": "$.count",
            "Retry": [
                {"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "BackoffRate": 2, "MaxAttempts": 2}
            ],
            "Next": "AnyOrders",
        },
        "AnyOrders": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.count", "NumericEquals": 0, "Next": "NoOrders"}],
            "Default": "Checks",
        },
        "NoOrders": {"Type": "Succeed"},
        "Checks": {
            "Type": "Parallel",
            "ResultPath": "$.checks",
            "Branches": [
                {"StartAt": "CheckStock", "States": {"CheckStock": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "CheckFraud",
                    "States": {"CheckFraud": {"Type": "Pass", "Result": "ok", "End": True}},
                },
            ],
            "Next": "ChargeEach",
        },
        "ChargeEach": {
            "Type": "Map",
            "ItemsPath": "$.orders",
            "ResultPath": "$.charged",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Charge",
                "States": {
                    "Charge": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Catch": [
                            {
                                "ErrorEquals": ["CardDeclined"],
                                "ResultPath": "$.error",
                                "Next": "Declined",
                            }
                        ],
                        "End": True,
                    },
                    "Declined": {"Type": "Pass", "End": True},
                },
            },
            "Next": "Remember",
        },
        "Remember": {
            "Type": "Pass",
            "Assign": {"charged_count.$": "States.ArrayLength($.charged)", "note": SCRIPT},
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}

BIG_MAP: dict[str, Any] = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "EachItem"},
        "EachItem": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 40,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Handle",
                "States": {"Handle": {"Type": "Pass", "End": True}},
            },
            "ResultPath": None,
            "End": True,
        },
    },
}


@dataclass(frozen=True)
class SavedRuns:
    """The runs folder and the id of each kind of run in it."""

    directory: Path
    succeeded: str
    failed: str
    caught: str
    big_map: str
    ids: tuple[str, ...]


def _charge(data: dict[str, Any]) -> Any:
    if data.get("card") == "declined":
        raise TaskError("CardDeclined", f"card of order {data.get('id')} declined")
    return {"id": data.get("id"), "charged": True, "receipt": SCRIPT}


def _save(
    directory: Path,
    run_id: str,
    flow: str,
    execution: Any,
    started: datetime,
    mocks: dict[str, Any] | None = None,
) -> str:
    stopped = started + timedelta(seconds=1)
    save_run(
        run_id,
        execution,
        flow=flow,
        mocks=mocks,
        started=started.isoformat(timespec="milliseconds"),
        finished=stopped.isoformat(timespec="milliseconds"),
        directory=directory,
    )
    return run_id


def make_runs(directory: Path, *, big_items: int = 10_000) -> SavedRuns:
    """Save the runs of `SavedRuns` in `directory` (big_map: a Map of `big_items` iterations)."""
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def run_id(minute: int) -> str:
        return f"{start + timedelta(minutes=minute):%Y%m%dT%H%M%S}-{minute:06x}"

    orders = {"orders": [{"id": 1, "card": "ok"}, {"id": 2, "card": "ok"}]}
    declined = {"orders": [{"id": 1, "card": "ok"}, {"id": 2, "card": "declined"}]}
    busy = iter([TaskError("Busy", "try later"), None])

    def count_busy_once(data: dict[str, Any]) -> int:
        problem = next(busy, None)
        if problem is not None:
            raise problem
        return len(data["orders"])

    handlers = {"CountOrders": count_busy_once, "Charge": _charge}
    ok = run(ORDERS, orders, handlers, skip_waits=True, name=run_id(0))
    assert ok.status == "SUCCEEDED", (ok.error, ok.cause)
    succeeded = _save(directory, run_id(0), "shop.Orders", ok, start)

    def always_busy(data: dict[str, Any]) -> int:
        raise TaskError("Busy", f"database locked {SCRIPT}")

    bad = run(ORDERS, orders, {"CountOrders": always_busy}, skip_waits=True, name=run_id(1))
    assert bad.status == "FAILED"
    busy_mock = {
        "CountOrders": {"Error": "Busy", "Cause": f"database locked {SCRIPT}"},
        "Charge": {"charged": True},
    }
    # saved with its mock, as `flow-task run --mock` saves it: a redrive reuses it
    failed = _save(directory, run_id(1), "shop.Orders", bad, start + timedelta(minutes=1),
                   mocks=busy_mock)  # fmt: skip

    caught_run = run(ORDERS, declined, handlers={"CountOrders": lambda d: 2, "Charge": _charge},
                     skip_waits=True, name=run_id(2))  # fmt: skip
    caught = _save(directory, run_id(2), "shop.Refunds", caught_run, start + timedelta(minutes=2))

    items = {"items": [{"n": n} for n in range(big_items)]}
    big = run(BIG_MAP, items, skip_waits=True, name=run_id(3), history_limit=None)
    assert big.status == "SUCCEEDED", (big.error, big.cause)
    big_map = _save(directory, run_id(3), "bulk.Items", big, start + timedelta(minutes=3))
    ids = (big_map, caught, failed, succeeded)
    return SavedRuns(directory, succeeded, failed, caught, big_map, ids)
