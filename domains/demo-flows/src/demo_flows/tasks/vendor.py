"""Tasks of the vendor-file ingest: the vendor's SFTP drop, checked and loaded into the warehouse.

The flow reaches two connections by name (`flowtasks.connections`): ``vendor`` (the vendor's
SFTP server) and ``warehouse`` (Redshift). `flow-task dev up` provides both locally. Each I/O
task is a thin wrapper around pure functions (`csv_names`, `parse_orders`, `load_record`),
which the offline tests call directly and through mocks of the I/O states.
"""

from __future__ import annotations

import csv
import io
import posixpath
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flowtasks import task
from flowtasks.tasks import redshift, s3, sftp

VENDOR = "vendor"
"""The SFTP connection of the vendor's drop (``FLOWTASKS_CONN_VENDOR``)."""
WAREHOUSE = "warehouse"
"""The Redshift connection (``FLOWTASKS_CONN_WAREHOUSE``)."""
OUTBOX = "/outbox"
"""Where the vendor drops its files; fetched files move to ``/archive``."""
TABLE = "vendor_orders"
REQUIRED_COLUMNS = ("id", "amount")

CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (vendor VARCHAR(64) NOT NULL, "
    "file VARCHAR(256) NOT NULL, id VARCHAR(64) NOT NULL, amount NUMERIC(12, 2) NOT NULL)"
)
TOTALS_SQL = (
    "SELECT vendor, count(*) AS orders, sum(amount) AS total_amount "
    f"FROM {TABLE} GROUP BY vendor ORDER BY vendor"
)


class VendorNotReady(Exception):
    """The vendor is still uploading (a ``.partial`` file is present); worth retrying later."""


class InvalidFile(Exception):
    """A file cannot be loaded: wrong columns or values. Not worth retrying."""


@dataclass
class IngestSummary:
    """What one ingest run did."""

    vendor: str
    loaded: int
    rejected: int
    rows: int
    total_amount: float


def csv_names(names: list[str]) -> list[str]:
    """The CSV files among a drop's file names; raises VendorNotReady while one is partial."""
    partial = sorted(n for n in names if n.endswith(".partial"))
    if partial:
        raise VendorNotReady(f"upload in progress: {', '.join(partial)}")
    return sorted(n for n in names if n.endswith(".csv"))


def parse_orders(name: str, text: str) -> list[dict[str, str]]:
    """The rows of one CSV file; raises InvalidFile when a column or an amount is wrong."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidFile(f"{name}: missing column(s) {', '.join(missing)}")
    rows = []
    for number, row in enumerate(reader, start=2):
        try:
            Decimal(row["amount"])
        except InvalidOperation:
            raise InvalidFile(f"{name} line {number}: bad amount {row['amount']!r}") from None
        rows.append({"id": row["id"], "amount": row["amount"]})
    return rows


def load_record(name: str, rows: list[dict[str, str]]) -> dict[str, Any]:
    """The result of loading one file: ``{file, status, rows, total_cents}``."""
    cents = sum(int(Decimal(r["amount"]) * 100) for r in rows)
    return {"file": name, "status": "loaded", "rows": len(rows), "total_cents": cents}


@task
def list_files(drop: dict[str, Any]) -> dict[str, Any]:
    """The vendor's CSV files waiting in the outbox (a drop is ``{vendor, landing, report}``)."""
    files = sftp.list_files(VENDOR, f"{OUTBOX}/*")
    names = csv_names([posixpath.basename(f.path) for f in files])
    return {**drop, "files": names, "count": len(names)}


@task
def validate_file(item: dict[str, Any]) -> dict[str, Any]:
    """Read one fetched file from S3 and check every row; raises InvalidFile."""
    file = item["file"]
    name = posixpath.basename(file["source"])
    rows = parse_orders(name, s3.read_bytes(file["s3_uri"]).decode("utf-8"))
    return {"vendor": item["vendor"], "file": name, "s3_uri": file["s3_uri"], "rows": len(rows)}


@task(timeout_seconds=900)
def load_file(checked: dict[str, Any]) -> dict[str, Any]:
    """Upsert one checked file's rows into the warehouse (key: vendor, file, id)."""
    name = checked["file"]
    rows = parse_orders(name, s3.read_bytes(checked["s3_uri"]).decode("utf-8"))
    redshift.upsert(
        WAREHOUSE,
        TABLE,
        ["vendor", "file", "id"],
        rows=[(checked["vendor"], name, r["id"], r["amount"]) for r in rows],
        columns=["vendor", "file", "id", "amount"],
    )
    return load_record(name, rows)


@task
def summarise(run: dict[str, Any]) -> IngestSummary:
    """Totals of the run from the per-file results."""
    results = run["results"]
    loaded = [r for r in results if r.get("status") == "loaded"]
    return IngestSummary(
        vendor=run["vendor"],
        loaded=len(loaded),
        rejected=len(results) - len(loaded),
        rows=sum(r["rows"] for r in loaded),
        total_amount=sum(r["total_cents"] for r in loaded) / 100,
    )
