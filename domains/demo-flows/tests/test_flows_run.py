"""The demo flows run end to end on the local engine, with the testing helpers domain teams use.

Each test runs the compiled flow (what deploys) through `flowtasks.testing`: unmocked Task states
run their task functions in-process; mocked ones return what the test says. Retry timing follows
the AWS docs ("Handling errors in Step Functions workflows": the n-th retry waits
IntervalSeconds x BackoffRate^(n-1)), checked on a fake clock, without sleeping.
"""

from __future__ import annotations

from typing import Any

import pytest

from demo_flows.tasks.reporting import build_report
from demo_flows.tasks.vendor import list_files
from flowtasks import TaskError
from flowtasks.local.clock import FakeClock
from flowtasks.testing import FlowRunner, run_flow

VALID = {"name": "orders-1.csv", "content": "id,amount\n1,10.50\n2,3.25\n"}
WRONG_COLUMNS = {"name": "orders-2.csv", "content": "id,price\n1,2\n"}
NOT_CSV = {"name": "readme.txt", "content": "hello"}
PARTIAL = {"name": "orders-3.csv.partial", "content": ""}


def drop(*files: dict[str, str]) -> dict[str, Any]:
    return {"vendor": "acme", "files": list(files)}


# ---------------------------------------------------------------------------- VendorIngest


def test_vendor_ingest_loads_valid_files_and_rejects_invalid_ones(flow_runner: FlowRunner) -> None:
    run = flow_runner.run("demo.VendorIngest", drop(VALID, WRONG_COLUMNS, NOT_CSV))
    run.assert_succeeded(
        {"vendor": "acme", "loaded": 1, "rejected": 1, "rows": 2, "total_amount": 13.75}
    )
    run.assert_visited("ListFiles", "AnyFiles", "ProcessFiles", "Summarise")
    assert run.visits("ValidateFile") == 2
    assert run.visits("TransformFile") == 1
    rejected = run.state_output("RejectFile")
    assert rejected["file"] == "orders-2.csv"
    assert rejected["status"] == "rejected"
    assert "missing column(s) amount" in rejected["reason"]
    assert run.state_output("ListFiles")["count"] == 2


def test_vendor_ingest_with_nothing_to_load_stops_early() -> None:
    run = run_flow("demo.VendorIngest", drop(NOT_CSV))
    run.assert_succeeded().assert_path("ListFiles", "AnyFiles", "NothingToLoad")


def test_a_vendor_still_uploading_is_retried_then_loaded() -> None:
    run = run_flow(
        "demo.VendorIngest",
        drop(VALID),
        mocks={"ListFiles": [TaskError("VendorNotReady", "upload in progress"), list_files.call]},
    )
    run.assert_succeeded().assert_retries("ListFiles", 1)
    assert run.attempt_errors("ListFiles") == [("VendorNotReady", "upload in progress")]
    assert run.output["loaded"] == 1


def test_a_vendor_never_ready_fails_after_five_retries_spaced_by_the_backoff() -> None:
    clock = FakeClock()
    run = run_flow("demo.VendorIngest", drop(VALID, PARTIAL), skip_waits=False, clock=clock)
    run.assert_failed("VendorNotReady").assert_retries("ListFiles", 5)
    assert run.failed_state == "ListFiles"
    # Retry(interval_seconds=60, backoff_rate=1.5, max_attempts=5)
    assert clock.sleeps == pytest.approx([60, 90, 135, 202.5, 303.75])


def test_a_failing_transform_fails_the_whole_ingest() -> None:
    run = run_flow(
        "demo.VendorIngest",
        drop(VALID),
        mocks={"TransformFile": TaskError("Storage.Full", "no space left")},
    )
    run.assert_failed("Storage.Full", "no space left")
    run.assert_not_visited("Summarise")


def test_the_mock_sees_each_files_payload() -> None:
    run = run_flow(
        "demo.VendorIngest",
        drop(VALID, WRONG_COLUMNS),
        mocks={
            "ValidateFile": lambda item: {
                "vendor": item["vendor"],
                "file": item["file"]["name"],
                "rows": [],
            }
        },
    )
    run.assert_succeeded()
    seen = sorted(call["file"]["name"] for call in run.calls("ValidateFile"))
    assert seen == ["orders-1.csv", "orders-2.csv"]
    assert run.output["rows"] == 0


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
