"""Distributed Map configuration objects, shaped as in the AWS guide "Using Map state in
Distributed mode" (ItemReader: s3:getObject with ReaderConfig.InputType CSV/JSON/JSONL/MANIFEST,
s3:listObjectsV2 for a prefix; ItemBatcher; ResultWriter: s3:putObject)."""

from __future__ import annotations

from flowtasks import DistributedMap, ItemBatcher, Map, Pass, ResultWriter, S3Items


def test_csv_reader_with_header_row_or_given_headers() -> None:
    assert S3Items(bucket="b", key="k.csv", kind="csv", csv_delimiter="PIPE").to_asl() == {
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "b", "Key": "k.csv"},
        "ReaderConfig": {
            "InputType": "CSV",
            "CSVHeaderLocation": "FIRST_ROW",
            "CSVDelimiter": "PIPE",
        },
    }
    given = S3Items(bucket="b", key="k.csv", kind="csv", csv_headers=["a", "b"]).to_asl()
    assert given["ReaderConfig"] == {
        "InputType": "CSV",
        "CSVHeaderLocation": "GIVEN",
        "CSVHeaders": ["a", "b"],
    }


def test_json_jsonl_manifest_readers_and_paths_from_the_input() -> None:
    for kind in ("json", "jsonl", "manifest"):
        reader = S3Items(bucket="$.bucket", key="$.key", kind=kind, max_items=7).to_asl()  # type: ignore[arg-type]
        assert reader == {
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket.$": "$.bucket", "Key.$": "$.key"},
            "ReaderConfig": {"InputType": kind.upper(), "MaxItems": 7},
        }


def test_prefix_listing_reader() -> None:
    assert S3Items(bucket="b", kind="prefix", prefix="in/").to_asl() == {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "b", "Prefix": "in/"},
    }


def test_batcher_and_writer() -> None:
    batcher = ItemBatcher(
        max_items_per_batch=10, max_input_bytes_per_batch=1024, batch_input={"a": 1}
    )
    assert batcher.to_asl() == {
        "MaxItemsPerBatch": 10,
        "MaxInputBytesPerBatch": 1024,
        "BatchInput": {"a": 1},
    }
    assert ResultWriter(bucket="out", prefix="runs/").to_asl() == {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "out", "Prefix": "runs/"},
    }


def test_distributed_map_fields_and_defaults() -> None:
    state = DistributedMap(
        "D",
        Pass("I"),
        reader=S3Items(bucket="b", key="k"),
        batcher=ItemBatcher(max_items_per_batch=5),
        result_writer=ResultWriter(bucket="o"),
        label="lbl",
    )
    assert state.distributed
    assert not Map("M", Pass("J")).distributed
    assert state.processor_config() == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    fields = state.asl_fields()
    assert fields["ItemReader"]["ReaderConfig"] == {"InputType": "JSON"}
    assert fields["ItemBatcher"] == {"MaxItemsPerBatch": 5}
    assert fields["ResultWriter"]["Parameters"] == {"Bucket": "o"}
    assert fields["Label"] == "lbl"
