"""Stand-ins for VendorIngest's services, so tests and docs run it in-process without any.

``run_flow("demo.VendorIngest", drop, mocks=offline_mocks({"orders-1.csv": "id,amount\\n1,2\\n"}))``
replaces the states that reach SFTP, S3 and the warehouse (ListFiles, PrepareTable, FetchFiles,
ValidateFile, LoadFile, ExportTotals) with functions over the given outbox (file name ->
content). They call the tasks' own pure functions (`csv_names`, `parse_orders`, `load_record`),
so a ``.partial`` file still raises VendorNotReady and a bad file InvalidFile. Everything else
(Choice, Map, Retry, Catch, Summarise) runs for real. ``flow-task dev up`` runs the real thing.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from demo_flows.tasks.vendor import csv_names, load_record, parse_orders

__all__ = ["DROP", "offline_mocks"]

DROP = {
    "vendor": "acme",
    "landing": "s3://flowtasks-dev/landing/acme/",
    "report": "s3://flowtasks-dev/reports/vendor-totals.csv",
}
"""The example input of VendorIngest (examples/vendor_ingest.json)."""


def offline_mocks(outbox: Mapping[str, str]) -> dict[str, Any]:
    """Mocks of VendorIngest's I/O states for a vendor outbox holding `outbox` (name -> text)."""
    files = dict(outbox)

    def list_files(drop: dict[str, Any]) -> dict[str, Any]:
        names = csv_names(list(files))
        return {**drop, "files": names, "count": len(names)}

    def fetch(arguments: dict[str, Any]) -> list[dict[str, Any]]:
        # a reusable task's mock receives its arguments, `destination` resolved from the input
        return [
            {
                "source": f"/outbox/{name}",
                "s3_uri": arguments["destination"] + name,
                "bytes": len(files[name].encode()),
            }
            for name in csv_names(list(files))
        ]

    def validate(item: dict[str, Any]) -> dict[str, Any]:
        name = posixpath.basename(item["file"]["source"])
        rows = parse_orders(name, files[name])
        return {
            "vendor": item["vendor"],
            "file": name,
            "s3_uri": item["file"]["s3_uri"],
            "rows": len(rows),
        }

    def load(checked: dict[str, Any]) -> dict[str, Any]:
        name = checked["file"]
        return load_record(name, parse_orders(name, files[name]))

    def export(arguments: dict[str, Any]) -> dict[str, Any]:
        return {"s3_uri": arguments["destination"], "rows": 1, "bytes": 0}

    return {
        "ListFiles": list_files,
        "PrepareTable": {"statements": 1, "rows_affected": 0},
        "FetchFiles": fetch,
        "ValidateFile": validate,
        "LoadFile": load,
        "ExportTotals": export,
    }
