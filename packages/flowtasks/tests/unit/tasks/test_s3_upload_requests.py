"""What the S3 writer's part uploads look like on the wire over HTTPS, where moto (HTTP only)
cannot show it. The requests are built and signed by the real botocore; botocore's own
``before-send`` hook answers them instead of a server (nothing of ours is replaced)."""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from flowtasks.tasks._s3_upload import MIN_PART_SIZE, UploadWriter


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


def _answer(request: Any) -> AWSResponse:
    if request.method == "POST" and "uploads" in request.url:
        body = b"<InitiateMultipartUploadResult><UploadId>U</UploadId>"
        body += b"</InitiateMultipartUploadResult>"
    elif request.method == "POST":
        body = b'<CompleteMultipartUploadResult><ETag>"x"</ETag></CompleteMultipartUploadResult>'
    else:
        body = b""
    return AWSResponse(request.url, 200, {"ETag": '"e"'}, _Raw(body))


def test_parts_over_https_carry_our_crc32_unsigned_each_as_one_buffer() -> None:
    client = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url="https://s3.example.invalid",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    parts: list[Any] = []

    def send(request: Any, **_: Any) -> AWSResponse:
        if request.method == "PUT":
            parts.append(request)
        return _answer(request)

    client.meta.events.register("before-send.s3", send)
    data = bytes(range(256)) * (MIN_PART_SIZE // 256) + b"tail"
    with UploadWriter(client, "b", "k", part_size=MIN_PART_SIZE, concurrency=1) as writer:
        writer.write(data)
    assert len(parts) == 2
    for request, expected in zip(parts, (data[:MIN_PART_SIZE], data[MIN_PART_SIZE:]), strict=True):
        crc = base64.b64encode(zlib.crc32(expected).to_bytes(4, "big"))
        assert request.headers["x-amz-checksum-crc32"] == crc
        assert request.headers["X-Amz-Content-SHA256"] == b"UNSIGNED-PAYLOAD"  # no SHA-256
        assert request.headers["Expect"] == b"100-continue"
        assert "Content-Encoding" not in request.headers  # not re-sent as aws-chunked
        assert isinstance(request.body, bytearray)  # the part buffer itself, as one body
        assert bytes(request.body) == expected
