"""The demo domain's flows, one file a flow."""

from demo_flows.flows.daily_report import daily_report
from demo_flows.flows.nightly import nightly
from demo_flows.flows.upload_audit import upload_audit
from demo_flows.flows.vendor_ingest import vendor_ingest

__all__ = ["daily_report", "nightly", "upload_audit", "vendor_ingest"]
