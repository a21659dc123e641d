"""UploadAudit: record what arrived, whether a vendor file landed or an ingest succeeded.

Triggers: an object created under ``vendor/`` (``.csv``) in the landing bucket of the
environment (an EventBridge rule on S3 events), and every successful demo.VendorIngest.
"""

from demo_flows.flows.vendor_ingest import vendor_ingest
from flowtasks import Choice, Flow, OnSuccess, Pass, S3ObjectCreated, Var

upload_audit = Flow(
    "UploadAudit",
    Choice("WhatHappened")
    .when(
        Var("$.bucket").is_present(),
        Pass(
            "RecordUpload",
            parameters={
                "event": "upload",
                "object.$": "States.Format('s3://{}/{}', $.bucket, $.key)",
                "size.$": "$.size",
            },
        ),
    )
    .otherwise(
        Pass("RecordIngest", parameters={"event": "ingest", "execution.$": "$.execution_arn"})
    ),
    description="Records each vendor upload and each successful ingest.",
    triggers=[
        S3ObjectCreated(
            "acme-landing-{env}", prefix="vendor/", suffix=".csv", name="vendor-upload"
        ),
        OnSuccess(vendor_ingest),
    ],
)
