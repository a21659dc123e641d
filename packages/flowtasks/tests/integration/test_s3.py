"""flowtasks.tasks.s3 against a real moto server over HTTP."""

from __future__ import annotations

import gzip
import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from flowtasks.tasks import s3 as s3_lib  # the fixture `s3` is (client, bucket)
from flowtasks.tasks._s3_upload import MIN_PART_SIZE

MiB = 1024**2


def _uploads(client: Any, bucket: str) -> list[Any]:
    return list(client.list_multipart_uploads(Bucket=bucket).get("Uploads", []))


def test_text_round_trip_with_gzip_and_zstd_by_extension(s3: tuple[Any, str]) -> None:
    client, bucket = s3
    for name in ("rows.csv.gz", "rows.csv.zst", "rows.csv"):
        uri = f"s3://{bucket}/out/{name}"
        with s3_lib.open(uri, "w") as out:
            out.write("id,name\n")
            for i in range(1000):
                out.write(f"{i},name-{i}\n")
        rows = list(s3_lib.iter_csv(uri))
        assert len(rows) == 1000
        assert rows[7] == {"id": "7", "name": "name-7"}
    raw = client.get_object(Bucket=bucket, Key="out/rows.csv.gz")["Body"].read()
    assert gzip.decompress(raw).startswith(b"id,name\n0,name-0\n")
    zst = client.get_object(Bucket=bucket, Key="out/rows.csv.zst")["Body"].read()
    assert zst[:4] == b"\x28\xb5\x2f\xfd"  # the zstd frame magic


def test_jsonl_lines_and_range_reads(s3: tuple[Any, str]) -> None:
    _, bucket = s3
    uri = f"s3://{bucket}/events.jsonl"
    s3_lib.write_bytes(uri, b'{"a": 1}\n\n{"a": 2}\n')
    assert list(s3_lib.iter_jsonl(uri)) == [{"a": 1}, {"a": 2}]
    assert list(s3_lib.iter_lines(uri)) == ['{"a": 1}', "", '{"a": 2}']
    assert s3_lib.read_range(uri, 1, 3) == b'"a"'
    assert s3_lib.read_range(uri, 10) == b'{"a": 2}\n'
    s3_lib.write_bytes(f"s3://{bucket}/bad.jsonl", b'{"a": 1}\nnope\n')
    with pytest.raises(ValueError, match="line 2 is not JSON"):
        list(s3_lib.iter_jsonl(f"s3://{bucket}/bad.jsonl"))


def test_multipart_upload_streams_parts_and_reports_bytes(s3: tuple[Any, str]) -> None:
    client, bucket = s3
    uri = f"s3://{bucket}/big.bin"
    block = os.urandom(MiB)
    result = s3_lib.write_stream(uri, (block for _ in range(12)), part_size=MIN_PART_SIZE)
    assert result == s3_lib.WriteResult(s3_uri=uri, bytes=12 * MiB)
    head = client.head_object(Bucket=bucket, Key="big.bin", PartNumber=1)
    assert head["PartsCount"] == 3  # 5 + 5 + 2 MiB
    with s3_lib.open(uri) as stream:
        stream.seek(11 * MiB)
        assert stream.read() == block
    assert _uploads(client, bucket) == []


def test_parts_carry_their_crc32_and_ask_before_sending_the_body(s3: tuple[Any, str]) -> None:
    import base64
    import zlib

    from flowtasks.tasks._s3_upload import UploadWriter

    client, bucket = s3
    sent: list[dict[str, Any]] = []
    # observe what goes on the wire (botocore's own event hook; nothing is replaced)
    client.meta.events.register(
        "before-send.s3.UploadPart", lambda request, **_: sent.append(dict(request.headers))
    )
    data = os.urandom(MIN_PART_SIZE + 123)
    with UploadWriter(client, bucket, "checked.bin", part_size=MIN_PART_SIZE, concurrency=2) as w:
        w.write(data)
    expected = [data[:MIN_PART_SIZE], data[MIN_PART_SIZE:]]
    crcs = sorted(h["x-amz-checksum-crc32"] for h in sent)
    assert crcs == sorted(
        base64.b64encode(zlib.crc32(part).to_bytes(4, "big")) for part in expected
    )
    assert all(h["Expect"] == b"100-continue" for h in sent)
    assert client.get_object(Bucket=bucket, Key="checked.bin")["Body"].read() == data
    assert _uploads(client, bucket) == []


def test_no_checksums_when_botocore_is_told_to_send_them_only_when_required(
    s3: tuple[Any, str],
) -> None:
    # how users of S3-compatible stores without checksum support turn them off
    import boto3
    from botocore.config import Config

    from flowtasks.tasks._s3_upload import UploadWriter

    base, bucket = s3
    client = boto3.client(
        "s3",
        endpoint_url=base.meta.endpoint_url,
        region_name="us-east-1",
        config=Config(request_checksum_calculation="when_required"),
    )
    sent: list[dict[str, Any]] = []
    for operation in ("CreateMultipartUpload", "UploadPart"):
        client.meta.events.register(
            f"before-send.s3.{operation}", lambda request, **_: sent.append(dict(request.headers))
        )
    data = os.urandom(MIN_PART_SIZE + 10)
    with UploadWriter(client, bucket, "plain.bin", part_size=MIN_PART_SIZE, concurrency=1) as w:
        w.write(data)
    assert len(sent) == 3
    assert not [k for h in sent for k in h if k.lower().startswith("x-amz-checksum")]
    assert client.get_object(Bucket=bucket, Key="plain.bin")["Body"].read() == data


def test_a_failing_source_leaves_no_object_and_no_upload(s3: tuple[Any, str]) -> None:
    client, bucket = s3
    uri = f"s3://{bucket}/partial.bin"

    def source() -> Iterator[bytes]:
        for _ in range(7):
            yield os.urandom(MiB)
        raise ConnectionResetError("the source went away")

    with pytest.raises(ConnectionResetError):
        s3_lib.write_stream(uri, source(), part_size=MIN_PART_SIZE)
    assert not s3_lib.exists(uri)
    assert _uploads(client, bucket) == []


def test_an_upload_failing_part_way_on_the_server_leaves_no_object(s3: tuple[Any, str]) -> None:
    # Another client aborts the multipart upload once the first part is in: S3 then refuses
    # the next part (NoSuchUpload), a real server-side failure part-way through.
    client, bucket = s3
    uri = f"s3://{bucket}/refused.bin"
    sent = threading.Event()

    def source() -> Iterator[bytes]:
        for i in range(20):
            if i == 6:
                for upload in _uploads(client, bucket):
                    client.abort_multipart_upload(
                        Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                sent.set()
            yield os.urandom(MiB)

    with pytest.raises(Exception, match="NoSuchUpload"):
        s3_lib.write_stream(uri, source(), part_size=MIN_PART_SIZE, concurrency=1)
    assert sent.is_set()
    assert not s3_lib.exists(uri)
    assert _uploads(client, bucket) == []


def test_an_exception_inside_a_text_writer_aborts(s3: tuple[Any, str]) -> None:
    client, bucket = s3
    uri = f"s3://{bucket}/aborted.csv.gz"

    def write_then_fail() -> None:
        with s3_lib.open(uri, "w") as out:
            out.write("x" * (6 * MiB))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail()
    assert not s3_lib.exists(uri)
    assert _uploads(client, bucket) == []


def test_list_glob_copy_move_delete_exists(s3: tuple[Any, str]) -> None:
    _, bucket = s3
    for key in ("in/a.csv", "in/b.csv", "in/sub/c.csv", "in/d.txt", "other/e.csv"):
        s3_lib.write_bytes(f"s3://{bucket}/{key}", key.encode())
    keys = [o.key for o in s3_lib.list_objects(f"s3://{bucket}/in/")]
    assert keys == ["in/a.csv", "in/b.csv", "in/d.txt", "in/sub/c.csv"]
    flat = [o.key for o in s3_lib.list_objects(f"s3://{bucket}/in/", recursive=False)]
    assert flat == ["in/a.csv", "in/b.csv", "in/d.txt"]
    assert [o.key for o in s3_lib.glob(f"s3://{bucket}/in/*.csv")] == ["in/a.csv", "in/b.csv"]
    assert [o.key for o in s3_lib.glob(f"s3://{bucket}/**/*.csv")] == [
        "in/a.csv",
        "in/b.csv",
        "in/sub/c.csv",
        "other/e.csv",
    ]
    assert [o.key for o in s3_lib.glob(f"s3://{bucket}/in/[ab].csv")] == ["in/a.csv", "in/b.csv"]
    copied = s3_lib.copy(f"s3://{bucket}/in/a.csv", f"s3://{bucket}/copy/a.csv")
    assert copied.bytes == len(b"in/a.csv")
    s3_lib.move(f"s3://{bucket}/in/b.csv", f"s3://{bucket}/moved/b.csv")
    assert not s3_lib.exists(f"s3://{bucket}/in/b.csv")
    assert s3_lib.read_bytes(f"s3://{bucket}/moved/b.csv") == b"in/b.csv"
    assert s3_lib.delete([f"s3://{bucket}/in/a.csv", f"s3://{bucket}/in/missing"]) == 2
    assert not s3_lib.exists(f"s3://{bucket}/in/a.csv")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        s3_lib.copy(f"s3://{bucket}/nope", f"s3://{bucket}/x")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        s3_lib.read_bytes(f"s3://{bucket}/nope")


def test_sse_kms_is_requested_on_write(s3: tuple[Any, str], moto_endpoint: str) -> None:
    import boto3

    client, bucket = s3
    key_id = boto3.client("kms", endpoint_url=moto_endpoint).create_key()["KeyMetadata"]["KeyId"]
    small = f"s3://{bucket}/small.bin"
    big = f"s3://{bucket}/big.bin"
    s3_lib.write_bytes(small, b"x", kms_key_id=key_id)
    s3_lib.write_bytes(big, os.urandom(6 * MiB), kms_key_id=key_id, part_size=MIN_PART_SIZE)
    for key in ("small.bin", "big.bin"):
        head = client.head_object(Bucket=bucket, Key=key)
        assert head["ServerSideEncryption"] == "aws:kms"
        assert key_id in head["SSEKMSKeyId"]


def test_wait_for_returns_once_the_object_exists(s3: tuple[Any, str]) -> None:
    _, bucket = s3
    uri = f"s3://{bucket}/late.json"
    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 2:
            s3_lib.write_bytes(uri, json.dumps({"ok": True}).encode())

    info = s3_lib.wait_for(uri, timeout_seconds=60, poll_seconds=1, sleep=sleep)
    assert (info.uri, info.size, len(polls)) == (uri, 12, 2)
    assert info.last_modified <= datetime.now(UTC)
    with pytest.raises(s3_lib.WaitTimeoutError, match="did not appear within 0 s"):
        s3_lib.wait_for(f"s3://{bucket}/never", timeout_seconds=0)


def test_bad_uris_and_modes_are_clear() -> None:
    with pytest.raises(ValueError, match="expected s3://bucket/key"):
        s3_lib.open("/tmp/x")
    with pytest.raises(ValueError, match="names a prefix"):
        s3_lib.open("s3://bucket/dir/", "wb")
    with pytest.raises(ValueError, match="mode must be"):
        s3_lib.open("s3://bucket/key", "a")
