"""ItemReader for a Distributed Map: read the items from Amazon S3 through boto3.

https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html:
``arn:aws:states:::s3:getObject`` with ReaderConfig.InputType CSV (CSVHeaderLocation FIRST_ROW
or GIVEN with CSVHeaders; CSVDelimiter), JSON (an array), JSONL (one value a line) or MANIFEST
(an S3 Inventory manifest.json: one item per object of its CSV files); and
``arn:aws:states:::s3:listObjectsV2`` (one item per object: Etag, Key, LastModified, Size,
StorageClass). ReaderConfig.MaxItems / MaxItemsPath bounds the number of items. Failures are
``States.ItemReaderFailed``. boto3 is imported only here, when a reader runs, and follows
``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3`` like every boto3 client.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Mapping
from typing import Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure

__all__ = ["read_items", "s3_client"]

_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def s3_client() -> Any:
    """A boto3 S3 client (imported lazily: CLI start-up time matters)."""
    import boto3

    return boto3.client("s3")


def read_items(
    reader: Mapping[str, Any], parameters: Mapping[str, Any], max_items: int
) -> list[Any]:
    """The items an ItemReader yields (`parameters` evaluated); at most `max_items` (0: all)."""
    resource = str(reader.get("Resource", ""))
    config = reader.get("ReaderConfig") or {}
    try:
        client = s3_client()
        if resource.endswith("s3:listObjectsV2"):
            items = _list_objects(client, parameters, max_items)
        elif resource.endswith("s3:getObject"):
            items = _get_object_items(client, parameters, config)
        else:
            raise StatesFailure(
                StatesErrorName.ITEM_READER_FAILED,
                f"ItemReader Resource {resource!r} is not supported.",
            )
    except StatesFailure:
        raise
    except Exception as exc:
        raise StatesFailure(
            StatesErrorName.ITEM_READER_FAILED, f"{type(exc).__name__}: {exc}"
        ) from exc
    return items[:max_items] if max_items else items


def _list_objects(client: Any, parameters: Mapping[str, Any], max_items: int) -> list[Any]:
    kwargs = {key: value for key, value in parameters.items() if key != "ContinuationToken"}
    items: list[Any] = []
    for page in client.get_paginator("list_objects_v2").paginate(**kwargs):
        for obj in page.get("Contents", ()):
            items.append(
                {
                    "Etag": obj.get("ETag"),
                    "Key": obj["Key"],
                    "LastModified": int(obj["LastModified"].timestamp()),
                    "Size": obj.get("Size"),
                    "StorageClass": obj.get("StorageClass", "STANDARD"),
                }
            )
            if max_items and len(items) >= max_items:
                return items
    return items


def _get_text(client: Any, bucket: str, key: str, extra: Mapping[str, Any] | None = None) -> bytes:
    response = client.get_object(Bucket=bucket, Key=key, **dict(extra or {}))
    body: bytes = response["Body"].read()
    return body


def _get_object_items(
    client: Any, parameters: Mapping[str, Any], config: Mapping[str, Any]
) -> list[Any]:
    extra = {k: v for k, v in parameters.items() if k not in ("Bucket", "Key")}
    raw = _get_text(client, parameters["Bucket"], parameters["Key"], extra)
    input_type = config.get("InputType", "JSON")
    if input_type == "JSON":
        items = json.loads(raw)
        if not isinstance(items, list):
            raise StatesFailure(
                StatesErrorName.ITEM_READER_FAILED,
                f"s3://{parameters['Bucket']}/{parameters['Key']} does not hold a JSON array.",
            )
        return items
    if input_type == "JSONL":
        return [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    if input_type == "CSV":
        return _csv_items(raw.decode("utf-8-sig"), config)
    if input_type == "MANIFEST":
        return _manifest_items(client, json.loads(raw))
    raise StatesFailure(
        StatesErrorName.ITEM_READER_FAILED, f"InputType {input_type!r} is not supported."
    )


def _csv_items(text: str, config: Mapping[str, Any]) -> list[Any]:
    delimiter = _DELIMITERS.get(str(config.get("CSVDelimiter", "COMMA")), ",")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = list(config.get("CSVHeaders") or [])
    else:
        if not rows:
            return []
        headers, rows = rows[0], rows[1:]
    items = []
    for row in rows:
        if not row:
            continue
        if len(row) > len(headers):
            raise StatesFailure(
                StatesErrorName.ITEM_READER_FAILED,
                f"a CSV row has {len(row)} fields but there are {len(headers)} headers",
            )
        items.append(dict(zip(headers, row + [""] * (len(headers) - len(row)), strict=True)))
    return items


def _manifest_items(client: Any, manifest: Mapping[str, Any]) -> list[Any]:
    fields = [name.strip() for name in str(manifest.get("fileSchema", "Bucket, Key")).split(",")]
    bucket = str(manifest.get("destinationBucket", "")).removeprefix("arn:aws:s3:::")
    items: list[Any] = []
    for entry in manifest.get("files") or ():
        raw = _get_text(client, bucket, entry["key"])
        if entry["key"].endswith(".gz") or raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        for row in csv.reader(io.StringIO(raw.decode("utf-8"))):
            if row:
                items.append(dict(zip(fields, row, strict=False)))
    return items
