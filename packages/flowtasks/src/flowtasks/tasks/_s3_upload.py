"""`UploadWriter`: a writable S3 object with bounded memory, parts uploaded in the background.

Bytes are copied once, into part buffers of exactly `part_size` bytes; up to `concurrency` parts
are uploaded at once by worker threads while the caller keeps filling the next one (so reading a
source and uploading overlap). At most ``concurrency + 1`` buffers ever exist and are reused, so
memory stays at ``part_size * (concurrency + 1)`` whatever the object size: a writer blocks
while `concurrency` parts are in flight. (Past `PARTS_PER_SIZE` parts the part size doubles, so
that S3's 10,000 parts always suffice; only objects that large use bigger buffers.)
An object smaller than one part is sent with one ``PutObject`` at close; the multipart upload
is only created once a full part exists.

The object appears only when `close` succeeds. `abort` (called by ``__exit__`` on an exception,
and by `close` when a part failed) aborts the multipart upload: no partial object is left.

smart_open's own ``MultipartWriter`` uploads each part synchronously in ``write``: a reader
feeding it waits for every part upload, which halves throughput when both sides are about as
fast. Hence this writer; reading still goes through smart_open.
"""

from __future__ import annotations

import base64
import contextlib
import io
import threading
import zlib
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, Final

MIN_PART_SIZE: Final = 5 * 1024**2
"""S3's smallest part (every part but the last)."""
MAX_PART_SIZE: Final = 5 * 1024**3
"""S3's largest part."""
MAX_PARTS: Final = 10_000
"""S3's most parts in one multipart upload."""
PARTS_PER_SIZE: Final = 2_000
"""Parts uploaded at one part size before it doubles: so no object is too large for
`MAX_PARTS` (6 MiB parts: 11.7 GiB at 6 MiB, then 12, 24, 48, 96 MiB: 366 GiB in all), while
objects under ``part_size * PARTS_PER_SIZE`` keep the memory bound of `part_size`."""


def part_size_of(number: int, part_size: int) -> int:
    """Size of part `number` (1-based) of a writer whose first parts have `part_size` bytes."""
    doublings: int = (number - 1) // PARTS_PER_SIZE
    return min(MAX_PART_SIZE, part_size << doublings)


def _prepare_part(params: dict[str, Any], **_: Any) -> None:
    if not isinstance(params.get("body"), bytes | bytearray):
        return
    params["headers"]["Expect"] = "100-continue"
    if "x-amz-checksum-crc32" in params["headers"]:
        # botocore takes a body as checksummed (so, over HTTPS, needing no SHA-256 signature)
        # only when it chose the algorithm itself: say that it did. Without this (a botocore
        # that renames it), parts are still correct, only signed at the cost of a SHA-256.
        checksum = params.setdefault("context", {}).setdefault("checksum", {})
        checksum["request_algorithm"] = {
            "in": "header",
            "name": "x-amz-checksum-crc32",
            "algorithm": "crc32",
        }


def _prepare_parts(client: Any) -> None:
    """Make `client` send the parts we give as buffers the way botocore sends its own: asking
    before the body (``Expect: 100-continue``, which botocore adds only for file-like bodies,
    so that an error S3 answers at once, such as a redirect, 403 or 503 SlowDown, arrives
    before the part is sent) and, with our CRC32, without signing the payload over HTTPS.
    Registered once per client (for ``UploadPart`` with a bytes-like body only)."""
    client.meta.events.register(
        "before-call.s3.UploadPart", _prepare_part, unique_id="flowtasks-prepare-part"
    )


class UploadWriter(io.RawIOBase):
    """Write one S3 object `bucket`/`key` as a stream (see the module doc).

    `extra` holds PutObject / CreateMultipartUpload arguments (``ServerSideEncryption``,
    ``SSEKMSKeyId``, ``ContentType``...). `bytes_written` counts the bytes accepted.
    """

    def __init__(
        self,
        client: Any,
        bucket: str,
        key: str,
        *,
        part_size: int,
        concurrency: int,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:
            raise ValueError(
                f"part_size must be between {MIN_PART_SIZE} (5 MiB) and {MAX_PART_SIZE} (5 GiB) "
                f"bytes, not {part_size}"
            )
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self.client = client
        self.bucket = bucket
        self.key = key
        self.name = f"s3://{bucket}/{key}"
        self.part_size = part_size
        self.extra = dict(extra or {})
        self.bytes_written = 0
        self._concurrency = concurrency
        self._part: bytearray | None = None  # the part being filled
        self._filled = 0
        self._free: list[bytearray] = []  # part buffers back from finished uploads
        self._target = part_size
        self._free_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(concurrency)
        self._pool: ThreadPoolExecutor | None = None
        self._upload_id: str | None = None
        self._futures: list[Future[dict[str, Any]]] = []
        self._failed: BaseException | None = None
        self._done = False
        # botocore's own choice (AWS_REQUEST_CHECKSUM_CALCULATION): "when_required" is how users
        # of S3-compatible stores without checksums turn them off, so then none are sent
        config = getattr(getattr(client, "meta", None), "config", None)
        checksums = getattr(config, "request_checksum_calculation", None) != "when_required"
        # the caller's algorithm, else CRC32 (computed here for each part), else none
        self._algorithm = self.extra.get("ChecksumAlgorithm", "CRC32" if checksums else None)

    def __repr__(self) -> str:
        return f"UploadWriter({self.name!r}, part_size={self.part_size})"

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        """Accept `data` (bytes-like); blocks while `concurrency` parts are being uploaded."""
        if self._done:
            raise ValueError(f"write to {self.name} after it was closed or aborted")
        self._raise_if_failed()
        view = memoryview(data).cast("B")
        size = len(view)
        offset = 0
        while offset < size:
            if self._part is None:
                # the first part grows as needed (small objects stay small); later ones reuse
                # full-size buffers
                self._target = part_size_of(len(self._futures) + 1, self.part_size)
                self._part = bytearray() if not self._futures else self._take_buffer(self._target)
                self._filled = 0
            n = min(size - offset, self._target - self._filled)
            end = self._filled + n
            if len(self._part) >= end:
                self._part[self._filled : end] = view[offset : offset + n]
            else:  # growing: replace the (empty) tail
                self._part[self._filled :] = view[offset : offset + n]
            self._filled = end
            offset += n
            if self._filled == self._target:
                self._submit(self._part, self._target)
                self._part = None
        self.bytes_written += size
        return size

    def close(self) -> None:
        """Upload what is left and complete the object; on any failure abort and raise."""
        if self._done:
            return
        try:
            if self._upload_id is None:
                self._raise_if_failed()
                body = bytes(memoryview(self._part)[: self._filled]) if self._part else b""
                self.client.put_object(Bucket=self.bucket, Key=self.key, Body=body, **self.extra)
            else:
                if self._part is not None and self._filled:
                    self._submit(self._part, self._filled)
                    self._part = None
                parts = [future.result() for future in self._futures]
                self.client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=self.key,
                    UploadId=self._upload_id,
                    MultipartUpload={"Parts": parts},
                )
        except BaseException:
            self.abort()
            raise
        self._finish()
        super().close()

    def abort(self) -> None:
        """Drop the object: abort the multipart upload (if any); nothing is left in S3."""
        if self._done:
            return
        self._finish(cancel=True)
        if self._upload_id is not None:
            upload_id, self._upload_id = self._upload_id, None
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=upload_id)
        super().close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __del__(self) -> None:  # never complete an object by garbage collection
        if not getattr(self, "_done", True):
            with contextlib.suppress(Exception):
                self.abort()

    def _take_buffer(self, size: int) -> bytearray:
        with self._free_lock:
            while self._free:
                buffer = self._free.pop()
                if len(buffer) == size:
                    return buffer  # (buffers of a smaller, earlier part size are dropped)
        return bytearray(size)

    def _submit(self, part: bytearray, length: int) -> None:
        if self._upload_id is None:
            checksum = {"ChecksumAlgorithm": self._algorithm} if self._algorithm else {}
            created = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=self.key, **(checksum | self.extra)
            )
            _prepare_parts(self.client)
            self._upload_id = created["UploadId"]
            self._pool = ThreadPoolExecutor(self._concurrency, thread_name_prefix="s3-upload")
        number = len(self._futures) + 1
        if number > MAX_PARTS:
            raise ValueError(
                f"{self.name} needs more than {MAX_PARTS} parts: give a larger part_size"
            )
        self._slots.acquire()
        self._raise_if_failed(release=True)
        assert self._pool is not None
        future = self._pool.submit(self._upload_part, number, part, length)
        future.add_done_callback(self._part_done)
        self._futures.append(future)

    def _upload_part(self, number: int, buffer: bytearray, length: int) -> dict[str, Any]:
        # A bytes-like body goes out in one sendall; a file-like one in 8 KiB blocks, each
        # waiting for the GIL while this process reads the source (half the throughput).
        body = buffer if length == len(buffer) else buffer[:length]
        algorithm = self._algorithm
        given: dict[str, str] = {}  # checksums computed here, also listed at completion
        if algorithm == "CRC32":
            # Given here, botocore sends the body as it is; else, over HTTPS, it would copy the
            # part to stream it with a trailing checksum (twice the memory).
            crc = zlib.crc32(memoryview(buffer)[:length])
            given["ChecksumCRC32"] = base64.b64encode(crc.to_bytes(4, "big")).decode()
        options = given or ({"ChecksumAlgorithm": algorithm} if algorithm else {})
        try:
            response = self.client.upload_part(
                Bucket=self.bucket,
                Key=self.key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=body,
                **options,
            )
        finally:
            with self._free_lock:
                self._free.append(buffer)
        part: dict[str, Any] = {"ETag": response["ETag"], "PartNumber": number, **given}
        for name in ("ChecksumCRC32", "ChecksumCRC32C", "ChecksumSHA1", "ChecksumSHA256"):
            if response.get(name):
                part[name] = response[name]
        return part

    def _part_done(self, future: Future[dict[str, Any]]) -> None:
        self._slots.release()
        if not future.cancelled() and future.exception() is not None and self._failed is None:
            self._failed = future.exception()

    def _raise_if_failed(self, release: bool = False) -> None:
        if self._failed is not None:
            if release:
                self._slots.release()
            raise self._failed

    def _finish(self, cancel: bool = False) -> None:
        self._done = True
        self._part = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None
