"""Query results as CSV straight from the server's text, for exports (`redshift.query_to_s3`).

redshift-connector turns every value into a Python object as it reads it (a Decimal, a date...),
one message and one function call at a time, about 40,000 rows/s here; a CSV writer then turns
each value back into text. For an export that work is wasted. `CsvFetches` sends a cursor's
``FETCH FORWARD n`` statements in the simple query protocol, where the server sends every
column as text, one ahead so the server works while this process does; it reads each reply in
large chunks and turns each DataRow message into a CSV line in generated straight-line code
(`row_parser`). benchmarks/redshift_export.py measures it.

It shares the driver's session: it writes to and reads from the driver's buffered socket, and
hands every message other than rows (errors, notices, parameter changes, ReadyForQuery) and the
row description to the driver's own handlers, so errors are the driver's and the session stays
usable afterwards. Those are attributes of the driver's ``Connection`` that are not its
documented API; `supports_csv_fetch` says whether a session has them, so a driver release that
renames them falls back to the driver's rows instead of failing. The integration tests run both.

Values are the database's own text for each type, as psql and UNLOAD print them: NUMERIC
exact, dates and timestamps in the session's DateStyle, bytes as ``\\x...`` hex. Exceptions, to
match the other paths: booleans are ``true``/``false`` (not ``t``/``f``), REAL and DOUBLE
PRECISION are the shortest text that reads back as the same number (`raise_float_digits` first,
since Redshift prints 6 and 15 digits by default), and NULL is an empty field (as is an empty
string: JSONL tells them apart). Fields are quoted only when they hold a comma, a quote or a
line break (RFC 4180); lines end with ``\\n``.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import math
import struct
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Final

__all__ = [
    "BOOL_OID",
    "DEFAULT_BATCH_BYTES",
    "DOUBLE_OID",
    "REAL_OID",
    "CsvBatch",
    "CsvFetches",
    "csv_header",
    "csv_line",
    "raise_float_digits",
    "shortest_real",
    "supports_csv_fetch",
]

_CHUNK: Final = 256 * 1024
_QUERY: Final = b"Q"
_ROW_DESCRIPTION: Final = ord("T")
_DATA_ROW: Final = ord("D")
_COMMAND_COMPLETE: Final = ord("C")
_READY_FOR_QUERY: Final = ord("Z")
BOOL_OID: Final = 16
"""BOOLEAN's type code (``cursor.description``): written as true/false."""
REAL_OID: Final = 700
"""REAL's type code: written as the shortest text of the same single-precision value."""
DOUBLE_OID: Final = 701
"""DOUBLE PRECISION's type code: written as the shortest text of the same double."""
_int32 = struct.Struct("!i")
_int32_at = _int32.unpack_from
_head_at = struct.Struct("!ihi").unpack_from  # DataRow: length, field count, first size


@dataclass(frozen=True)
class CsvBatch:
    """What one statement returned: column names, their type codes, how many rows, and the rows
    as CSV lines (UTF-8, each ending with a newline)."""

    columns: list[str]
    types: list[int]
    rows: int
    data: bytes


def supports_csv_fetch(session: Any) -> bool:
    """True when `session` (a redshift_connector Connection) has what `CsvFetches` uses."""
    handlers = getattr(session, "message_types", None)
    return (
        isinstance(handlers, dict)
        and all(code in handlers for code in (b"T", b"E", b"Z"))
        and all(hasattr(session, name) for name in ("_write", "_flush", "error"))
        and hasattr(getattr(session, "_sock", None), "read1")
    )


def raise_float_digits(session: Any) -> None:
    """Make the session print floating-point values with every digit (Redshift's default drops
    two), so DOUBLE PRECISION text reads back exactly."""
    session.cursor().execute("SET extra_float_digits TO 2")


DEFAULT_BATCH_BYTES: Final = 4 * 1024**2
"""CSV bytes one batch of `CsvFetches` aims at: wider rows make smaller FETCHes, so memory is
bounded by bytes whatever the rows hold."""


class CsvFetches:
    """The rows of the server-side `cursor` (declared through the driver, parameters bound
    there) as `CsvBatch` es, by ``FETCH FORWARD n``, until a reply has fewer rows than asked for.
    Iterating raises the driver's errors, as its own ``execute`` would.

    A batch holds at most about `max_bytes` of CSV: a reply larger than that comes as several
    batches, so memory is bounded by bytes whatever the rows. `n` is at most `batch_rows`: the
    first FETCHes take one row, and after each reply `n` is set so that a reply comes to about
    `max_bytes` (fewer round trips for narrow rows, no more than needed for wide ones).

    Pipelined: the next FETCH is sent before the current reply is read, so the server prepares
    one batch while this process turns the previous one into CSV (without that, each side waits
    for the other). So `close` (or ``contextlib.closing``) before the session is used again: it
    reads the reply still in flight, keeping the driver's session in step. If reading stopped in
    the middle of a reply (an interrupt, a malformed message), the stream cannot be followed any
    more: `close` then shuts the connection down, so that whatever uses the session next fails
    at once instead of reading from the middle of a message.
    """

    def __init__(
        self,
        session: Any,
        cursor: str,
        batch_rows: int,
        *,
        max_bytes: int = DEFAULT_BATCH_BYTES,
    ) -> None:
        if batch_rows < 1 or max_bytes < 1:
            raise ValueError("batch_rows and max_bytes must be at least 1")
        self._session = session
        self._cursor = cursor
        self._batch_rows = batch_rows
        self._rows = 1  # until a batch shows how wide the rows are
        self._max_bytes = max_bytes
        self._asked: deque[int] = deque()  # rows asked for by each FETCH in flight, in order
        self._received = b""  # read past what was handled: the rest of a reply, or the next
        self._reply: _Reply | None = None  # the reply being read, when a batch ended inside it
        self._asked_for_reply = 0
        self._first = True  # the first batch is returned even without rows: it has the columns
        self._done = False
        self._broken = False  # stopped in the middle of a reply
        self._send()  # the first batch

    def __iter__(self) -> CsvFetches:
        return self

    def __next__(self) -> CsvBatch:
        while not self._done:
            batch = self._step()
            if batch.rows or self._done or self._first:
                self._first = False
                return batch
        raise StopIteration

    def _step(self) -> CsvBatch:
        """Read on, up to the end of a reply or about `max_bytes` of CSV."""
        session = self._session
        self._broken = True  # until this step ends cleanly: an interrupt anywhere loses step
        try:
            if self._reply is None:  # a new reply: first ask for the one after it
                self._send()
                session.error = None
                self._reply = _Reply(session)
            reply = self._reply
            ended, self._received = reply.read(self._received, self._max_bytes)
            if ended:
                self._reply = None
                self._asked_for_reply = self._asked.popleft()
        except BaseException:
            self._done = True
            raise
        self._broken = False
        rows, data = reply.take()
        if ended:
            self._end_of_reply(reply)
        return CsvBatch(reply.columns, reply.types, rows, data)

    def _end_of_reply(self, reply: _Reply) -> None:
        """A whole reply is read (the stream in step): its error, the end, the next size."""
        for error in (self._session.error, reply.problem):
            if error is not None:
                self._done = True
                raise error
        if reply.rows < self._asked_for_reply:
            self._done = True
        elif reply.size:  # rows of this width: how many make about max_bytes
            fitting = reply.rows * self._max_bytes // reply.size
            self._rows = max(1, min(self._batch_rows, fitting))

    def close(self) -> None:
        """Read the replies still in flight (their errors follow from an earlier one, or from
        stopping early; a broken connection is reported by whoever uses it next)."""
        self._done = True
        try:
            while self._asked and not self._broken:
                reply, self._reply = self._reply or _Reply(self._session), None
                self._asked.popleft()
                try:
                    self._received = reply.read_all(self._received)
                except Exception:
                    self._broken = True  # whoever uses the session next reports it
                except BaseException:
                    self._broken = True
                    raise
                finally:
                    self._session.error = None
        finally:
            if self._broken:
                self._asked.clear()
                _shut_down(self._session)

    def _send(self) -> None:
        _send_query(self._session, f"FETCH FORWARD {self._rows} FROM {self._cursor}")
        self._asked.append(self._rows)


def _shut_down(session: Any) -> None:
    """End the connection under the driver (its next read or write fails at once)."""
    import socket

    with contextlib.suppress(AttributeError, OSError):  # already gone
        session._usock.shutdown(socket.SHUT_RDWR)


def _send_query(session: Any, sql: str) -> None:
    body = sql.encode("utf-8") + b"\x00"
    session._write(_QUERY + _int32.pack(len(body) + 4) + body)
    session._flush()


def csv_header(columns: Sequence[str]) -> bytes:
    """The header line for `columns`."""
    return (csv_line(list(columns)) + "\n").encode("utf-8")


def csv_line(fields: list[str]) -> str:
    """One CSV line (no newline) of `fields` (NULL as ""), quoting only the fields that need it."""
    line = ",".join(fields)
    if line and line.count(",") == len(fields) - 1 and not _needs_quotes(line):
        return line
    return _quoted_line(fields)


def _needs_quotes(line: str) -> bool:
    return '"' in line or "\n" in line or "\r" in line


def _quoted_line(fields: list[str]) -> str:
    # "\r\n" as the terminator makes the csv module quote fields holding either character
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(fields)
    return buffer.getvalue()[:-2]


class _Reply:
    """Reads one simple-query reply, up to and including its ReadyForQuery."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._stream = session._sock
        self.columns: list[str] = []
        self.types: list[int] = []
        self.rows = 0
        self.pieces: list[bytes] = []  # the CSV lines not handed out yet, chunk by chunk
        self.taken = 0  # bytes in `pieces`
        self.size = 0  # bytes of CSV in the whole reply
        self._handed_rows = 0
        self.problem: Exception | None = None  # raised once the whole reply is read
        self._plain: RowParser | None = None
        self._quoting: RowParser | None = None

    def read(self, pending: bytes, limit: int | None = None) -> tuple[bool, bytes]:
        """Read on: (the reply ended, the bytes received past what was handled). `pending`:
        bytes already received (the end of an earlier read). With a `limit`, returns early once
        the CSV taken and not yet handed out (`take`) reaches `limit` bytes."""
        while True:
            missing = self._missing(pending)
            if missing > _CHUNK:  # one large message: read the rest of it at once
                pending += self._read_exactly(missing)
            elif missing <= 0 and len(pending) >= 5:
                pass  # a whole message is already here (left from an earlier read)
            else:
                chunk = self._stream.read1(_CHUNK)
                if not chunk:
                    raise ConnectionResetError(
                        "the server closed the connection in the middle of a result"
                    )
                pending = pending + chunk if pending else chunk
            done, used = self._messages(pending)
            pending = pending[used:]
            if done:
                return True, pending
            if limit is not None and self.taken >= limit:
                return False, pending

    def read_all(self, pending: bytes) -> bytes:
        """Read the whole reply; returns the bytes received past its ReadyForQuery."""
        _, rest = self.read(pending)
        return rest

    def take(self) -> tuple[int, bytes]:
        """The rows read since the last `take` and their CSV lines."""
        rows, data = self.rows - self._handed_rows, b"".join(self.pieces)
        self._handed_rows = self.rows
        self.pieces.clear()
        self.taken = 0
        return rows, data

    def _read_exactly(self, size: int) -> bytes:
        data = self._stream.read(size)
        if len(data) < size:
            raise ConnectionResetError("the server closed the connection in the middle of a result")
        return bytes(data)

    @staticmethod
    def _missing(pending: bytes) -> int:
        if len(pending) < 5:
            return 0
        (size,) = _int32_at(pending, 1)
        return 1 + int(size) - len(pending)

    def _messages(self, data: bytes) -> tuple[bool, int]:
        """Handle the whole messages in `data`: (ReadyForQuery seen, bytes used)."""
        # Rows are cut out as latin-1 text (one character per byte) and the lines encoded back
        # the same way: UTF-8 passes through byte for byte, and every character a CSV line
        # depends on (, " \\r \\n) is ASCII, which never occurs inside a UTF-8 sequence.
        text = data.decode("latin-1")
        end = len(data)
        position = 0
        while end - position >= 5:
            code = data[position]
            if code == _DATA_ROW:
                after = self._data_rows(data, text, position, end)
                if after == position:  # an incomplete row: wait for the rest
                    break
                position = after
                continue
            (size,) = _int32_at(data, position + 1)
            after = position + 1 + size
            if after > end:
                break
            self._other(code, data[position + 5 : after])
            if code == _READY_FOR_QUERY:
                return True, after
            position = after
        return False, position

    def _data_rows(self, data: bytes, text: str, position: int, end: int) -> int:
        """Turn the DataRow messages from `position` on into CSV; returns where they stop."""
        if self._plain is None or self._quoting is None:
            raise _protocol_error("a row came before its description")
        lines: list[str] = []
        after = self._plain(data, text, position, end, lines)
        joined = plain_lines(lines, len(self.types)) if lines else ""
        if joined is None:  # some field needs quotes: again, line by line
            lines.clear()
            after = self._quoting(data, text, position, end, lines)
            joined = "\n".join(lines)
        if lines:
            encoded = joined.encode("latin-1")
            self.pieces += (encoded, b"\n")
            self.taken += len(encoded) + 1
            self.size += len(encoded) + 1
            self.rows += len(lines)
        return after

    def _other(self, code: int, payload: bytes) -> None:
        if code == _ROW_DESCRIPTION:
            cursor = SimpleNamespace(ps={"row_desc": []})
            self._session.message_types[b"T"](payload, cursor)
            fields = cursor.ps["row_desc"]
            self.columns = [bytes(f["label"]).decode("utf-8", "replace") for f in fields]
            self.types = [int(f["type_oid"]) for f in fields]
            if any(f.get("format", 0) != 0 for f in fields):
                self.problem = _protocol_error("a column was not sent as text")
            elif not fields:
                self.problem = ValueError("the query returns no columns: there is nothing to write")
            kinds = tuple(_kind(oid) for oid in self.types)
            self._plain = row_parser(kinds, quoting=False)
            self._quoting = row_parser(kinds, quoting=True)
            return
        handler = self._session.message_types.get(bytes((code,)))
        if handler is not None and code != _COMMAND_COMPLETE:  # that one updates a real cursor
            handler(payload, None)


def _protocol_error(what: str) -> Exception:
    from redshift_connector.error import InterfaceError

    return InterfaceError(f"unexpected reply from the server: {what}")


RowParser = Callable[[bytes, str, int, int, list[str]], int]
"""``parse(data, text, position, end, lines) -> position``: appends one CSV line per DataRow
message from `position` on, stopping at the first other or incomplete message; returns where it
stopped. `text` is `data` decoded as latin-1."""

_TEXT, _BOOL, _FLOAT4, _FLOAT8 = "text", "bool", "float4", "float8"


def _kind(oid: int) -> str:
    return {BOOL_OID: _BOOL, REAL_OID: _FLOAT4, DOUBLE_OID: _FLOAT8}.get(oid, _TEXT)


def _float8_text(value: str) -> str:
    """The shortest text that reads back as the same double (the server sent all its digits)."""
    number = float(value)
    return repr(number) if math.isfinite(number) else value


_single = struct.Struct("!f")


def shortest_real(value: str) -> str:
    """`value`, a REAL's text from the server or a float the driver widened from a REAL, as
    the shortest text that reads back as the same single-precision value. Redshift (with
    extra_float_digits 2) sends 0.3 as 0.30000001, and the driver widens it to
    0.30000001192092896: both give 0.3, as PostgreSQL 12+ prints it. Redshift sends at most 8
    significant digits, so a few REAL values (about 1.5%) are not exact there: cast to DOUBLE
    PRECISION when every bit matters."""
    number = float(value)
    if not math.isfinite(number):
        return value
    (single,) = _single.unpack(_single.pack(number))
    for digits in range(1, 10):  # 9 significant digits always read back exactly
        text = f"{single:.{digits}g}"
        with contextlib.suppress(OverflowError):  # rounded past the largest REAL
            if _single.unpack(_single.pack(float(text)))[0] == single:
                return text
    return value


@functools.lru_cache(maxsize=64)
def row_parser(kinds: tuple[str, ...], *, quoting: bool) -> RowParser:
    """The `RowParser` for rows whose columns are `kinds` (``text``, ``bool``, ``float4``,
    ``float8``).

    ``quoting=False`` writes each line as its fields joined by commas, with no check: use it when
    `plain_lines` then confirms that no field needed quotes, else parse again with
    ``quoting=True``, which quotes the fields that need it line by line.

    Generated as straight-line code for that many columns, like `collections.namedtuple` and
    `dataclasses` do: with no loop over fields and no list to grow, it turns rows into lines
    about 1.5x faster than a loop over fields. The source is built from `kinds` only (never from
    data).
    """
    if not kinds:
        return _rows_without_columns
    names = [f"f{k}" for k in range(len(kinds))]
    body = [
        "def parse(data, text, position, end, lines):",
        "    append = lines.append",
        "    while end - position >= 11 and data[position] == 68:",
        # Int32 length, Int16 field count, then per field an Int32 size (-1: NULL) and its bytes
        "        length, count, size = head_at(data, position + 1)",
        "        after = position + 1 + length",
        "        if after > end:",
        "            break",
        f"        if count != {len(kinds)}:",
        "            raise protocol_error('a row with another number of columns')",
        "        i = position + 11",
    ]
    for k, (name, kind) in enumerate(zip(names, kinds, strict=True)):
        value = {
            _TEXT: "text[i : i + size]",
            _BOOL: "'true' if data[i] == 116 else 'false'",
            _FLOAT4: "float4_text(text[i : i + size])",
            _FLOAT8: "float8_text(text[i : i + size])",
        }[kind]
        if k:
            body += ["        size = int32_at(data, i)[0]", "        i += 4"]
        body += [
            "        if size < 0:",
            f"            {name} = ''",
            "        else:",
            f"            {name} = {value}",
            "            i += size",
        ]
    line = ",".join("{" + name + "}" for name in names)
    body += [
        "        if i != after:",
        "            raise protocol_error('a row of another length')",
    ]
    if quoting:
        body += [
            f"        line = f'{line}'",
            f"        if not line or line.count(',') != {len(kinds) - 1} or '\"' in line"
            " or '\\n' in line or '\\r' in line:",
            f"            line = quoted_line([{', '.join(names)}])",
            "        append(line)",
        ]
    else:
        body += [f"        append(f'{line}')"]
    body += ["        position = after", "    return position"]
    namespace: dict[str, Any] = {
        "head_at": _head_at,
        "int32_at": _int32_at,
        "quoted_line": _quoted_line,
        "float4_text": shortest_real,
        "float8_text": _float8_text,
        "protocol_error": _protocol_error,
    }
    exec("\n".join(body), namespace)  # source built from column kinds only, see above
    parser: RowParser = namespace["parse"]
    return parser


def _rows_without_columns(data: bytes, text: str, position: int, end: int, lines: list[str]) -> int:
    """The `RowParser` of a result with no columns (PostgreSQL allows ``SELECT FROM t``): an
    empty line per row."""
    while end - position >= 7 and data[position] == _DATA_ROW:
        after = position + 1 + int(_int32_at(data, position + 1)[0])
        if after > end:
            break
        lines.append("")
        position = after
    return position


def plain_lines(lines: list[str], columns: int) -> str | None:
    """`lines` joined by newlines when they are valid CSV as they are: no field held a comma,
    a quote or a line break (and no single-column line is empty); else None."""
    joined = "\n".join(lines)
    if (
        columns > 1
        and joined.count(",") == len(lines) * (columns - 1)
        and joined.count("\n") == len(lines) - 1
        and '"' not in joined
        and "\r" not in joined
    ):
        return joined
    return None
