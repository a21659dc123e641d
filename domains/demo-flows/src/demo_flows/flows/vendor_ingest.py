"""VendorIngest: take a vendor's file drop, load every valid CSV file, report what happened.

ListFiles (retried while the vendor is still uploading) -> AnyFiles? -> ProcessFiles (a Map:
validate then transform each file; an invalid file is marked rejected, not fatal) -> Summarise.
"""

from demo_flows.tasks.vendor import (
    InvalidFile,
    VendorNotReady,
    list_files,
    summarise,
    transform_file,
    validate_file,
)
from flowtasks import Catch, Choice, Flow, Map, Pass, Retry, Succeed, Var

reject_file = Pass(
    "RejectFile",
    parameters={"file.$": "$.file.name", "status": "rejected", "reason.$": "$.error.Cause"},
)

process_files = Map(
    "ProcessFiles",
    validate_file.with_(
        catch=Catch([InvalidFile], next=reject_file, result_path="$.error"),
    )
    >> transform_file,
    items_path="$.files",
    item_selector={"vendor.$": "$.vendor", "file.$": "$$.Map.Item.Value"},
    max_concurrency=4,
    result_path="$.results",
)

vendor_ingest = Flow(
    "VendorIngest",
    list_files.with_(
        retry=Retry([VendorNotReady], interval_seconds=60, max_attempts=5, backoff_rate=1.5),
    )
    >> Choice("AnyFiles")
    .when(Var("$.count").numeric_equals(0), Succeed("NothingToLoad"))
    .otherwise(process_files >> summarise),
    description="Load a vendor's CSV file drop; invalid files are rejected, the rest loaded.",
    timeout_seconds=6 * 3600,
)
