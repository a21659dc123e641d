"""Tasks of the daily sales report: metrics computed side by side, then one report."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flowtasks import task


class ReportTooLarge(Exception):
    """The report has more regions than the report format allows."""


MAX_REGIONS = 50


@dataclass
class Orders:
    """The day's orders: ``[{"region": "eu", "amount": 12.5}, ...]``."""

    date: str
    orders: list[dict[str, Any]]


@task
def count_orders(day: Orders) -> dict[str, Any]:
    """How many orders the day had."""
    return {"orders": len(day.orders)}


@task
def revenue_by_region(day: Orders) -> dict[str, Any]:
    """Revenue per region, rounded to cents."""
    totals: dict[str, float] = defaultdict(float)
    for order in day.orders:
        totals[order["region"]] += float(order["amount"])
    return {"revenue": {region: round(total, 2) for region, total in sorted(totals.items())}}


@task(timeout_seconds=600)
def build_report(day: dict[str, Any]) -> dict[str, Any]:
    """One report from the metrics gathered in parallel (a list: one entry per branch)."""
    metrics: dict[str, Any] = {}
    for part in day["metrics"]:
        metrics.update(part)
    if len(metrics.get("revenue", {})) > MAX_REGIONS:
        raise ReportTooLarge(f"{len(metrics['revenue'])} regions, at most {MAX_REGIONS}")
    return {"date": day["date"], **metrics}
