"""Nightly: every night at 02:00 Berlin time, build the day's report as a child flow.

Plan (the report's date from the schedule's time) -> Report (starts demo.DailyReport and waits
for it: a child execution) -> AnnounceDone (starts demo.UploadAudit without waiting).
Triggers: a schedule (EventBridge Scheduler) and manual starts.
"""

from demo_flows.flows.daily_report import daily_report
from flowtasks import Flow, Manual, Pass, Schedule, StartFlow

nightly = Flow(
    "Nightly",
    Pass(
        "Plan",
        parameters={
            "date.$": "States.ArrayGetItem(States.StringSplit($.scheduled_time, 'T'), 0)",
            "orders": [],
        },
    )
    >> StartFlow(
        "Report",
        daily_report,
        input={"date.$": "$.date", "orders.$": "$.orders"},
        result_selector={"report.$": "$.Output", "execution.$": "$.ExecutionArn"},
    )
    >> StartFlow(
        "AnnounceDone",
        "demo.UploadAudit",
        wait=False,
        input={"execution_arn.$": "$.execution", "state_machine_arn": "", "output": "{}"},
        result_path=None,
    ),
    description="Every night: the day's report, built by the DailyReport flow.",
    timeout_seconds=2 * 3600,
    triggers=[
        Schedule.cron("0 2 * * ? *", timezone="Europe/Berlin"),
        Manual(example={"scheduled_time": "2026-01-01T02:00:00Z"}),
    ],
)
