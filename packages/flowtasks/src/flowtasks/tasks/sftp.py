"""SFTP (paramiko): list with globs, stream files into S3 and back, host keys always verified.

::

    from flowtasks.tasks import sftp

    records = sftp.fetch_to_s3("vendor", "/outbox/*.csv", "s3://landing/vendor/",
                               after="move:/archive")
    # [{"source": "/outbox/a.csv", "s3_uri": "s3://landing/vendor/a.csv", "bytes": 1234}, ...]

`connection` is a connection name (``FLOWTASKS_CONN_<NAME>``, see `flowtasks.connections`) or an
`SftpConnection`. What this module guarantees:

- **Every match.** A pattern is a directory plus a glob on file names (``/outbox/*.csv``);
  every matching regular file is taken, optionally newer than a time and in subdirectories.
- **Streams, no temporary files.** Reads use paramiko's prefetch (many read requests in
  flight; the default buffer size, since a large one defeats prefetch), taken one reply at a
  time, over AES-GCM when the server offers it (no separate MAC to compute), straight into
  `flowtasks.tasks.s3` writers with bounded memory; several files are in flight at once
  (`DEFAULT_CONCURRENCY`). Uploads to SFTP are pipelined and land under a temporary name that is
  renamed on success.
- **Nothing lost.** A source file is deleted or moved (``after``) only once its S3 object is
  confirmed complete (its size checked); a failed or short transfer aborts the upload.
- **Safe names.** Remote names with ``/``, ``\\``, control characters, ``.`` or ``..`` are refused
  before anything is transferred (`UnsafeRemoteNameError`).
- **Host keys always verified**: against the connection's ``known_hosts`` / ``host_key``, else
  ``~/.ssh/known_hosts``; unknown or changed keys raise `HostKeyError`. Only
  ``no_host_key_check=true`` turns that off, with a warning in the log.
- **Retryable failures are named.** Dropped connections, timeouts and refused connections raise
  `SftpTransientError`, which flows ``Retry``; authentication and host-key failures are
  permanent.

Reusable flow tasks: `fetch_to_s3_task`, `s3_to_sftp_task`, `list_files_task`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import posixpath
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, TypedDict, TypeVar

from flowtasks import connections
from flowtasks.connections import SftpConnection
from flowtasks.errors import FlowtasksError
from flowtasks.tasks import s3
from flowtasks.tasks._sftp_session import (
    READ_REQUEST_SIZE,
    HostKeyError,
    NoFilesFoundError,
    RemoteFile,
    SftpAuthError,
    SftpError,
    SftpSession,
    SftpTransientError,
    UnsafeRemoteNameError,
    check_name,
    connect,
    open_prefetching,
    split_pattern,
    transient_wrapper,
    where,
)
from flowtasks.tasks.reusable import reusable_task

if TYPE_CHECKING:
    import paramiko  # loaded only when a session opens (see flowtasks.tasks._sftp_session)

__all__ = [
    "DEFAULT_CONCURRENCY",
    "READ_CHUNK_SIZE",
    "FetchRecord",
    "HostKeyError",
    "NoFilesFoundError",
    "RemoteFile",
    "SftpAuthError",
    "SftpError",
    "SftpSession",
    "SftpTransientError",
    "UnsafeRemoteNameError",
    "UploadRecord",
    "connect",
    "fetch_to_s3",
    "fetch_to_s3_task",
    "list_files",
    "list_files_task",
    "s3_to_sftp",
    "s3_to_sftp_task",
]

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY: Final = 16
"""Files transferred at once (each on its own SFTP channel of one SSH connection)."""
MEMORY_BUDGET: Final = 48 * 1024**2
"""Bytes of S3 part buffers that `fetch_to_s3` may hold across all files in flight: a large file
takes ``part_size * (s3.DEFAULT_CONCURRENCY + 1)``, a small one its size, and a file waits
while the budget is spent. So memory stays bounded whatever the sizes and the concurrency."""
READ_CHUNK_SIZE: Final = READ_REQUEST_SIZE
"""Bytes taken from a prefetching remote file per step: one read request's reply, which paramiko
hands over as it is; a larger step joins replies by copying them (1 MiB steps cost about a third
of the throughput: benchmarks/transfers.py)."""
WRITE_CHUNK_SIZE: Final = 1024**2
"""Bytes read from S3 per step when uploading to SFTP."""

T = TypeVar("T")


class FetchRecord(TypedDict):
    """One file fetched into S3."""

    source: str
    s3_uri: str
    bytes: int


class UploadRecord(TypedDict):
    """One S3 object written to SFTP."""

    s3_uri: str
    destination: str
    bytes: int


def _parse_after(after: str) -> tuple[str, str | None]:
    if after in ("keep", "delete"):
        return after, None
    if isinstance(after, str) and after.startswith("move:") and len(after) > len("move:"):
        return "move", after[len("move:") :]
    raise ValueError(f"after must be 'keep', 'delete' or 'move:<directory>', not {after!r}")


# --- operations ---------------------------------------------------------------------------------


def list_files(
    connection: str | SftpConnection,
    pattern: str,
    *,
    recursive: bool = False,
    newer_than: datetime | str | None = None,
) -> list[RemoteFile]:
    """Every regular file matching `pattern` (``/dir/*.csv``: ``*?[]`` in the name only).

    `recursive` also searches subdirectories (matching the glob against file names);
    `newer_than` (aware datetime or ISO 8601) keeps files modified after it. Symbolic links to
    files count as files. Raises FileNotFoundError when the directory does not exist and
    UnsafeRemoteNameError for a name that could escape a destination.
    """
    conn = connections.get_sftp(connection)
    with connect(conn) as session:
        try:
            return session.list(pattern, recursive=recursive, newer_than=newer_than)
        except Exception as exc:
            raise transient_wrapper("listing", conn)(exc) from exc.__cause__


def _read_chunks(remote: Any, expected: int, path: str) -> Iterator[bytes]:
    """The `expected` bytes of `remote`, in chunks; a file shorter than listed is an error.

    Stops at `expected` bytes (no extra round trip to see the end of the file); whether the
    file changed since it was listed is checked before the source is deleted or moved.
    """
    total = 0
    while total < expected:
        chunk = remote.read(min(READ_CHUNK_SIZE, expected - total))
        if not chunk:
            raise SftpTransientError(
                f"{path} shrank during the transfer ({expected} bytes listed, {total} read): "
                "nothing was uploaded; retry once the file is complete"
            )
        total += len(chunk)
        yield chunk


def _unchanged(sftp: paramiko.SFTPClient, file: RemoteFile) -> None:
    """Raise unless `file` still has the size and modification time it was listed with."""
    now = sftp.stat(file.path)
    if now.st_size != file.size or int(now.st_mtime or 0) != int(file.modified.timestamp()):
        raise SftpTransientError(
            f"{file.path} changed during the transfer (now {now.st_size} bytes, listed "
            f"{file.size}): its S3 copy may be stale, so the source was kept; retry"
        )


def _target_uri(destination: str, file: RemoteFile, count: int) -> str:
    bucket, key = s3.parse_uri(destination)
    if not key or key.endswith("/"):
        return f"s3://{bucket}/{key}{file.relative}"
    if count > 1:
        raise ValueError(
            f"destination {destination!r} is one object but the pattern matched {count} files: "
            "end it with '/' to use it as a prefix"
        )
    return destination


def fetch_to_s3(
    connection: str | SftpConnection,
    pattern: str,
    destination: str,
    *,
    after: str = "keep",
    recursive: bool = False,
    newer_than: datetime | str | None = None,
    require_files: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    part_size: int = s3.DEFAULT_PART_SIZE,
    kms_key_id: str | None = None,
) -> list[FetchRecord]:
    """Stream every file matching `pattern` into S3; one `FetchRecord` per file, sorted by path.

    `destination` ending in ``/`` is a prefix (key = prefix + path relative to the pattern's
    directory); otherwise it is one object and the pattern must match at most one file.
    `after`: ``keep``, ``delete`` or ``move:<dir>`` (renamed to ``<dir>/<relative path>``),
    applied to each file once its object is confirmed complete. `concurrency` files are in flight
    at once. Nothing matched returns ``[]``, or raises NoFilesFoundError with `require_files`.

    On a failure, files already done stay done (and their `after` applied), the failing file's
    upload is aborted and its source kept; a transient failure raises SftpTransientError.
    """
    conn = connections.get_sftp(connection)
    action, archive = _parse_after(after)
    s3.parse_uri(destination)
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    wrap = transient_wrapper("fetch_to_s3", conn)
    with connect(conn) as session:
        try:
            files = session.list(pattern, recursive=recursive, newer_than=newer_than)
        except Exception as exc:
            raise wrap(exc) from exc.__cause__
        if not files:
            if require_files:
                raise NoFilesFoundError(f"no file matches {pattern!r} on {where(conn)}")
            return []
        targets = {f.path: _target_uri(destination, f, len(files)) for f in files}
        s3_client = s3.client()
        most_parts = s3.DEFAULT_CONCURRENCY + 1
        budget = _Budget(max(MEMORY_BUDGET, part_size * most_parts))

        def fetch_one(file: RemoteFile) -> FetchRecord:
            uri = targets[file.path]
            parts = -(-file.size // part_size)  # part buffers it may hold (rounded up)
            need = max(1, file.size) if parts <= 1 else part_size * min(parts, most_parts)
            with budget.hold(need), session.channel() as sftp:
                with open_prefetching(sftp, file.path, file.size) as remote:
                    result = s3.write_stream(
                        uri,
                        _read_chunks(remote, file.size, file.path),
                        compression="none",
                        part_size=part_size,
                        kms_key_id=kms_key_id,
                        client=s3_client,
                    )
                if action != "keep":  # confirm the object and the source before touching it
                    info = s3.head(uri, client=s3_client)
                    if info is None or info.size != file.size:
                        raise SftpError(
                            f"{uri} is not complete after the upload of {file.path}; source kept"
                        )
                    _unchanged(sftp, file)
                if action == "delete":
                    sftp.remove(file.path)
                elif action == "move":
                    _move(sftp, file.path, posixpath.join(str(archive), file.relative))
            log.info("fetched %s to %s (%d bytes)", file.path, uri, result.bytes)
            return {"source": file.path, "s3_uri": uri, "bytes": result.bytes}

        return _run_all(files, fetch_one, min(concurrency, len(files)), wrap, "fetch")


class _Budget:
    """A count of bytes that threads hold and give back (a semaphore counting bytes)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._left = total
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def hold(self, amount: int) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: self._left >= amount)
            self._left -= amount
        try:
            yield
        finally:
            with self._changed:
                self._left += amount
                self._changed.notify_all()


def _run_all(
    files: list[RemoteFile],
    work: Callable[[RemoteFile], T],
    workers: int,
    wrap: Callable[[BaseException], BaseException],
    verb: str,
) -> list[T]:
    """`work` on every file, `workers` at a time; results in file order. On the first failure
    no new file starts; the error says how many files were done."""
    stop = threading.Event()

    def guarded(file: RemoteFile) -> T:
        if stop.is_set():
            raise _Skipped
        try:
            return work(file)
        except BaseException:
            stop.set()
            raise

    with ThreadPoolExecutor(workers, thread_name_prefix=f"sftp-{verb}") as pool:
        futures: list[Future[T]] = [pool.submit(guarded, f) for f in files]
    results: list[T] = []
    failures: list[tuple[RemoteFile, BaseException]] = []
    for file, future in zip(files, futures, strict=True):
        error = future.exception()
        if error is None:
            results.append(future.result())
        elif not isinstance(error, _Skipped):
            failures.append((file, error))
    if not failures:
        return results
    file, first = failures[0]
    done = f"{len(results)} of {len(files)} files done"
    error = wrap(first)
    if isinstance(error, FlowtasksError | OSError | ValueError) and error is not first:
        error.args = (f"{error.args[0]} ({file.path}; {done}; the failed ones were kept)",)
        raise error from first
    if isinstance(first, FlowtasksError):
        first.args = (f"{first.args[0]} ({done})",)
    raise first


class _Skipped(Exception):
    """A file not started because another one had failed."""


def s3_to_sftp(
    source: str,
    connection: str | SftpConnection,
    destination: str,
    *,
    overwrite: bool = True,
) -> UploadRecord:
    """Stream the object `source` to the remote path `destination` (``dir/`` keeps the key's
    file name). The bytes land in a temporary ``.<name>.<random>.part`` file, renamed over the
    destination only once complete; on failure it is removed. `overwrite=False` refuses an
    existing destination (FileExistsError).
    """
    conn = connections.get_sftp(connection)
    _bucket, key = s3.parse_uri(source)
    if destination.endswith("/"):
        name = check_name(posixpath.basename(key), source)
        target = destination + name
    else:
        target = destination
        check_name(posixpath.basename(target), posixpath.dirname(target) or ".")
    folder, name = posixpath.split(target)
    temporary = posixpath.join(folder, f".{name}.{uuid.uuid4().hex[:12]}.part")
    wrap = transient_wrapper("s3_to_sftp", conn)
    with connect(conn) as session:
        sftp = session.sftp
        try:
            if not overwrite and _exists(sftp, target):
                raise FileExistsError(f"{target} exists on {where(conn)} (overwrite=False)")
            total = 0
            try:
                with (
                    s3.open(source, "rb", compression="none") as stream,
                    sftp.open(temporary, "wb") as remote,
                ):
                    remote.set_pipelined(True)
                    while chunk := stream.read(WRITE_CHUNK_SIZE):
                        remote.write(chunk)
                        total += len(chunk)
                written = sftp.stat(temporary).st_size
                if written != total:
                    raise SftpError(f"{temporary} holds {written} bytes, not {total}")
                sftp.posix_rename(temporary, target)
            except BaseException:
                _remove_quietly(sftp, temporary)
                raise
        except Exception as exc:
            raise wrap(exc) from exc
    log.info("uploaded %s to %s (%d bytes)", source, target, total)
    return {"s3_uri": source, "destination": target, "bytes": total}


def _move(sftp: paramiko.SFTPClient, path: str, target: str) -> None:
    """Rename `path` to `target`, creating `target`'s missing folders."""
    folder = posixpath.dirname(target)
    missing: list[str] = []
    while folder not in ("", "/", ".") and not _exists(sftp, folder):
        missing.append(folder)
        folder = posixpath.dirname(folder)
    for name in reversed(missing):
        try:
            sftp.mkdir(name)
        except OSError:
            if not _exists(sftp, name):  # another worker may have just made it
                raise
    sftp.posix_rename(path, target)


def _exists(sftp: paramiko.SFTPClient, path: str) -> bool:
    try:
        sftp.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return False
        raise
    return True


def _remove_quietly(sftp: paramiko.SFTPClient, path: str) -> None:
    with contextlib.suppress(Exception):
        sftp.remove(path)


# --- reusable flow tasks ------------------------------------------------------------------------


def _check_static(static: Mapping[str, Any]) -> None:
    if "after" in static:
        _parse_after(static["after"])
    if "pattern" in static:
        split_pattern(static["pattern"])
    for key in ("destination", "source"):
        value = static.get(key)
        if isinstance(value, str) and value.startswith("s3:"):
            s3.parse_uri(value)
    if "connection" in static:
        connections.env_name(static["connection"])


def _fetch_state(
    connection: str,
    pattern: str,
    destination: str,
    after: str = "keep",
    recursive: bool = False,
    newer_than: str | None = None,
    require_files: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    kms_key_id: str | None = None,
) -> list[FetchRecord]:
    return fetch_to_s3(
        connection,
        pattern,
        destination,
        after=after,
        recursive=recursive,
        newer_than=newer_than,
        require_files=require_files,
        concurrency=concurrency,
        kms_key_id=kms_key_id,
    )


def _upload_state(
    source: str, connection: str, destination: str, overwrite: bool = True
) -> UploadRecord:
    return s3_to_sftp(source, connection, destination, overwrite=overwrite)


def _list_state(
    connection: str,
    pattern: str,
    recursive: bool = False,
    newer_than: str | None = None,
) -> list[dict[str, Any]]:
    files = list_files(connection, pattern, recursive=recursive, newer_than=newer_than)
    return [f.as_record() for f in files]


fetch_to_s3_task = reusable_task(
    _fetch_state, name="fetch_to_s3_task", state="FetchSftpToS3", check=_check_static
)
"""``FetchSftpToS3`` state: `fetch_to_s3`; result: the list of records."""
s3_to_sftp_task = reusable_task(
    _upload_state, name="s3_to_sftp_task", state="UploadS3ToSftp", check=_check_static
)
"""``UploadS3ToSftp`` state: `s3_to_sftp`; result ``{s3_uri, destination, bytes}``."""
list_files_task = reusable_task(
    _list_state, name="list_files_task", state="ListSftpFiles", check=_check_static
)
"""``ListSftpFiles`` state: `list_files`; result ``[{path, relative, size, modified}]``."""
