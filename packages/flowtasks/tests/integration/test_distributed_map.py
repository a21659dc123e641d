"""Distributed Map run locally against S3 (moto server on 127.0.0.1).

https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from flowtasks.errors import TaskError
from flowtasks.local import run

pytestmark = pytest.mark.integration

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def dmap(item_reader: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {"Work": {"Type": "Pass", "End": True}},
        },
        "End": True,
        **fields,
    }
    if item_reader is not None:
        state["ItemReader"] = item_reader
    return {"StartAt": "Map", "States": {"Map": state}}


def test_csv_first_row_header(s3: tuple[Any, str]) -> None:
    # itemreader: CSV with CSVHeaderLocation FIRST_ROW -> one object per row, values strings.
    client, bucket = s3
    client.put_object(Bucket=bucket, Key="in/data.csv", Body=b"id,name\n1,ann\n2,bob\n")
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Parameters": {"Bucket": bucket, "Key.$": "$.key"},
    }
    execution = run(dmap(reader), {"key": "in/data.csv"})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == [{"id": "1", "name": "ann"}, {"id": "2", "name": "bob"}]
    types = [e["type"] for e in execution.history]
    assert "MapRunStarted" in types
    assert "MapRunSucceeded" in types
    assert len(execution.children) == 2
    assert all(child["status"] == "SUCCEEDED" for child in execution.children)


def test_csv_given_headers_and_max_items(s3: tuple[Any, str]) -> None:
    client, bucket = s3
    client.put_object(Bucket=bucket, Key="d.csv", Body=b"1,a\n2,b\n3,c\n")
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {
            "InputType": "CSV",
            "CSVHeaderLocation": "GIVEN",
            "CSVHeaders": ["n", "letter"],
            "MaxItems": 2,
        },
        "Parameters": {"Bucket": bucket, "Key": "d.csv"},
    }
    execution = run(dmap(reader))
    assert execution.output == [{"n": "1", "letter": "a"}, {"n": "2", "letter": "b"}]


def test_json_and_jsonl(s3: tuple[Any, str]) -> None:
    client, bucket = s3
    client.put_object(Bucket=bucket, Key="a.json", Body=json.dumps([{"v": 1}, {"v": 2}]).encode())
    client.put_object(Bucket=bucket, Key="a.jsonl", Body=b'{"v": 3}\n{"v": 4}\n')
    for key, kind, expected in (("a.json", "JSON", [1, 2]), ("a.jsonl", "JSONL", [3, 4])):
        reader = {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": kind},
            "Parameters": {"Bucket": bucket, "Key": key},
        }
        execution = run(dmap(reader, ItemSelector={"value.$": "$$.Map.Item.Value.v"}))
        assert execution.output == [{"value": v} for v in expected]


def test_manifest(s3: tuple[Any, str]) -> None:
    # An S3 Inventory manifest: items are the objects its (gzipped CSV) files list.
    client, bucket = s3
    client.put_object(
        Bucket=bucket, Key="inv/data.csv.gz", Body=gzip.compress(b'"b1","k1"\n"b1","k2"\n')
    )
    manifest = {
        "sourceBucket": "b1",
        "destinationBucket": f"arn:aws:s3:::{bucket}",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key",
        "files": [{"key": "inv/data.csv.gz"}],
    }
    client.put_object(Bucket=bucket, Key="inv/manifest.json", Body=json.dumps(manifest).encode())
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "MANIFEST"},
        "Parameters": {"Bucket": bucket, "Key": "inv/manifest.json"},
    }
    execution = run(dmap(reader))
    assert execution.output == [{"Bucket": "b1", "Key": "k1"}, {"Bucket": "b1", "Key": "k2"}]


def test_list_objects_v2(s3: tuple[Any, str]) -> None:
    # itemreader: s3:listObjectsV2 -> one item per object with Etag, Key, LastModified, Size,
    # StorageClass.
    client, bucket = s3
    for key in ("p/a.txt", "p/b.txt", "other/c.txt"):
        client.put_object(Bucket=bucket, Key=key, Body=b"xyz")
    reader = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": bucket, "Prefix": "p/"},
    }
    execution = run(dmap(reader))
    assert [item["Key"] for item in execution.output] == ["p/a.txt", "p/b.txt"]
    assert set(execution.output[0]) == {"Etag", "Key", "LastModified", "Size", "StorageClass"}
    assert execution.output[0]["Size"] == 3


def test_item_batcher(s3: tuple[Any, str]) -> None:
    # itembatcher: each child gets {"BatchInput": ..., "Items": [...]}, at most
    # MaxItemsPerBatch items.
    definition = dmap(
        ItemsPath="$.items",
        ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"run.$": "$.run"}},
    )
    execution = run(definition, {"items": [1, 2, 3, 4, 5], "run": "r1"})
    assert execution.output == [
        {"BatchInput": {"run": "r1"}, "Items": [1, 2]},
        {"BatchInput": {"run": "r1"}, "Items": [3, 4]},
        {"BatchInput": {"run": "r1"}, "Items": [5]},
    ]


def test_tolerated_failures_and_result_writer(s3: tuple[Any, str]) -> None:
    # resultwriter: <Prefix>/<map run id>/manifest.json lists SUCCEEDED_n.json / FAILED_n.json;
    # the state's output is {"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}.
    client, bucket = s3

    def work(item: Any) -> Any:
        if item == 3:
            raise TaskError("Three", "no threes")
        return item * 10

    definition = dmap(
        ItemsPath="$",
        ToleratedFailureCount=1,
        ResultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": bucket, "Prefix": "results"},
        },
    )
    definition["States"]["Map"]["ItemProcessor"]["States"]["Work"] = {
        "Type": "Task",
        "Resource": LAMBDA,
        "End": True,
    }
    execution = run(definition, [1, 2, 3], handlers={"Work": work})
    assert execution.status == "SUCCEEDED", execution.cause
    details = execution.output["ResultWriterDetails"]
    assert execution.output["MapRunArn"].split(":")[5] == "mapRun"
    assert details["Bucket"] == bucket
    assert details["Key"].startswith("results/")
    assert details["Key"].endswith("/manifest.json")
    manifest = json.loads(client.get_object(Bucket=bucket, Key=details["Key"])["Body"].read())
    assert manifest["DestinationBucket"] == bucket
    assert manifest["MapRunArn"] == execution.output["MapRunArn"]
    succeeded_key = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
    assert succeeded_key.endswith("/SUCCEEDED_0.json")
    succeeded = json.loads(client.get_object(Bucket=bucket, Key=succeeded_key)["Body"].read())
    assert sorted(json.loads(r["Output"]) for r in succeeded) == [10, 20]
    assert {r["Status"] for r in succeeded} == {"SUCCEEDED"}
    failed_key = manifest["ResultFiles"]["FAILED"][0]["Key"]
    failed = json.loads(client.get_object(Bucket=bucket, Key=failed_key)["Body"].read())
    assert failed[0]["Error"] == "Three"
    assert failed[0]["Status"] == "FAILED"

    strict = dmap(ItemsPath="$")
    strict["States"]["Map"]["ItemProcessor"]["States"]["Work"] = {
        "Type": "Task",
        "Resource": LAMBDA,
        "End": True,
    }
    failed_run = run(strict, [1, 3], handlers={"Work": work})
    assert failed_run.error == "States.ExceedToleratedFailureThreshold"
    assert "MapRunFailed" in [e["type"] for e in failed_run.history]


def test_missing_object_is_item_reader_failure(s3: tuple[Any, str]) -> None:
    _, bucket = s3
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Parameters": {"Bucket": bucket, "Key": "nope.json"},
    }
    execution = run(dmap(reader))
    assert execution.error == "States.ItemReaderFailed"


def test_redrive_reruns_only_failed_child_executions(s3: tuple[Any, str]) -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/redrive-map-run.html: redriving the
    # parent redrives the unsuccessful child workflow executions of the Map Run.
    from flowtasks.local import redrive

    calls: list[int] = []
    broken = {2}

    def work(item: Any) -> Any:
        calls.append(item)
        if item in broken:
            raise TaskError("Broken", str(item))
        return item

    definition = dmap(ItemsPath="$", MaxConcurrency=1)
    definition["States"]["Map"]["ItemProcessor"]["States"]["Work"] = {
        "Type": "Task",
        "Resource": LAMBDA,
        "End": True,
    }
    failed = run(definition, [1, 2, 3], handlers={"Work": work})
    assert failed.error == "States.ExceedToleratedFailureThreshold"
    broken.clear()
    calls.clear()
    again = redrive(failed, handlers={"Work": work})
    assert again.status == "SUCCEEDED", again.cause
    assert again.output == [1, 2, 3]
    assert 2 in calls
    assert 1 not in calls


def test_items_are_streamed_and_reading_stops_at_max_items(s3: tuple[Any, str]) -> None:
    # JSONL and CSV objects are read line by line: what lies past MaxItems is never parsed
    # (here it is not even valid), and memory holds the items, not the whole object.
    client, bucket = s3
    client.put_object(
        Bucket=bucket, Key="big.jsonl", Body=b'{"n": 1}\n{"n": 2}\n' + b"{bad\n" * 1000
    )
    client.put_object(
        Bucket=bucket, Key="big.csv", Body=b"\xef\xbb\xbfa,b\n1,2\n" + b"1,2,3,4\n" * 1000
    )
    for key, input_type, first in (
        ("big.jsonl", "JSONL", {"n": 1}),
        ("big.csv", "CSV", {"a": "1", "b": "2"}),
    ):
        reader = {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": input_type, "MaxItems": 1},
            "Parameters": {"Bucket": bucket, "Key": key},
        }
        execution = run(dmap(reader))
        assert (execution.status, execution.output) == ("SUCCEEDED", [first]), execution.cause


def test_a_gzipped_manifest_file_is_found_by_its_content(s3: tuple[Any, str]) -> None:
    client, bucket = s3
    client.put_object(Bucket=bucket, Key="inv/zipped", Body=gzip.compress(b'"b1","k1"\n'))
    client.put_object(Bucket=bucket, Key="inv/plain.csv", Body=b'"b1","k2"')
    manifest = {
        "destinationBucket": f"arn:aws:s3:::{bucket}",
        "fileSchema": "Bucket, Key",
        "files": [{"key": "inv/zipped"}, {"key": "inv/plain.csv"}],
    }
    client.put_object(Bucket=bucket, Key="inv/m.json", Body=json.dumps(manifest).encode())
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "MANIFEST"},
        "Parameters": {"Bucket": bucket, "Key": "inv/m.json"},
    }
    execution = run(dmap(reader))
    assert execution.output == [{"Bucket": "b1", "Key": "k1"}, {"Bucket": "b1", "Key": "k2"}]
