"""SFTP sessions (paramiko): host-key verification, key loading, errors, safe remote names.

The machinery under `flowtasks.tasks.sftp` (which re-exports the public names): `connect` opens
one SSH connection whose SFTP channels can be lent to worker threads; `SftpSession.list` finds
every file matching a pattern. Errors: `SftpTransientError` (retry), `SftpAuthError`,
`HostKeyError`, `UnsafeRemoteNameError`, `NoFilesFoundError`, all `SftpError`.

paramiko loads only when a session opens (or an error is classified): importing this module, as
every task module that imports `flowtasks.tasks.sftp` does at the runner's start, costs no
paramiko import (a test checks it). So paramiko is imported inside the functions that need it,
and the host-key policy class is made on first use (`_host_key_policy`).
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import io
import logging
import posixpath
import queue
import re
import socket
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from flowtasks import connections
from flowtasks.connections import ConnectionConfigError, SftpConnection
from flowtasks.errors import FlowtasksError

if TYPE_CHECKING:
    import paramiko

log = logging.getLogger("flowtasks.tasks.sftp")

WINDOW_SIZE: Final = 8 * 1024**2
"""SSH channel window: bytes the server may send before we read them (paramiko: 2 MiB)."""
MAX_PACKET_SIZE: Final = 256 * 1024
"""Largest SSH packet we accept (paramiko: 32 KiB, too small for large SFTP reads)."""
READ_REQUEST_SIZE: Final = 255 * 1024
"""Bytes per SFTP read request: OpenSSH's sftp-server maximum (paramiko: 32 KiB). A server
that answers with fewer bytes is still read correctly (paramiko reads the rest itself)."""


FAST_CIPHERS: Final = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com")
"""Ciphers asked for first: AES-GCM authenticates as it decrypts, where paramiko's default
(aes128-ctr) adds an HMAC-SHA2 over every packet, about a third of the CPU of a large read
(benchmarks/transfers.py). The server picks the first of ours it also offers; paramiko's
defaults follow, for servers without GCM."""


def _transport(sock: Any, **options: Any) -> paramiko.Transport:
    import paramiko

    transport = paramiko.Transport(
        sock, default_window_size=WINDOW_SIZE, default_max_packet_size=MAX_PACKET_SIZE, **options
    )
    security = transport.get_security_options()
    offered = tuple(security.ciphers)
    security.ciphers = tuple(c for c in FAST_CIPHERS if c in offered) + tuple(
        c for c in offered if c not in FAST_CIPHERS
    )
    return transport


def open_prefetching(sftp: paramiko.SFTPClient, path: str, size: int) -> paramiko.SFTPFile:
    """`path` opened for reading with every read request of its `size` bytes in flight.

    Requests of `READ_REQUEST_SIZE`, the default buffer size (a large one defeats prefetch);
    memory stays bounded by the channel window, since unread replies are not acknowledged.
    """
    remote = sftp.open(path, "rb")
    remote.MAX_REQUEST_SIZE = READ_REQUEST_SIZE
    if size > READ_REQUEST_SIZE:  # smaller files come in one request, no prefetch thread
        remote.prefetch(size)
    return remote


class SftpError(FlowtasksError):
    """Root of this module's errors."""


class SftpTransientError(SftpError):
    """A transient failure (connection dropped, refused or timed out): retry the state."""


class SftpAuthError(SftpError):
    """Authentication failed (wrong key, password or passphrase): fix the connection."""


class HostKeyError(SftpError):
    """The server's host key is unknown or does not match the pinned one."""


class UnsafeRemoteNameError(SftpError, ValueError):
    """A remote name would escape its destination (``..``, ``/``, control characters)."""


class NoFilesFoundError(SftpError):
    """Nothing matched and the caller asked for at least one file (``require_files``)."""


@dataclass(frozen=True)
class RemoteFile:
    """A matched remote file: `path` (as the server names it), `relative` (to the pattern's
    directory: the suffix of its S3 key), `size` in bytes, `modified` (UTC)."""

    path: str
    relative: str
    size: int
    modified: datetime

    def as_record(self) -> dict[str, Any]:
        """JSON data: ``{path, relative, size, modified}`` (ISO 8601)."""
        return {
            "path": self.path,
            "relative": self.relative,
            "size": self.size,
            "modified": self.modified.isoformat(),
        }


# --- names and patterns -------------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def check_name(name: str, where: str) -> str:
    """`name` if it is a safe single path component; else UnsafeRemoteNameError."""
    if name in ("", ".", "..") or _UNSAFE.search(name):
        raise UnsafeRemoteNameError(
            f"remote name {name!r} in {where!r} is refused: names with '/', '\\', control "
            "characters, '.' or '..' could escape the destination; nothing was transferred"
        )
    return name


def split_pattern(pattern: str) -> tuple[str, str]:
    if not isinstance(pattern, str) or not pattern.strip() or pattern.endswith("/"):
        raise ValueError(
            f"pattern {pattern!r} must name files: a directory and a glob, e.g. /outbox/*.csv"
        )
    directory, glob = posixpath.split(pattern)
    if re.search(r"[*?\[]", directory):
        raise ValueError(
            f"pattern {pattern!r}: wildcards go in the file name only (use recursive=True to "
            "search subdirectories)"
        )
    return directory or ".", glob


def newer_than_time(value: datetime | str | None) -> datetime | None:
    """`newer_than` as an aware datetime (None: no limit), read by the project's one timestamp
    parser, `flowtasks.history.parse_time`.

    A time without a zone is refused (ValueError), where parse_time would take it as UTC: the
    caller's clock is unknown, and a wrong guess would skip or repeat files. Text names no zone
    exactly when parse_time still reads it with an offset appended.
    """
    from flowtasks.history import parse_time  # here: history costs ~7 ms to import

    if value is None:
        return None
    if not isinstance(value, datetime | str):
        raise TypeError(
            f"newer_than must be an aware datetime or ISO 8601 text, not {type(value).__name__}"
        )
    moment = parse_time(value)
    if moment is None:
        raise ValueError(f"newer_than {value!r} is not an ISO 8601 time")
    naive = (
        value.tzinfo is None
        if isinstance(value, datetime)
        else parse_time(value + "+00:00") is not None
    )
    if naive:
        raise ValueError("newer_than needs a time zone (e.g. 2024-01-31T00:00:00+00:00)")
    return moment


# --- errors -------------------------------------------------------------------------------------

_TRANSIENT_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.EPIPE,
    errno.ETIMEDOUT,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.ENETDOWN,
}


def is_transient(exc: BaseException) -> bool:
    """True for failures a retry may cure (dropped, refused or timed-out connections)."""
    if isinstance(exc, SftpTransientError):
        return True
    import paramiko

    if isinstance(exc, paramiko.AuthenticationException | paramiko.BadHostKeyException):
        return False
    if isinstance(exc, EOFError | TimeoutError | socket.timeout | ConnectionError):
        return True
    if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
        return True
    if isinstance(exc, paramiko.SSHException):
        return not isinstance(exc, paramiko.ssh_exception.IncompatiblePeer)
    if isinstance(exc, OSError):
        return exc.errno in _TRANSIENT_ERRNOS or (exc.errno is None and "closed" in str(exc))
    return False


def where(conn: SftpConnection) -> str:
    return f"{conn.username}@{conn.host}:{conn.port} (connection {conn.name!r})"


# --- sessions -----------------------------------------------------------------------------------


def _host_key_policy(conn: SftpConnection) -> paramiko.MissingHostKeyPolicy:
    """The policy for a host key that is in no known_hosts / host_key: refuse it (HostKeyError)
    unless `conn` says no_host_key_check, then accept it with a warning."""
    return _host_key_policy_class()(conn)


@cache
def _host_key_policy_class() -> Callable[[SftpConnection], paramiko.MissingHostKeyPolicy]:
    """The policy's class, made once, on first use (it subclasses a paramiko class)."""
    import paramiko

    class HostKeyPolicy(paramiko.MissingHostKeyPolicy):
        def __init__(self, conn: SftpConnection) -> None:
            self.conn = conn

        def missing_host_key(
            self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
        ) -> None:
            if self.conn.no_host_key_check:
                log.warning(
                    "host key of %s NOT verified (no_host_key_check=true): %s %s",
                    hostname,
                    key.get_name(),
                    key.fingerprint,
                )
                return
            variable = connections.env_name(self.conn.name)
            raise HostKeyError(
                f"the host key of {hostname} is unknown ({key.get_name()} {key.fingerprint}): "
                f"pin it with known_hosts=PATH or host_key=... in {variable}"
            )

    return HostKeyPolicy


def _host_name(conn: SftpConnection) -> str:
    return conn.host if conn.port == 22 else f"[{conn.host}]:{conn.port}"


def _load_host_keys(client: paramiko.SSHClient, conn: SftpConnection) -> None:
    import paramiko

    variable = connections.env_name(conn.name)
    keys = client.get_host_keys()
    if conn.known_hosts:
        path = Path(conn.known_hosts).expanduser()
        if not path.is_file():
            raise ConnectionConfigError(variable, f"known_hosts file {path} does not exist")
        keys.load(str(path))
    elif conn.host_key:
        for line in conn.host_key.replace(";", "\n").splitlines():
            fields = line.split()
            if not fields or line.lstrip().startswith("#"):
                continue
            if len(fields) == 2:
                line = f"{_host_name(conn)} {line.strip()}"
            entry = paramiko.hostkeys.HostKeyEntry.from_line(line)
            if entry is None or entry.key is None:
                raise ConnectionConfigError(
                    variable, "host_key must be '<type> <base64>' or known_hosts lines"
                )
            for name in entry.hostnames:
                keys.add(name, entry.key.get_name(), entry.key)
    elif not conn.no_host_key_check:
        client.load_system_host_keys()


def _private_key(conn: SftpConnection) -> paramiko.PKey | None:
    import paramiko

    passphrase = conn.private_key_passphrase.reveal() if conn.private_key_passphrase else None
    variable = connections.env_name(conn.name)
    try:
        if conn.key_file:
            path = Path(conn.key_file).expanduser()
            if not path.is_file():
                raise ConnectionConfigError(variable, f"key_file {path} does not exist")
            return _key_from_text(path.read_text(), passphrase)
        if conn.private_key:
            return _key_from_text(conn.private_key.reveal(), passphrase)
    except ConnectionConfigError:
        raise
    except (paramiko.SSHException, ValueError, TypeError) as exc:
        hint = (
            "wrong private_key_passphrase"
            if passphrase
            else "it may need private_key_passphrase, or is not a private key"
        )
        raise SftpAuthError(
            f"{variable}: the private key could not be loaded ({hint}; {type(exc).__name__})"
        ) from None
    return None


def _key_from_text(text: str, passphrase: str | None) -> paramiko.PKey:
    import paramiko
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    data = text.encode()
    secret = passphrase.encode() if passphrase else None
    try:
        loaded: Any = serialization.load_ssh_private_key(data, secret)
    except ValueError:
        loaded = serialization.load_pem_private_key(data, secret)
    classes: list[tuple[type[Any], type[paramiko.PKey]]] = [
        (rsa.RSAPrivateKey, paramiko.RSAKey),
        (ed25519.Ed25519PrivateKey, paramiko.Ed25519Key),
        (ec.EllipticCurvePrivateKey, paramiko.ECDSAKey),
    ]
    for crypto_class, key_class in classes:
        if isinstance(loaded, crypto_class):
            return key_class.from_private_key(io.StringIO(text), password=passphrase)
    raise ValueError("unsupported key type")


class SftpSession:
    """One SSH connection with SFTP channels. Use `connect` (a context manager).

    `sftp` is the main channel; `channel` lends one per thread for concurrent transfers.
    """

    def __init__(self, conn: SftpConnection) -> None:
        import paramiko

        self.conn = conn
        self.client = paramiko.SSHClient()
        self._spare: queue.SimpleQueue[paramiko.SFTPClient] = queue.SimpleQueue()
        self._channels: list[paramiko.SFTPClient] = []
        self._lock = threading.Lock()
        _load_host_keys(self.client, conn)
        self.client.set_missing_host_key_policy(_host_key_policy(conn))
        pkey = _private_key(conn)
        try:
            self.client.connect(
                conn.host,
                conn.port,
                username=conn.username,
                password=conn.password.reveal() if conn.password else None,
                pkey=pkey,
                timeout=conn.timeout,
                banner_timeout=conn.timeout,
                auth_timeout=conn.timeout,
                channel_timeout=conn.timeout,
                look_for_keys=False,
                allow_agent=False,
                transport_factory=_transport,
            )
            self.sftp = self._open_channel()
        except HostKeyError:
            self.client.close()
            raise
        except paramiko.BadHostKeyException as exc:
            self.client.close()
            raise HostKeyError(
                f"the host key of {where(conn)} does not match the pinned one (got "
                f"{exc.key.get_name()} {exc.key.fingerprint}): refusing to connect; if the "
                "server's key really changed, update known_hosts / host_key"
            ) from None
        except paramiko.AuthenticationException as exc:
            self.client.close()
            raise SftpAuthError(
                f"authentication to {where(conn)} failed ({type(exc).__name__}): check the "
                "user, key or password of the connection"
            ) from None
        except Exception as exc:
            self.client.close()
            if is_transient(exc):
                raise SftpTransientError(
                    f"cannot reach {where(conn)}: {type(exc).__name__}: {exc}"
                ) from exc
            raise

    def _open_channel(self) -> paramiko.SFTPClient:
        sftp = self.client.open_sftp()
        sftp.get_channel().settimeout(self.conn.timeout)  # type: ignore[union-attr]
        with self._lock:
            self._channels.append(sftp)
        return sftp

    def channel(self) -> _Lease:
        """A context manager lending an SFTP channel of this connection to one thread."""
        return _Lease(self)

    def close(self) -> None:
        """Close every channel and the connection."""
        for sftp in self._channels:
            with contextlib.suppress(Exception):
                sftp.close()
        self.client.close()

    def __enter__(self) -> SftpSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def list(
        self,
        pattern: str,
        *,
        recursive: bool = False,
        newer_than: datetime | str | None = None,
    ) -> list[RemoteFile]:
        """Every regular file matching `pattern`, sorted by path (see `list_files`)."""
        directory, glob = split_pattern(pattern)
        since = newer_than_time(newer_than)
        found: list[RemoteFile] = []
        pending = [(directory, "")]
        while pending:
            folder, prefix = pending.pop()
            try:
                entries = self.sftp.listdir_attr(folder)
            except OSError as exc:
                if is_transient(exc):
                    raise SftpTransientError(
                        f"listing {folder} on {where(self.conn)}: {exc}"
                    ) from exc
                if isinstance(exc, FileNotFoundError) or exc.errno == errno.ENOENT:
                    raise FileNotFoundError(
                        f"directory {folder!r} does not exist on {where(self.conn)}"
                    ) from None
                raise
            for entry in entries:
                name = check_name(entry.filename, folder)
                path = posixpath.join(folder, name)
                mode = entry.st_mode or 0
                if stat.S_ISLNK(mode):
                    try:
                        entry = self.sftp.stat(path)
                    except OSError:
                        continue  # a dangling link: nothing to fetch
                    mode = entry.st_mode or 0
                if stat.S_ISDIR(mode):
                    if recursive:
                        pending.append((path, f"{prefix}{name}/"))
                    continue
                if not stat.S_ISREG(mode) or not fnmatch.fnmatchcase(name, glob):
                    continue
                modified = datetime.fromtimestamp(entry.st_mtime or 0, UTC)
                if since is not None and modified <= since:
                    continue
                found.append(RemoteFile(path, f"{prefix}{name}", entry.st_size or 0, modified))
        return sorted(found, key=lambda f: f.path)


class _Lease:
    def __init__(self, session: SftpSession) -> None:
        self.session = session
        self.sftp: paramiko.SFTPClient | None = None

    def __enter__(self) -> paramiko.SFTPClient:
        try:
            self.sftp = self.session._spare.get_nowait()
        except queue.Empty:
            self.sftp = self.session._open_channel()
        return self.sftp

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self.sftp is not None and exc_type is None:
            self.session._spare.put(self.sftp)


def connect(connection: str | SftpConnection) -> SftpSession:
    """An `SftpSession` to the server of `connection` (use it in ``with``).

    Raises ConnectionConfigError, HostKeyError, SftpAuthError or SftpTransientError.
    """
    return SftpSession(connections.get_sftp(connection))


def transient_wrapper(
    action: str, conn: SftpConnection
) -> Callable[[BaseException], BaseException]:
    def wrap(exc: BaseException) -> BaseException:
        if is_transient(exc) and not isinstance(exc, SftpTransientError):
            error = SftpTransientError(
                f"{action} on {where(conn)} failed: {type(exc).__name__}: {exc}"
            )
            error.__cause__ = exc
            return error
        return exc

    return wrap
