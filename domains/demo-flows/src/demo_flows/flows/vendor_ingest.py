"""VendorIngest: fetch a vendor's CSV files from SFTP to S3, check and load each into the
warehouse, then export the warehouse's totals back to S3.

ListFiles (retried while the vendor is still uploading) -> AnyFiles? -> PrepareTable ->
FetchFiles (SFTP -> S3, files then archived on the server) -> ProcessFiles (a Map: validate then
load each file; an invalid file is marked rejected, not fatal) -> Summarise -> ExportTotals.

Input: ``{"vendor": "acme", "landing": "s3://bucket/landing/acme/",
"report": "s3://bucket/reports/totals.csv"}``. Connections: ``vendor`` (SFTP), ``warehouse``
(Redshift); ``flow-task dev up`` runs both locally.
"""

from demo_flows.tasks.vendor import (
    CREATE_TABLE,
    OUTBOX,
    TOTALS_SQL,
    VENDOR,
    WAREHOUSE,
    InvalidFile,
    VendorNotReady,
    list_files,
    load_file,
    summarise,
    validate_file,
)
from flowtasks import Catch, Choice, Flow, Map, Pass, Permission, Retry, Succeed, Var
from flowtasks.tasks import redshift, sftp
from flowtasks.tasks.redshift import RedshiftConnectionError
from flowtasks.tasks.sftp import SftpTransientError

DATA = Permission(
    ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
    "arn:aws:s3:::acme-flows-data-{env}/*",
)
"""In AWS the landing and report URIs point into the environment's data bucket: the tasks that
read or write them declare it, and the stack grants it to the task role."""

reject_file = Pass(
    "RejectFile",
    parameters={"file.$": "$.file.source", "status": "rejected", "reason.$": "$.error.Cause"},
)

process_files = Map(
    "ProcessFiles",
    validate_file.with_(
        catch=Catch([InvalidFile], next=reject_file, result_path="$.error"),
        permissions=[DATA],
    )
    >> load_file.with_(
        retry=Retry([RedshiftConnectionError], interval_seconds=5, max_attempts=3),
        permissions=[DATA],
    ),
    items_path="$.fetched",
    item_selector={"vendor.$": "$.vendor", "file.$": "$$.Map.Item.Value"},
    max_concurrency=4,
    result_path="$.results",
)

prepare_table = redshift.execute_task(
    connection=WAREHOUSE, sql=CREATE_TABLE, name="PrepareTable", result_path=None
)

fetch_files = sftp.fetch_to_s3_task(
    connection=VENDOR,
    pattern=f"{OUTBOX}/*.csv",
    destination=Var("$.landing"),
    after="move:/archive",
    name="FetchFiles",
    result_path="$.fetched",
    retry=Retry([SftpTransientError], interval_seconds=10, max_attempts=3),
    permissions=[DATA],
)

export_totals = redshift.query_to_s3_task(
    connection=WAREHOUSE,
    sql=TOTALS_SQL,
    destination=Var("$.report"),
    name="ExportTotals",
    result_path="$.summary.export",
    output_path="$.summary",
    permissions=[DATA],
)

vendor_ingest = Flow(
    "VendorIngest",
    list_files.with_(
        retry=Retry([VendorNotReady], interval_seconds=60, max_attempts=5, backoff_rate=1.5),
    )
    >> Choice("AnyFiles")
    .when(Var("$.count").numeric_equals(0), Succeed("NothingToLoad"))
    .otherwise(
        prepare_table
        >> fetch_files
        >> process_files
        >> summarise.with_(result_path="$.summary")
        >> export_totals
    ),
    description="Load a vendor's CSV files from SFTP into the warehouse; export the totals.",
    timeout_seconds=6 * 3600,
)
