"""Tasks of the vendor-file ingest: list a vendor's drop, validate and transform each file.

A "file" is ``{"name": "orders-1.csv", "content": "id,amount\\n1,10.50\\n"}``; the SFTP/S3 transport
comes from the shared task library later, so these tasks work on what their input carries.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from flowtasks import task

REQUIRED_COLUMNS = ("id", "amount")


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


@task
def list_files(drop: dict[str, Any]) -> dict[str, Any]:
    """The vendor's CSV files in the drop; raises VendorNotReady while an upload is partial."""
    files = drop.get("files", [])
    partial = [f["name"] for f in files if f["name"].endswith(".partial")]
    if partial:
        raise VendorNotReady(f"upload in progress: {', '.join(partial)}")
    csv_files = [f for f in files if f["name"].endswith(".csv")]
    return {"vendor": drop["vendor"], "files": csv_files, "count": len(csv_files)}


@task
def validate_file(item: dict[str, Any]) -> dict[str, Any]:
    """Parse one file's CSV rows; raises InvalidFile when a column or an amount is wrong."""
    file = item["file"]
    reader = csv.DictReader(io.StringIO(file["content"]))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidFile(f"{file['name']}: missing column(s) {', '.join(missing)}")
    rows = list(reader)
    for number, row in enumerate(rows, start=2):
        try:
            float(row["amount"])
        except ValueError:
            raise InvalidFile(
                f"{file['name']} line {number}: bad amount {row['amount']!r}"
            ) from None
    return {"vendor": item["vendor"], "file": file["name"], "rows": rows}


@task
def transform_file(parsed: dict[str, Any]) -> dict[str, Any]:
    """Normalise amounts to cents and total the file."""
    cents = [round(float(row["amount"]) * 100) for row in parsed["rows"]]
    return {
        "file": parsed["file"],
        "status": "loaded",
        "rows": len(cents),
        "total_cents": sum(cents),
    }


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
