"""The demo flows run end to end on the local engine, with the testing helpers domain teams use.

Each test runs the compiled flow (what deploys) through `flowtasks.testing`: unmocked Task states
run their task functions in-process; mocked ones return what the test says. Retry timing follows
the AWS docs ("Handling errors in Step Functions workflows": the n-th retry waits
IntervalSeconds x BackoffRate^(n-1)), checked on a fake clock, without sleeping.

VendorIngest's states that reach SFTP, S3 and the warehouse are mocked here
(`demo_flows.testing.offline_mocks`, built on the tasks' own pure functions);
test_vendor_ingest_services.py runs it unmocked over real local services.
"""

from __future__ import annotations

from typing import Any

import pytest

from demo_flows.tasks.reporting import build_report
from demo_flows.testing import DROP, offline_mocks
from flowtasks import TaskError
from flowtasks.local.clock import FakeClock
from flowtasks.testing import FlowRunner, run_flow

VALID = ("orders-1.csv", "id,amount\n1,10.50\n2,3.25\n")
WRONG_COLUMNS = ("orders-2.csv", "id,price\n1,2\n")
NOT_CSV = ("readme.txt", "hello")
PARTIAL = ("orders-3.csv.partial", "")


def offline(*files: tuple[str, str]) -> dict[str, Any]:
    """`offline_mocks` of an outbox holding `files`."""
    return offline_mocks(dict(files))


# ---------------------------------------------------------------------------- VendorIngest


def test_vendor_ingest_loads_valid_files_and_rejects_invalid_ones(flow_runner: FlowRunner) -> None:
    run = flow_runner.run("demo.VendorIngest", DROP, mocks=offline(VALID, WRONG_COLUMNS, NOT_CSV))
    run.assert_succeeded(
        {
            "vendor": "acme",
            "loaded": 1,
            "rejected": 1,
            "rows": 2,
            "total_amount": 13.75,
            "export": {"s3_uri": DROP["report"], "rows": 1, "bytes": 0},
        }
    )
    run.assert_visited("ListFiles", "AnyFiles", "PrepareTable", "FetchFiles", "ProcessFiles")
    run.assert_visited("Summarise", "ExportTotals")
    assert run.visits("ValidateFile") == 2
    assert run.visits("LoadFile") == 1
    rejected = run.state_output("RejectFile")
    assert rejected["file"] == "/outbox/orders-2.csv"
    assert rejected["status"] == "rejected"
    assert "missing column(s) amount" in rejected["reason"]
    assert run.state_output("ListFiles")["count"] == 2
    # FetchFiles' records reach the Map; PrepareTable's result is discarded (ResultPath null)
    # Map iterations run on threads: the calls come in either order
    assert sorted(c["file"]["s3_uri"] for c in run.calls("ValidateFile")) == [
        "s3://flowtasks-dev/landing/acme/orders-1.csv",
        "s3://flowtasks-dev/landing/acme/orders-2.csv",
    ]
    assert "statements" not in run.state_output("PrepareTable")


def test_vendor_ingest_with_nothing_to_load_stops_early() -> None:
    run = run_flow("demo.VendorIngest", DROP, mocks=offline(NOT_CSV))
    run.assert_succeeded().assert_path("ListFiles", "AnyFiles", "NothingToLoad")
    run.assert_not_visited("PrepareTable")


def test_a_vendor_still_uploading_is_retried_then_loaded() -> None:
    mocks = offline(VALID)
    mocks["ListFiles"] = [TaskError("VendorNotReady", "upload in progress"), mocks["ListFiles"]]
    run = run_flow("demo.VendorIngest", DROP, mocks=mocks)
    run.assert_succeeded().assert_retries("ListFiles", 1)
    assert run.attempt_errors("ListFiles") == [("VendorNotReady", "upload in progress")]
    assert run.output["loaded"] == 1


def test_a_vendor_never_ready_fails_after_five_retries_spaced_by_the_backoff() -> None:
    clock = FakeClock()
    run = run_flow(
        "demo.VendorIngest", DROP, mocks=offline(VALID, PARTIAL), skip_waits=False, clock=clock
    )
    run.assert_failed("VendorNotReady").assert_retries("ListFiles", 5)
    assert run.failed_state == "ListFiles"
    # Retry(interval_seconds=60, backoff_rate=1.5, max_attempts=5)
    assert clock.sleeps == pytest.approx([60, 90, 135, 202.5, 303.75])


def test_a_dropped_warehouse_connection_is_retried_then_a_lasting_one_fails_the_ingest() -> None:
    mocks = offline(VALID)
    load = mocks["LoadFile"]
    mocks["LoadFile"] = [TaskError("RedshiftConnectionError", "connection lost"), load]
    run_flow("demo.VendorIngest", DROP, mocks=mocks).assert_succeeded().assert_retries(
        "LoadFile", 1
    )
    mocks["LoadFile"] = TaskError("RedshiftConnectionError", "connection refused")
    run = run_flow("demo.VendorIngest", DROP, mocks=mocks)
    run.assert_failed("RedshiftConnectionError").assert_retries("LoadFile", 3)
    run.assert_not_visited("Summarise")


def test_a_sql_error_while_loading_is_not_retried() -> None:
    mocks = offline(VALID)
    mocks["LoadFile"] = TaskError("RedshiftSqlError", "permission denied for table")
    run = run_flow("demo.VendorIngest", DROP, mocks=mocks)
    run.assert_failed("RedshiftSqlError", "permission denied for table")
    assert run.retries("LoadFile") == 0


def test_a_transient_sftp_failure_is_retried() -> None:
    mocks = offline(VALID)
    mocks["FetchFiles"] = [TaskError("SftpTransientError", "connection reset"), mocks["FetchFiles"]]
    run = run_flow("demo.VendorIngest", DROP, mocks=mocks)
    run.assert_succeeded().assert_retries("FetchFiles", 1)


# ---------------------------------------------------------------------------- DailyReport

DAY = {
    "date": "2024-05-01",
    "orders": [
        {"region": "eu", "amount": 12.5},
        {"region": "us", "amount": 7.25},
        {"region": "eu", "amount": 1},
    ],
}


def test_daily_report_gathers_metrics_in_parallel_then_builds_the_report() -> None:
    run = run_flow("demo.DailyReport", DAY)
    run.assert_succeeded({"date": "2024-05-01", "orders": 3, "revenue": {"eu": 13.5, "us": 7.25}})
    run.assert_visited("SettleLateData", "GatherMetrics", "BuildReport")
    assert run.state_output("CountOrders") == {"orders": 3}
    assert run.state_output("GatherMetrics")["metrics"] == [
        {"orders": 3},
        {"revenue": {"eu": 13.5, "us": 7.25}},
    ]


def test_daily_report_waits_for_late_data_before_anything_else() -> None:
    clock = FakeClock()
    run = run_flow("demo.DailyReport", DAY, skip_waits=False, clock=clock)
    run.assert_succeeded()
    assert clock.sleeps == [60]
    assert run.path[0] == "SettleLateData"


def test_a_transient_error_in_build_report_is_retried() -> None:
    run = run_flow(
        "demo.DailyReport",
        DAY,
        mocks={"BuildReport": [TimeoutError("warehouse slow"), build_report.call]},
    )
    run.assert_succeeded().assert_retries("BuildReport", 1)
    assert run.attempt_errors("BuildReport") == [("TimeoutError", "warehouse slow")]


def test_a_report_too_large_fails_the_run_with_its_error() -> None:
    regions = {f"r{i}": 1.0 for i in range(51)}
    run = run_flow("demo.DailyReport", DAY, mocks={"RevenueByRegion": {"revenue": regions}})
    run.assert_failed("ReportTooLarge", "51 regions, at most 50")
    run.assert_visited("BuildReport", "ReportFailed")
    assert run.retries("BuildReport") == 0
