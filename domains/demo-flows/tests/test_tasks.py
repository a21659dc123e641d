"""The demo tasks behave as a domain team would test them: plain calls and `.call` as the runner."""

from __future__ import annotations

import pytest

from demo_flows.tasks.reporting import (
    MAX_REGIONS,
    ReportTooLarge,
    build_report,
    count_orders,
    revenue_by_region,
)
from demo_flows.tasks.vendor import (
    IngestSummary,
    InvalidFile,
    VendorNotReady,
    csv_names,
    load_record,
    parse_orders,
    summarise,
)


def test_csv_names_keeps_only_csv_files_sorted() -> None:
    assert csv_names(["b.csv", "readme.txt", "a.csv"]) == ["a.csv", "b.csv"]


def test_csv_names_raises_while_an_upload_is_partial() -> None:
    with pytest.raises(VendorNotReady, match=r"orders-2\.csv\.partial"):
        csv_names(["orders-1.csv", "orders-2.csv.partial"])


def test_parse_then_record_a_good_file() -> None:
    rows = parse_orders("orders-1.csv", "id,amount\n1,10.50\n2,0.25\n")
    assert rows == [{"id": "1", "amount": "10.50"}, {"id": "2", "amount": "0.25"}]
    assert load_record("orders-1.csv", rows) == {
        "file": "orders-1.csv",
        "status": "loaded",
        "rows": 2,
        "total_cents": 1075,
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [("id,price\n1,2\n", "missing column"), ("id,amount\n1,abc\n", "line 2: bad amount")],
)
def test_parse_rejects_bad_files(content: str, message: str) -> None:
    with pytest.raises(InvalidFile, match=message):
        parse_orders("bad.csv", content)


def test_summarise_returns_a_typed_summary_and_call_gives_json() -> None:
    run = {
        "vendor": "acme",
        "results": [
            {"file": "a.csv", "status": "loaded", "rows": 2, "total_cents": 1075},
            {"file": "b.csv", "status": "rejected", "reason": "bad"},
        ],
    }
    assert summarise(run) == IngestSummary("acme", 1, 1, 2, 10.75)
    assert summarise.call(run) == {
        "vendor": "acme",
        "loaded": 1,
        "rejected": 1,
        "rows": 2,
        "total_amount": 10.75,
    }


def test_metrics_read_typed_input_and_ignore_other_keys() -> None:
    day = {
        "date": "2026-01-02",
        "orders": [{"region": "eu", "amount": 1.5}, {"region": "us", "amount": 2}],
        "extra": True,
    }
    assert count_orders.call(day) == {"orders": 2}
    assert revenue_by_region.call(day) == {"revenue": {"eu": 1.5, "us": 2.0}}


def test_build_report_merges_branch_results_and_refuses_too_many_regions() -> None:
    metrics = [{"orders": 2}, {"revenue": {"eu": 1.5}}]
    assert build_report({"date": "d", "metrics": metrics}) == {
        "date": "d",
        "orders": 2,
        "revenue": {"eu": 1.5},
    }
    regions = {f"r{i}": 1.0 for i in range(MAX_REGIONS + 1)}
    with pytest.raises(ReportTooLarge):
        build_report({"date": "d", "metrics": [{"revenue": regions}]})
