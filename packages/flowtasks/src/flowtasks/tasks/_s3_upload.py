"""`UploadWriter`: a writable S3 object with bounded memory, parts uploaded in the background.

Bytes are cut into parts of exactly `part_size` bytes; up to `concurrency` parts are uploaded at
once by worker threads while the caller keeps writing (so reading a source and uploading
overlap). Memory stays below ``part_size * (concurrency + 1)`` whatever the object size: a
writer blocks when that many parts are pending. An object smaller than one part is sent with one
``PutObject`` at close; the multipart upload is only created once a full part exists.

The object appears only when `close` succeeds. `abort` (called by ``__exit__`` on an exception,
and by `close` when a part failed) aborts the multipart upload: no partial object is left.

smart_open's own ``MultipartWriter`` uploads each part synchronously in ``write``: a reader
feeding it waits for every part upload, which halves throughput when both sides are about as
fast. Hence this writer; reading still goes through smart_open.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, Final

MIN_PART_SIZE: Final = 5 * 1024**2
"""S3's smallest part (every part but the last)."""
MAX_PART_SIZE: Final = 5 * 1024**3
"""S3's largest part."""
MAX_PARTS: Final = 10_000
"""S3's most parts in one multipart upload: the object is at most ``part_size * MAX_PARTS``."""


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
        self._buffer = bytearray()
        self._concurrency = concurrency
        self._slots = threading.BoundedSemaphore(concurrency)
        self._pool: ThreadPoolExecutor | None = None
        self._upload_id: str | None = None
        self._futures: list[Future[dict[str, Any]]] = []
        self._failed: BaseException | None = None
        self._done = False

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
        self._buffer += view
        self.bytes_written += size
        while len(self._buffer) >= self.part_size:
            part = bytes(self._buffer[: self.part_size])
            del self._buffer[: self.part_size]
            self._submit(part)
        return size

    def close(self) -> None:
        """Upload what is left and complete the object; on any failure abort and raise."""
        if self._done:
            return
        try:
            if self._upload_id is None:
                self._raise_if_failed()
                self.client.put_object(
                    Bucket=self.bucket, Key=self.key, Body=bytes(self._buffer), **self.extra
                )
            else:
                if self._buffer:
                    self._submit(bytes(self._buffer))
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

    def _submit(self, part: bytes) -> None:
        if self._upload_id is None:
            created = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=self.key, **self.extra
            )
            self._upload_id = created["UploadId"]
            self._pool = ThreadPoolExecutor(self._concurrency, thread_name_prefix="s3-upload")
        number = len(self._futures) + 1
        if number > MAX_PARTS:
            raise ValueError(
                f"{self.name} needs more than {MAX_PARTS} parts of {self.part_size} bytes: "
                "give a larger part_size"
            )
        self._slots.acquire()
        self._raise_if_failed(release=True)
        assert self._pool is not None
        future = self._pool.submit(self._upload_part, number, part)
        future.add_done_callback(self._part_done)
        self._futures.append(future)

    def _upload_part(self, number: int, body: bytes) -> dict[str, Any]:
        response = self.client.upload_part(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=body,
        )
        part: dict[str, Any] = {"ETag": response["ETag"], "PartNumber": number}
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
        self._buffer = bytearray()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None
