"""DailyReport: wait for late data, compute the day's metrics in parallel, build the report.

SettleLateData (Wait) -> GatherMetrics (Parallel: CountOrders | RevenueByRegion) -> BuildReport
(retried on transient errors; a report that cannot be built fails the run with ReportFailed).
"""

from demo_flows.tasks.reporting import (
    ReportTooLarge,
    build_report,
    count_orders,
    revenue_by_region,
)
from flowtasks import Catch, Fail, Flow, Parallel, Retry, Wait

report_failed = Fail("ReportFailed", error_path="$.error.Error", cause_path="$.error.Cause")

daily_report = Flow(
    "DailyReport",
    Wait("SettleLateData", seconds=60)
    >> Parallel(
        "GatherMetrics",
        [count_orders, revenue_by_region],
        result_path="$.metrics",
    )
    >> build_report.with_(
        retry=Retry([TimeoutError, ConnectionError], interval_seconds=5, max_attempts=2),
        catch=[
            Catch([ReportTooLarge], next=report_failed, result_path="$.error"),
            Catch(["States.ALL"], next=report_failed, result_path="$.error"),
        ],
    ),
    description="The day's order count and revenue by region, as one report.",
    timeout_seconds=3600,
)
