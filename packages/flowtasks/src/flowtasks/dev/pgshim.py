"""A loopback shim that lets redshift-connector (the real Redshift driver) talk to PostgreSQL.

redshift-connector speaks PostgreSQL's wire protocol v3 with two Redshift habits PostgreSQL
refuses:

- its startup message carries Redshift-only parameters (``client_protocol_version``,
  ``driver_version``, ``os_version``, ``driver_discovery_version``, ...), and PostgreSQL ends the
  connection on an unknown startup parameter;
- it parses the ``server_version`` ParameterStatus strictly, so a Debian build's
  ``15.6 (Debian 15.6-0+deb12u1)`` fails to parse.

The shim listens on 127.0.0.1, accepts each client, answers an SSLRequest with "no" (the stand-in
has no TLS; connect with ``ssl=False``), drops those startup parameters, forwards everything else
byte for byte, and trims ``server_version`` to its leading ``15.6``. Authentication (md5) passes
through untouched: the shim never sees a password in clear.

Nothing of this exists in production: a real Redshift cluster takes the driver's messages as
they are. The shim is the only thing between the driver and PostgreSQL, so tests exercise the
real driver end to end.

Run it inside an asyncio loop (`PgShim.start`) or in a thread of its own (`PgShim.run_in_thread`).
"""

from __future__ import annotations

import asyncio
import re
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["REDSHIFT_ONLY_PARAMETERS", "PgShim", "rewrite_parameter_status", "rewrite_startup"]

REDSHIFT_ONLY_PARAMETERS = frozenset(
    {
        "client_protocol_version",
        "driver_version",
        "os_version",
        "driver_discovery_version",
        "plugin_name",
        "idp_type",
        "provider_name",
        "token_type",
        "identity_namespace",
    }
)
"""Startup parameters redshift-connector may send that PostgreSQL does not know."""

PROTOCOL_V3 = 196608
SSL_REQUEST = 80877103
GSS_REQUEST = 80877104
CANCEL_REQUEST = 80877102
MAX_STARTUP_BYTES = 10_000  # PostgreSQL's own limit on a startup packet
_VERSION = re.compile(rb"^\d+(\.\d+)*")


def rewrite_startup(body: bytes) -> bytes:
    """A v3 startup message `body` (after its length word) without Redshift-only parameters."""
    (protocol,) = struct.unpack("!i", body[:4])
    if protocol != PROTOCOL_V3:
        return body
    fields = body[4:].split(b"\x00")
    pairs = [(fields[i], fields[i + 1]) for i in range(0, len(fields) - 1, 2) if fields[i]]
    kept = b"".join(
        key + b"\x00" + value + b"\x00"
        for key, value in pairs
        if key.decode("utf-8", "replace") not in REDSHIFT_ONLY_PARAMETERS
    )
    return body[:4] + kept + b"\x00"


def rewrite_parameter_status(payload: bytes) -> bytes:
    """A ParameterStatus payload (``key\\0value\\0``) with ``server_version`` trimmed to digits."""
    key, _, rest = payload.partition(b"\x00")
    if key != b"server_version":
        return payload
    value = rest.rstrip(b"\x00")
    match = _VERSION.match(value)
    return key + b"\x00" + (match.group(0) if match else value) + b"\x00"


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def _pipe_server_messages(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Forward the server's start-up messages, rewriting ParameterStatus ('S') ones, until the
    first ReadyForQuery ('Z'); then relay bytes unparsed (``server_version`` never changes)."""
    try:
        while True:
            header = await reader.readexactly(5)
            kind, length = header[:1], struct.unpack("!i", header[1:])[0]
            payload = await reader.readexactly(length - 4)
            if kind == b"S":
                payload = rewrite_parameter_status(payload)
                header = kind + struct.pack("!i", len(payload) + 4)
            writer.write(header + payload)
            await writer.drain()
            if kind == b"Z":
                break
    except (ConnectionError, asyncio.IncompleteReadError):
        writer.close()
        return
    await _pipe(reader, writer)


@dataclass
class PgShim:
    """Listens on 127.0.0.1:`port` (0: any free port) and relays to PostgreSQL at `upstream`."""

    upstream_port: int
    port: int = 0
    upstream_host: str = "127.0.0.1"
    _server: asyncio.Server | None = field(default=None, repr=False)
    _connections: set[asyncio.StreamWriter] = field(default_factory=set, repr=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, repr=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)

    async def start(self) -> int:
        """Start listening on the running loop; returns the port."""
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def close(self) -> None:
        """Stop listening and drop every relayed connection."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        self.drop_connections()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)

    def drop_connections(self) -> int:
        """Cut every relayed connection at once (as a network failure would); returns how many.

        Call it on the shim's loop; from another thread, ``shim.call_soon(shim.drop_connections)``.
        """
        count = len(self._tasks)
        for writer in list(self._connections):
            writer.transport.abort()
        return count

    async def _read_startup(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bytes:
        while True:
            (length,) = struct.unpack("!i", await reader.readexactly(4))
            if not 8 <= length <= MAX_STARTUP_BYTES:
                raise ConnectionError(f"bad startup packet length {length}")
            body = await reader.readexactly(length - 4)
            (code,) = struct.unpack("!i", body[:4])
            if code not in (SSL_REQUEST, GSS_REQUEST):
                return body
            writer.write(b"N")  # no TLS, no GSS encryption: the client goes on in clear
            await writer.drain()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        upstream_writer: asyncio.StreamWriter | None = None
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            body = await self._read_startup(reader, writer)
            up_reader, upstream_writer = await asyncio.open_connection(
                self.upstream_host, self.upstream_port
            )
            self._connections.add(upstream_writer)
            startup = rewrite_startup(body)
            upstream_writer.write(struct.pack("!i", len(startup) + 4) + startup)
            await upstream_writer.drain()
            if struct.unpack("!i", body[:4])[0] == CANCEL_REQUEST:
                await _pipe(up_reader, writer)
                return
            await asyncio.gather(
                _pipe(reader, upstream_writer), _pipe_server_messages(up_reader, writer)
            )
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            writer.close()
            self._connections.discard(writer)
            if upstream_writer is not None:
                upstream_writer.close()
                self._connections.discard(upstream_writer)
            if task is not None:
                self._tasks.discard(task)

    def call_soon(self, function: Callable[[], object]) -> None:
        """Run `function` on the shim's loop (started by `run_in_thread`), from any thread."""
        assert self._loop is not None, "the shim is not running in a thread"
        self._loop.call_soon_threadsafe(function)

    def run_in_thread(self) -> Callable[[], None]:
        """Serve from a daemon thread with its own loop; returns a function that stops it."""
        loop = self._loop = asyncio.new_event_loop()
        started = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            started.set()
            loop.run_forever()
            loop.run_until_complete(self.close())
            loop.close()

        thread = threading.Thread(target=serve, name="pgshim", daemon=True)
        thread.start()
        started.wait(10)

        def stop() -> None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)

        return stop
