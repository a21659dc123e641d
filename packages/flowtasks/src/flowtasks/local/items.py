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
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
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
    """The items an ItemReader yields (`parameters` evaluated); at most `max_items` (0: all).

    Objects are streamed: CSV, JSONL and manifest files are read line by line, and reading stops
    once `max_items` items are read, so memory holds the items, not the object (a JSON array is
    parsed whole: it is one value).
    """
    resource = str(reader.get("Resource", ""))
    config = reader.get("ReaderConfig") or {}
    try:
        client = s3_client()
        if resource.endswith("s3:listObjectsV2"):
            found: Iterable[Any] = _list_objects(client, parameters)
        elif resource.endswith("s3:getObject"):
            found = _get_object_items(client, parameters, config)
        else:
            raise StatesFailure(
                StatesErrorName.ITEM_READER_FAILED,
                f"ItemReader Resource {resource!r} is not supported.",
            )
        return list(itertools.islice(found, max_items or None))
    except StatesFailure:
        raise
    except Exception as exc:
        raise StatesFailure(
            StatesErrorName.ITEM_READER_FAILED, f"{type(exc).__name__}: {exc}"
        ) from exc


def _list_objects(client: Any, parameters: Mapping[str, Any]) -> Iterator[Any]:
    kwargs = {key: value for key, value in parameters.items() if key != "ContinuationToken"}
    for page in client.get_paginator("list_objects_v2").paginate(**kwargs):
        for obj in page.get("Contents", ()):
            yield {
                "Etag": obj.get("ETag"),
                "Key": obj["Key"],
                "LastModified": int(obj["LastModified"].timestamp()),
                "Size": obj.get("Size"),
                "StorageClass": obj.get("StorageClass", "STANDARD"),
            }


def _open(client: Any, bucket: str, key: str, extra: Mapping[str, Any] | None = None) -> Any:
    """The object's body: a file object read on demand (botocore's StreamingBody)."""
    return client.get_object(Bucket=bucket, Key=key, **dict(extra or {}))["Body"]


def _lines(body: Any, head: bytes = b"") -> Iterator[str]:
    """The text lines of a body (UTF-8, a leading byte order mark dropped), with their ends;
    `head`: bytes already read from it."""
    first = True
    for raw in body.iter_lines(keepends=True):
        line = (head + raw).decode("utf-8") if first else raw.decode("utf-8")
        if first:
            line, first = line.removeprefix("\ufeff"), False
        yield line
    if first and head:
        yield head.decode("utf-8")


class _Prefixed(io.RawIOBase):
    """A readable stream of `head`, then the rest of `body` (to unzip a peeked body)."""

    def __init__(self, head: bytes, body: Any) -> None:
        super().__init__()
        self._head = head
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wanted = len(buffer)
        data, self._head = self._head[:wanted], self._head[wanted:]
        if len(data) < wanted:
            data += self._body.read(wanted - len(data))
        buffer[: len(data)] = data
        return len(data)


def _get_object_items(
    client: Any, parameters: Mapping[str, Any], config: Mapping[str, Any]
) -> Iterator[Any]:
    extra = {k: v for k, v in parameters.items() if k not in ("Bucket", "Key")}
    body = _open(client, parameters["Bucket"], parameters["Key"], extra)
    input_type = config.get("InputType", "JSON")
    try:
        if input_type == "JSON":
            items = json.load(body)
            if not isinstance(items, list):
                raise StatesFailure(
                    StatesErrorName.ITEM_READER_FAILED,
                    f"s3://{parameters['Bucket']}/{parameters['Key']} does not hold a JSON array.",
                )
            yield from items
        elif input_type == "JSONL":
            yield from (json.loads(line) for line in _lines(body) if line.strip())
        elif input_type == "CSV":
            yield from _csv_items(_lines(body), config)
        elif input_type == "MANIFEST":
            yield from _manifest_items(client, json.load(body))
        else:
            raise StatesFailure(
                StatesErrorName.ITEM_READER_FAILED, f"InputType {input_type!r} is not supported."
            )
    finally:
        body.close()


def _csv_items(lines: Iterable[str], config: Mapping[str, Any]) -> Iterator[Any]:
    delimiter = _DELIMITERS.get(str(config.get("CSVDelimiter", "COMMA")), ",")
    rows = csv.reader(lines, delimiter=delimiter)
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = list(config.get("CSVHeaders") or [])
    else:
        headers = next(rows, [])
        if not headers:
            return
    for row in rows:
        if not row:
            continue
        if len(row) > len(headers):
            raise StatesFailure(
                StatesErrorName.ITEM_READER_FAILED,
                f"a CSV row has {len(row)} fields but there are {len(headers)} headers",
            )
        yield dict(zip(headers, row + [""] * (len(headers) - len(row)), strict=True))


def _manifest_items(client: Any, manifest: Mapping[str, Any]) -> Iterator[Any]:
    fields = [name.strip() for name in str(manifest.get("fileSchema", "Bucket, Key")).split(",")]
    bucket = str(manifest.get("destinationBucket", "")).removeprefix("arn:aws:s3:::")
    for entry in manifest.get("files") or ():
        body = _open(client, bucket, entry["key"])
        try:
            head = body.read(2)
            text: Iterable[str]
            if entry["key"].endswith(".gz") or head == b"\x1f\x8b":
                unzipped = gzip.GzipFile(fileobj=io.BufferedReader(_Prefixed(head, body)))
                text = io.TextIOWrapper(unzipped, "utf-8")
            else:
                text = _lines(body, head)
            for row in csv.reader(text):
                if row:
                    yield dict(zip(fields, row, strict=False))
        finally:
            body.close()
