"""demo.VendorIngest for real: no mocks, over the local services `flow-task dev up` runs (an SFTP
server, moto S3, PostgreSQL behind the redshift-connector shim), started by `LocalServices`."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from flowtasks.dev.services import LocalServices
from flowtasks.tasks import redshift
from flowtasks.testing import run_flow

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def services() -> Iterator[LocalServices]:
    folder = Path(tempfile.mkdtemp(prefix="flowtasks-demo-"))
    folder.chmod(0o755)  # as root, PostgreSQL runs as another user that must enter it
    try:
        with LocalServices(folder) as running:
            yield running
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def drop(services: LocalServices, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    for key, value in services.settings.items():
        monkeypatch.setenv(key, value)
    outbox = services.sftp_root / "outbox"
    shutil.rmtree(services.sftp_root, ignore_errors=True)
    shutil.copytree(EXAMPLES / "sftp", services.sftp_root)
    assert sorted(p.name for p in outbox.iterdir())[0] == "orders-1.csv"
    redshift.execute("warehouse", "DROP TABLE IF EXISTS vendor_orders")
    result: dict[str, Any] = json.loads((EXAMPLES / "vendor_ingest.json").read_text())
    return result


def test_vendor_ingest_fetches_loads_and_exports_over_real_services(
    services: LocalServices, drop: dict[str, Any]
) -> None:
    run = run_flow("demo.VendorIngest", drop)
    run.assert_succeeded()
    run.assert_visited("PrepareTable", "FetchFiles", "ProcessFiles", "Summarise", "ExportTotals")
    assert run.visits("LoadFile") == 2
    summary = run.output
    assert {k: summary[k] for k in ("vendor", "loaded", "rejected", "rows", "total_amount")} == {
        "vendor": "acme",
        "loaded": 2,
        "rejected": 1,
        "rows": 3,
        "total_amount": 21.75,
    }
    assert run.state_output("RejectFile")["file"] == "/outbox/orders-3.csv"

    # SFTP: the CSV files were archived once their objects were complete; the rest stays
    root = services.sftp_root
    assert sorted(p.name for p in (root / "outbox").iterdir()) == ["readme.txt"]
    assert sorted(p.name for p in (root / "archive").iterdir()) == [
        "orders-1.csv",
        "orders-2.csv",
        "orders-3.csv",
    ]
    # S3: the landed files, and the exported totals
    client = boto3.client("s3")
    landed = client.list_objects_v2(Bucket="flowtasks-dev", Prefix="landing/acme/")["Contents"]
    assert sorted(o["Key"] for o in landed) == [
        "landing/acme/orders-1.csv",
        "landing/acme/orders-2.csv",
        "landing/acme/orders-3.csv",
    ]
    report = client.get_object(Bucket="flowtasks-dev", Key="reports/vendor-totals.csv")
    rows = list(csv.DictReader(io.StringIO(report["Body"].read().decode())))
    assert rows == [{"vendor": "acme", "orders": "3", "total_amount": "21.75"}]
    assert summary["export"] == {
        "s3_uri": "s3://flowtasks-dev/reports/vendor-totals.csv",
        "rows": 1,
        "bytes": len("vendor,orders,total_amount\nacme,3,21.75\n"),
    }
    # the warehouse: loaded rows, and a second run (files dropped again) replaces, not doubles
    shutil.copytree(EXAMPLES / "sftp", root, dirs_exist_ok=True)
    run_flow("demo.VendorIngest", drop).assert_succeeded()
    count = redshift.query("warehouse", "SELECT count(*) AS n FROM vendor_orders")
    assert count == [{"n": 3}]


def test_an_empty_outbox_stops_before_touching_the_warehouse(
    services: LocalServices, drop: dict[str, Any]
) -> None:
    shutil.rmtree(services.sftp_root / "outbox")
    (services.sftp_root / "outbox").mkdir()
    run = run_flow("demo.VendorIngest", drop)
    run.assert_succeeded().assert_path("ListFiles", "AnyFiles", "NothingToLoad")
    assert redshift.query(
        "warehouse", "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'vendor_orders'"
    ) == [{"n": 0}]
