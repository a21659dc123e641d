"""S3 by URI, as streams with bounded memory (boto3 + smart_open).

Plain Python, usable in any task::

    from flowtasks.tasks import s3

    with s3.open("s3://bucket/out/rows.csv.gz", "w") as out:   # gzip by extension
        out.write("id,name\\n")
    for row in s3.iter_csv("s3://bucket/out/rows.csv.gz"):     # dicts, read in chunks
        ...

Credentials and endpoints are boto3's own (credential chain, ``AWS_ENDPOINT_URL`` /
``AWS_ENDPOINT_URL_S3``); pass ``client=`` to use another client.

Writing: parts of `DEFAULT_PART_SIZE` bytes, `DEFAULT_CONCURRENCY` uploaded at once, so a writer
holds at most ``part_size * (concurrency + 1)`` bytes (36 MiB by default) whatever the object
size. The object exists only once the writer closes without error; on an exception inside
``with`` (or a failed part) the multipart upload is aborted and nothing is left. ``.gz`` and
``.zst`` keys are compressed / decompressed transparently (``compression=`` overrides).
``kms_key_id=`` writes with SSE-KMS.

Reusable flow tasks: `copy_task`, `move_task`, `delete_task`, `wait_for_task`, `list_task`
(see docs/creating-a-reusable-flow-task.md).
"""

from __future__ import annotations

import builtins
import contextlib
import csv
import fnmatch
import io
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import IO, Any, Final, Literal

from flowtasks.tasks._s3_upload import MAX_PARTS, MIN_PART_SIZE, UploadWriter
from flowtasks.tasks.reusable import reusable_task

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_PART_SIZE",
    "MAX_PARTS",
    "MIN_PART_SIZE",
    "ObjectInfo",
    "UploadWriter",
    "WaitTimeoutError",
    "WriteResult",
    "client",
    "copy",
    "copy_task",
    "delete",
    "delete_task",
    "exists",
    "glob",
    "head",
    "iter_csv",
    "iter_jsonl",
    "iter_lines",
    "list_objects",
    "list_task",
    "move",
    "move_task",
    "open",
    "parse_uri",
    "read_bytes",
    "read_range",
    "wait_for",
    "wait_for_task",
    "write_bytes",
    "write_stream",
]

DEFAULT_PART_SIZE: Final = 6 * 1024**2
"""Bytes per multipart part: 6 MiB (smart_open's 50 MiB would cost 50 MiB per writer). The
size doubles after every 2,000 parts (11.7 GiB), so any object fits in S3's 10,000 parts."""
DEFAULT_CONCURRENCY: Final = 5
"""Parts uploaded at once per writer (moto, like S3, takes parallel parts faster)."""
READ_BUFFER_SIZE: Final = 1024**2
"""Bytes a reader asks S3 for at a time."""
CHUNK_SIZE: Final = 1024**2
"""Bytes read per step by `write_stream` from a file object and by the ``iter_*`` readers."""

Compression = Literal["infer", "none", "gzip", "zstd"]
_EXTENSIONS = {"gzip": ".gz", "zstd": ".zst", "none": "disable"}
_URI = re.compile(r"^s3://([^/]+)/(.*)$", re.DOTALL)


class WaitTimeoutError(TimeoutError):
    """`wait_for` gave up: the object did not appear in time. Retry the state to wait longer."""


@dataclass(frozen=True)
class ObjectInfo:
    """One object as listed: its URI, key, size in bytes, last modification and ETag."""

    uri: str
    key: str
    size: int
    last_modified: datetime
    etag: str


@dataclass(frozen=True)
class WriteResult:
    """A completed upload: where, and how many bytes the object holds."""

    s3_uri: str
    bytes: int


def parse_uri(uri: str) -> tuple[str, str]:
    """(bucket, key) of ``s3://bucket/key``. Raises ValueError naming the expected form."""
    match = _URI.match(uri) if isinstance(uri, str) else None
    if match is None:
        raise ValueError(f"not an S3 URI: {uri!r}; expected s3://bucket/key")
    return match.group(1), match.group(2)


def _object_uri(uri: str) -> tuple[str, str]:
    bucket, key = parse_uri(uri)
    if not key or key.endswith("/"):
        raise ValueError(f"{uri!r} names a prefix, not an object: add the object's key")
    return bucket, key


def client() -> Any:
    """The default boto3 S3 client (one per process and AWS environment; thread-safe)."""
    keys = (
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
    )
    return _client(tuple(os.environ.get(k) for k in keys))


_CLIENT_LOCK = threading.Lock()


def _client(environment: tuple[str | None, ...]) -> Any:
    with _CLIENT_LOCK:  # threads asking at once would each build a client (slow, ~10 MiB each)
        return _make_client(environment)


@lru_cache(maxsize=8)
def _make_client(_environment: tuple[str | None, ...]) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(max_pool_connections=32, retries={"mode": "standard", "max_attempts": 5})
    return boto3.session.Session().client("s3", config=config)


def _extra(kms_key_id: str | None, content_type: str | None) -> dict[str, str]:
    extra: dict[str, str] = {}
    if kms_key_id:
        extra["ServerSideEncryption"] = "aws:kms"
        extra["SSEKMSKeyId"] = kms_key_id
    if content_type:
        extra["ContentType"] = content_type
    return extra


def _compression_ext(compression: Compression) -> str:
    if compression == "infer":
        return "infer_from_extension"
    if compression not in _EXTENSIONS:
        raise ValueError(f"compression must be infer, none, gzip or zstd, not {compression!r}")
    return _EXTENSIONS[compression]


def open(
    uri: str,
    mode: str = "rb",
    *,
    compression: Compression = "infer",
    encoding: str | None = None,
    newline: str | None = None,
    part_size: int = DEFAULT_PART_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    kms_key_id: str | None = None,
    content_type: str | None = None,
    client: Any = None,
) -> IO[Any]:
    """Open an S3 object as a file: mode ``rb``, ``r``, ``wb`` or ``w``.

    Readers stream (seekable, `READ_BUFFER_SIZE` per request). Writers upload as described in the
    module doc; use them in ``with`` so an exception aborts the upload. Text modes default to
    UTF-8. Raises FileNotFoundError for a missing object (when reading), ValueError for a bad URI,
    mode or option.
    """
    if mode not in ("rb", "r", "wb", "w"):
        raise ValueError(f"mode must be 'rb', 'r', 'wb' or 'w', not {mode!r}")
    bucket, key = _object_uri(uri)
    ext = _compression_ext(compression)
    s3_client = client or globals()["client"]()
    if mode.startswith("r"):
        import smart_open

        params = {"client": s3_client, "buffer_size": READ_BUFFER_SIZE}
        try:
            return smart_open.open(
                uri,
                mode,
                compression=ext,
                encoding=encoding or ("utf-8" if mode == "r" else None),
                newline=newline,
                transport_params=params,
            )
        except OSError as exc:
            raise _not_found(uri, exc) from exc
    writer = UploadWriter(
        s3_client,
        bucket,
        key,
        part_size=part_size,
        concurrency=concurrency,
        extra=_extra(kms_key_id, content_type),
    )
    return _wrap_writer(writer, key, mode, ext, encoding, newline)


def _not_found(uri: str, exc: OSError) -> OSError:
    text = str(exc)
    if "NoSuchKey" in text or "404" in text or "Not Found" in text:
        return FileNotFoundError(f"{uri} does not exist")
    if "NoSuchBucket" in text:
        return FileNotFoundError(f"the bucket of {uri} does not exist")
    return exc


def _wrap_writer(
    writer: UploadWriter, key: str, mode: str, ext: str, encoding: str | None, newline: str | None
) -> IO[Any]:
    from smart_open.compression import compression_wrapper

    stream: Any = writer
    compressed: Any = compression_wrapper(stream, "wb", ext, key)
    outer: Any = compressed
    if mode == "w":
        outer = io.TextIOWrapper(
            compressed, encoding=encoding or "utf-8", newline=newline, write_through=False
        )
    if outer is writer:
        return stream  # type: ignore[no-any-return]
    result: Any = _AbortingWriter(outer, writer)
    return result  # type: ignore[no-any-return]


class _AbortingWriter:
    """`outer` (compressor and/or text layer) over an `UploadWriter`: closing completes the
    object; an exception inside ``with`` (or `abort`) aborts it."""

    def __init__(self, outer: IO[Any], writer: UploadWriter) -> None:
        self._outer = outer
        self.writer = writer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._outer, name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._outer)

    def write(self, data: Any) -> int:
        return self._outer.write(data)

    def close(self) -> None:
        if self.writer.closed:
            return
        try:
            self._outer.close()  # the compressor's trailer goes to the writer
        except BaseException:
            self.writer.abort()
            raise
        self.writer.close()

    def abort(self) -> None:
        self.writer.abort()
        # the layers above an aborted writer cannot flush: nothing to keep
        with contextlib.suppress(ValueError, OSError):
            self._outer.close()

    @property
    def closed(self) -> bool:
        return self.writer.closed

    def __enter__(self) -> _AbortingWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_stream(
    uri: str,
    source: IO[bytes] | Iterable[bytes],
    *,
    compression: Compression = "infer",
    part_size: int = DEFAULT_PART_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    kms_key_id: str | None = None,
    content_type: str | None = None,
    client: Any = None,
) -> WriteResult:
    """Upload everything `source` yields (a binary file object, read in `CHUNK_SIZE` steps, or
    an iterable of bytes) to `uri`, and return where and how many bytes the object holds.

    Memory stays bounded as for `open`. If reading `source` or any upload fails, the upload is
    aborted and the exception propagates: no object (and no partial object) is left.
    """
    chunks = _chunks(source)
    with open(
        uri,
        "wb",
        compression=compression,
        part_size=part_size,
        concurrency=concurrency,
        kms_key_id=kms_key_id,
        content_type=content_type,
        client=client,
    ) as stream:
        out: Any = stream
        for chunk in chunks:
            out.write(chunk)
        writer: UploadWriter = out.writer if isinstance(out, _AbortingWriter) else out
    return WriteResult(s3_uri=uri, bytes=writer.bytes_written)


def _chunks(source: IO[bytes] | Iterable[bytes]) -> Iterator[bytes]:
    read: Callable[[int], bytes] | None = getattr(source, "read", None)
    if read is None:
        yield from source
        return
    readinto = getattr(source, "readinto", None)
    if readinto is not None:
        buffer = bytearray(CHUNK_SIZE)
        view = memoryview(buffer)
        while n := readinto(view):
            yield bytes(view[:n])
        return
    while chunk := read(CHUNK_SIZE):
        yield chunk


def write_bytes(uri: str, data: bytes, **options: Any) -> WriteResult:
    """Write `data` as the object `uri` (options as for `open`)."""
    return write_stream(uri, [data], **options)


def read_bytes(uri: str, *, compression: Compression = "none", client: Any = None) -> bytes:
    """The whole object (for small objects; stream big ones with `open`)."""
    with open(uri, "rb", compression=compression, client=client) as stream:
        return stream.read()  # type: ignore[no-any-return]


def read_range(uri: str, start: int, length: int | None = None, *, client: Any = None) -> bytes:
    """`length` bytes of the object from offset `start` (to the end when None): one GET."""
    bucket, key = _object_uri(uri)
    if start < 0 or (length is not None and length <= 0):
        raise ValueError("read_range needs start >= 0 and a positive length")
    end = "" if length is None else str(start + length - 1)
    s3_client = client or globals()["client"]()
    try:
        response = s3_client.get_object(Bucket=bucket, Key=key, Range=f"bytes={start}-{end}")
    except s3_client.exceptions.NoSuchKey:
        raise FileNotFoundError(f"{uri} does not exist") from None
    return response["Body"].read()  # type: ignore[no-any-return]


def iter_lines(
    uri: str,
    *,
    encoding: str = "utf-8",
    compression: Compression = "infer",
    keep_ends: bool = False,
    client: Any = None,
) -> Iterator[str]:
    """The object's lines, decoded (and decompressed by extension), read in chunks."""
    with open(uri, "r", encoding=encoding, compression=compression, client=client) as stream:
        for line in stream:
            yield line if keep_ends else line.rstrip("\r\n")


def iter_csv(
    uri: str,
    *,
    header: bool = True,
    delimiter: str = ",",
    encoding: str = "utf-8",
    compression: Compression = "infer",
    client: Any = None,
) -> Iterator[Any]:
    """The object's CSV rows: dicts keyed by the header row (``header=True``) or lists."""
    with open(
        uri, "r", encoding=encoding, compression=compression, newline="", client=client
    ) as stream:
        if header:
            yield from csv.DictReader(stream, delimiter=delimiter)
        else:
            yield from csv.reader(stream, delimiter=delimiter)


def iter_jsonl(
    uri: str, *, encoding: str = "utf-8", compression: Compression = "infer", client: Any = None
) -> Iterator[Any]:
    """One JSON value per non-blank line. A bad line raises ValueError naming its number."""
    for number, line in enumerate(
        iter_lines(uri, encoding=encoding, compression=compression, client=client), 1
    ):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{uri} line {number} is not JSON: {exc}") from None


def head(uri: str, *, client: Any = None) -> ObjectInfo | None:
    """The object's `ObjectInfo`, or None when it does not exist."""
    bucket, key = _object_uri(uri)
    s3_client = client or globals()["client"]()
    from botocore.exceptions import ClientError

    try:
        response = s3_client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return ObjectInfo(
        uri=uri,
        key=key,
        size=int(response["ContentLength"]),
        last_modified=response["LastModified"],
        etag=str(response.get("ETag", "")).strip('"'),
    )


def exists(uri: str, *, client: Any = None) -> bool:
    """True when the object exists."""
    return head(uri, client=client) is not None


def list_objects(uri: str, *, recursive: bool = True, client: Any = None) -> Iterator[ObjectInfo]:
    """Every object under the prefix `uri` (``s3://bucket/prefix``), page by page.

    Without `recursive`, only the objects directly under the prefix "folder" (up to the next /).
    """
    bucket, prefix = parse_uri(uri)
    s3_client = client or globals()["client"]()
    paginator = s3_client.get_paginator("list_objects_v2")
    options: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if not recursive:
        options["Delimiter"] = "/"
    for page in paginator.paginate(**options):
        for item in page.get("Contents", ()):
            yield ObjectInfo(
                uri=f"s3://{bucket}/{item['Key']}",
                key=item["Key"],
                size=int(item["Size"]),
                last_modified=item["LastModified"],
                etag=str(item.get("ETag", "")).strip('"'),
            )


def glob(pattern: str, *, client: Any = None) -> Iterator[ObjectInfo]:
    """Every object whose key matches `pattern` (``s3://bucket/in/*.csv``).

    ``*`` and ``?`` stay within one path segment, ``**`` crosses segments, ``[...]`` is a
    character class. Listing starts at the longest prefix without a wildcard.
    """
    bucket, key_pattern = parse_uri(pattern)
    literal = re.split(r"[*?\[]", key_pattern, maxsplit=1)[0]
    regex = _glob_regex(key_pattern)
    for info in list_objects(f"s3://{bucket}/{literal}", client=client):
        if regex.fullmatch(info.key):
            yield info


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape("["))
                i += 1
            else:
                out.append(fnmatch.translate(pattern[i : end + 1])[4:-3])
                i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def copy(
    source: str, destination: str, *, kms_key_id: str | None = None, client: Any = None
) -> WriteResult:
    """Copy one object server-side (multipart for large objects, by boto3's managed copy)."""
    src_bucket, src_key = _object_uri(source)
    dst_bucket, dst_key = _object_uri(destination)
    s3_client = client or globals()["client"]()
    info = head(source, client=s3_client)
    if info is None:
        raise FileNotFoundError(f"{source} does not exist")
    s3_client.copy(
        {"Bucket": src_bucket, "Key": src_key},
        dst_bucket,
        dst_key,
        ExtraArgs=_extra(kms_key_id, None) or None,
    )
    return WriteResult(s3_uri=destination, bytes=info.size)


def move(
    source: str, destination: str, *, kms_key_id: str | None = None, client: Any = None
) -> WriteResult:
    """Copy, confirm the copy's size, then delete the source (never before the copy exists)."""
    result = copy(source, destination, kms_key_id=kms_key_id, client=client)
    copied = head(destination, client=client)
    if copied is None or copied.size != result.bytes:
        raise OSError(f"the copy of {source} at {destination} is not complete; source kept")
    delete(source, client=client)
    return result


def delete(uris: str | Iterable[str], *, client: Any = None) -> int:
    """Delete one object or many (in batches of 1,000); missing ones are no error.

    Returns how many keys were asked to be deleted.
    """
    items = [uris] if isinstance(uris, str) else list(uris)
    by_bucket: dict[str, list[str]] = {}
    for uri in items:
        bucket, key = _object_uri(uri)
        by_bucket.setdefault(bucket, []).append(key)
    s3_client = client or globals()["client"]()
    for bucket, keys in by_bucket.items():
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            response = s3_client.delete_objects(Bucket=bucket, Delete={"Objects": batch})
            errors = response.get("Errors") or []
            if errors:
                first = errors[0]
                raise OSError(
                    f"could not delete s3://{bucket}/{first.get('Key')}: "
                    f"{first.get('Code')} {first.get('Message')}"
                )
    return len(items)


def wait_for(
    uri: str,
    *,
    timeout_seconds: float = 300,
    poll_seconds: float = 5,
    client: Any = None,
    sleep: Callable[[float], None] = time.sleep,
) -> ObjectInfo:
    """Poll until the object exists; return its `ObjectInfo`.

    Raises WaitTimeoutError after `timeout_seconds` (a flow can Retry it to wait longer).
    """
    deadline = time.monotonic() + timeout_seconds
    while True:
        info = head(uri, client=client)
        if info is not None:
            return info
        if time.monotonic() >= deadline:
            raise WaitTimeoutError(f"{uri} did not appear within {timeout_seconds:g} s")
        sleep(min(poll_seconds, max(0.0, deadline - time.monotonic())))


# Reusable flow tasks: static options when the flow is defined, runtime values by Var("$...").


def _record(info: ObjectInfo) -> dict[str, Any]:
    return {
        "s3_uri": info.uri,
        "bytes": info.size,
        "last_modified": info.last_modified.isoformat(),
        "etag": info.etag,
    }


def _copy_state(source: str, destination: str, kms_key_id: str | None = None) -> dict[str, Any]:
    result = copy(source, destination, kms_key_id=kms_key_id)
    return {"source": source, "s3_uri": result.s3_uri, "bytes": result.bytes}


def _move_state(source: str, destination: str, kms_key_id: str | None = None) -> dict[str, Any]:
    result = move(source, destination, kms_key_id=kms_key_id)
    return {"source": source, "s3_uri": result.s3_uri, "bytes": result.bytes}


def _delete_state(uris: str | builtins.list[str]) -> dict[str, Any]:
    return {"deleted": delete(uris)}


def _wait_for_state(
    uri: str, within_seconds: float = 300, poll_seconds: float = 5
) -> dict[str, Any]:
    return _record(wait_for(uri, timeout_seconds=within_seconds, poll_seconds=poll_seconds))


def _list_state(pattern: str, limit: int = 1000) -> builtins.list[dict[str, Any]]:
    found: builtins.list[dict[str, Any]] = []
    for info in glob(pattern):
        if len(found) == limit:
            raise ValueError(
                f"{pattern} matches more than {limit} objects: narrow the pattern, raise limit, "
                "or use a DistributedMap over S3Items"
            )
        found.append(_record(info))
    return found


copy_task = reusable_task(_copy_state, name="copy_task", state="CopyS3Object")
"""``CopyS3Object`` state: copy `source` to `destination`; result ``{source, s3_uri, bytes}``."""
move_task = reusable_task(_move_state, name="move_task", state="MoveS3Object")
"""``MoveS3Object`` state: `move`; result ``{source, s3_uri, bytes}``."""
delete_task = reusable_task(_delete_state, name="delete_task", state="DeleteS3Objects")
"""``DeleteS3Objects`` state: delete `uris` (one or a list); result ``{deleted}``."""
wait_for_task = reusable_task(_wait_for_state, name="wait_for_task", state="WaitForS3Object")
"""``WaitForS3Object`` state: `wait_for` `uri` for `within_seconds`; fails with WaitTimeoutError
(retry it to wait on)."""
list_task = reusable_task(_list_state, name="list_task", state="ListS3Objects")
"""``ListS3Objects`` state: objects matching `pattern` (at most `limit`)."""
