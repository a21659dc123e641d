"""The CSV fast path of query_to_s3 (`flowtasks.tasks._redshift_text`), offline: DataRow
messages built here byte for byte as PostgreSQL and Redshift send them in text format."""

from __future__ import annotations

import csv
import io
import struct
from contextlib import closing

import pytest
from redshift_connector.error import InterfaceError

from flowtasks.tasks._redshift_text import (
    CsvFetches,
    csv_header,
    csv_line,
    plain_lines,
    row_parser,
)


def _data_row(*values: str | None) -> bytes:
    body = struct.pack("!h", len(values))
    for value in values:
        if value is None:
            body += struct.pack("!i", -1)
        else:
            raw = value.encode("utf-8")
            body += struct.pack("!i", len(raw)) + raw
    return b"D" + struct.pack("!i", len(body) + 4) + body


def _csv_of(kinds: tuple[str, ...], *rows: tuple[str | None, ...]) -> str:
    """What the reply path writes: plain lines when they are valid CSV, else quoted ones."""
    data = b"".join(_data_row(*row) for row in rows)
    text = data.decode("latin-1")
    lines: list[str] = []
    end = row_parser(kinds, quoting=False)(data, text, 0, len(data), lines)
    assert end == len(data)
    joined = plain_lines(lines, len(kinds))
    if joined is None:
        lines = []
        assert row_parser(kinds, quoting=True)(data, text, 0, len(data), lines) == len(data)
        joined = "\n".join(lines)
    return (joined + "\n").encode("latin-1").decode("utf-8")


def test_plain_rows_become_comma_joined_lines_with_null_as_an_empty_field() -> None:
    out = _csv_of(("text",) * 3, ("1", "alpha", "2026-01-02"), ("2", None, ""))
    assert out == "1,alpha,2026-01-02\n2,,\n"


def test_fields_that_need_it_are_quoted_as_rfc_4180_says_and_read_back() -> None:
    rows = [("a,b", 'say "hi"'), ("line\nbreak", "carriage\rreturn"), ("plain", "")]
    out = _csv_of(("text", "text"), *rows)
    assert out.splitlines()[0] == '"a,b","say ""hi"""'
    assert list(csv.reader(io.StringIO(out, newline=""))) == [list(r) for r in rows]


def test_utf8_text_passes_through_byte_for_byte() -> None:
    rows = [("Zoë", "東京, 日本"), ("naïve", "emoji 🚀")]
    out = _csv_of(("text", "text"), *rows)
    assert list(csv.reader(io.StringIO(out, newline=""))) == [list(r) for r in rows]


def test_reals_are_the_shortest_text_of_the_same_single_precision_value() -> None:
    # Redshift with extra_float_digits 2 sends REAL with 8 or 9 significant digits
    out = _csv_of(
        ("float4",), ("0.30000001",), ("0.69999999",), ("3.40282347e+38",), ("NaN",), ("1e-40",)
    )
    assert out == "0.3\n0.7\n3.4028235e+38\nNaN\n1e-40\n"  # as PostgreSQL 12+ prints them


def test_booleans_are_true_false_and_floats_the_shortest_exact_text() -> None:
    kinds = ("bool", "float8", "float8")
    out = _csv_of(
        kinds,
        ("t", "0.10000000000000001", "0.33333333333333331"),  # Redshift, extra_float_digits 2
        ("f", "NaN", "-Infinity"),
        (None, None, "1e+300"),
    )
    assert out == "true,0.1,0.3333333333333333\nfalse,NaN,-Infinity\n,,1e+300\n"


def test_a_single_column_keeps_empty_values_visible() -> None:
    assert _csv_of(("text",), ("x",), ("",), (None,)) == 'x\n""\n""\n'


def test_an_incomplete_row_is_left_for_the_next_read() -> None:
    first, second = _data_row("1", "a"), _data_row("2", "b")
    data = first + second[:-3]
    lines: list[str] = []
    end = row_parser(("text", "text"), quoting=False)(
        data, data.decode("latin-1"), 0, len(data), lines
    )
    assert (end, lines) == (len(first), ["1,a"])


def test_parsing_stops_at_a_message_that_is_not_a_row() -> None:
    complete = b"C" + struct.pack("!i", 13) + b"FETCH 1\x00"
    data = _data_row("1") + complete
    lines: list[str] = []
    end = row_parser(("text",), quoting=True)(data, data.decode("latin-1"), 0, len(data), lines)
    assert (end, lines) == (len(data) - len(complete), ["1"])


def test_a_row_with_another_number_of_columns_is_a_protocol_error() -> None:
    data = _data_row("1", "2", "3")
    with pytest.raises(InterfaceError, match="another number of columns"):
        row_parser(("text", "text"), quoting=False)(data, data.decode("latin-1"), 0, len(data), [])


def test_csv_line_and_header_quote_only_what_needs_it() -> None:
    assert csv_line(["a", "b c", ""]) == "a,b c,"
    assert csv_line(["x,y", 'q"r']) == '"x,y","q""r"'
    assert csv_line([""]) == '""'
    assert csv_header(["id", "naïve name"]) == "id,naïve name\n".encode()


# --- a whole reply on the driver's session ---------------------------------------------------


_CHUNK_SLACK = 3000  # a batch ends at the first row past max_bytes


def _message(code: bytes, payload: bytes) -> bytes:
    return code + struct.pack("!i", len(payload) + 4) + payload


def _row_description(columns: list[tuple[str, int]], *, extended: bool) -> bytes:
    """As a server sends it; `extended`: Redshift's protocol 1+ adds names and flags per column."""
    payload = struct.pack("!h", len(columns))
    for name, oid in columns:
        payload += name.encode() + b"\0" + struct.pack("!ihihih", 0, 0, oid, -1, -1, 0)
        if extended:
            payload += b"public\0orders\0" + name.encode() + b"\0dev\0" + struct.pack("!h", 1)
    return _message(b"T", payload)


class _Stream:
    """The driver's buffered socket: what the server sent, and what the client wrote."""

    def __init__(self, received: bytes) -> None:
        self.received = io.BytesIO(received)
        self.reads = 0

    def read1(self, size: int) -> bytes:
        self.reads += 1
        return self.received.read(min(size, 100))  # a few bytes at a time: messages split

    def read(self, size: int) -> bytes:
        return self.received.read(size)


class _Socket:
    def __init__(self) -> None:
        self.shut = False

    def shutdown(self, how: int) -> None:
        self.shut = True


def _session(received: bytes, protocol: int) -> object:
    """A real redshift_connector Connection object (its own message handlers), on a stream."""
    from redshift_connector import Connection
    from redshift_connector.utils import redshift_types

    session = object.__new__(Connection)
    session._client_protocol_version = protocol
    session.redshift_types = dict(redshift_types)
    session.error = None
    session.notices = []
    session.parameter_statuses = {}
    session.message_types = {
        b"T": session.handle_ROW_DESCRIPTION,
        b"E": session.handle_ERROR_RESPONSE,
        b"Z": session.handle_READY_FOR_QUERY,
    }
    session._sock = _Stream(received)
    session._usock = _Socket()
    session.written = []
    session._write = session.written.append
    session._flush = lambda: None
    return session


def test_a_redshift_extended_row_description_is_read_by_the_drivers_own_handler() -> None:
    reply = (
        _row_description([("id", 23), ("label", 1043)], extended=True)
        + _data_row("1", "a,b")
        + _data_row("2", None)
        + _message(b"C", b"FETCH 2\0")
        + _message(b"Z", b"T")
    )
    session = _session(reply, protocol=2)
    fetches = CsvFetches(session, "c", 10)
    batch = next(fetches)
    assert (batch.columns, batch.types, batch.rows) == (["id", "label"], [23, 1043], 2)
    assert batch.data == b'1,"a,b"\n2,\n'
    assert session.written[0].startswith(b"Q")  # the simple query protocol: text columns


def test_a_column_sent_in_binary_is_refused_once_the_reply_is_read() -> None:
    description = bytearray(_row_description([("id", 23)], extended=False))
    description[-2:] = struct.pack("!h", 1)  # format code 1: binary
    reply = bytes(description) + _data_row("\x00\x00\x00\x01") + _message(b"Z", b"T")
    fetches = CsvFetches(_session(reply, protocol=0), "c", 10)
    with pytest.raises(InterfaceError, match="not sent as text"):
        next(fetches)


def test_stopping_in_the_middle_of_a_reply_shuts_the_connection_instead_of_misreading() -> None:
    reply = (
        _row_description([("a", 25), ("b", 25)], extended=False)
        + _data_row("1", "x")
        + _data_row("1", "2", "3")  # malformed: another number of columns
        + _data_row("3", "z") * 1000
    )
    session = _session(reply, protocol=0)
    fetches = CsvFetches(session, "c", 10)
    with pytest.raises(InterfaceError, match="another number of columns"):
        next(fetches)
    reads = session._sock.reads
    fetches.close()  # the FETCH sent ahead is in flight, but the stream is lost: no draining
    assert session._usock.shut
    assert session._sock.reads == reads


def test_wide_rows_make_smaller_fetches_so_a_batch_stays_near_max_bytes() -> None:
    description = _row_description([("blob", 25)], extended=False)

    def reply(rows: int) -> bytes:
        body = b"".join(_data_row("x" * 999) for _ in range(rows))  # 1,000 bytes a line
        return description + body + _message(b"C", b"FETCH\0") + _message(b"Z", b"T")

    # replies to FETCH 1, FETCH 1 (sent ahead), FETCH 4, FETCH 4, FETCH 4 (sent ahead)
    session = _session(reply(1) + reply(1) + reply(4) + reply(3) + reply(0), protocol=0)
    with closing(CsvFetches(session, "c", 10, max_bytes=4000)) as fetches:
        assert [batch.rows for batch in fetches] == [1, 1, 4, 3]  # no batch without rows
    asked = [bytes(m[5:-1]).decode() for m in session.written]
    assert asked == [
        "FETCH FORWARD 1 FROM c",  # the row width is not known yet
        "FETCH FORWARD 1 FROM c",  # sent before the first reply was read
        "FETCH FORWARD 4 FROM c",  # a row is 1,000 bytes: 4 make about 4,000
        "FETCH FORWARD 4 FROM c",
        "FETCH FORWARD 4 FROM c",
    ]
    assert session._sock.received.read() == b""  # close() read the reply still in flight


def test_narrow_rows_grow_to_batch_rows() -> None:
    description = _row_description([("n", 23)], extended=False)

    def reply(rows: int) -> bytes:
        body = b"".join(_data_row(str(i)) for i in range(rows))
        return description + body + _message(b"C", b"FETCH\0") + _message(b"Z", b"T")

    session = _session(reply(1) + reply(1) + reply(7) + reply(0), protocol=0)
    with closing(CsvFetches(session, "c", 500)) as fetches:
        assert [batch.rows for batch in fetches] == [1, 1, 7]
    asked = [bytes(m[5:-1]).decode() for m in session.written]
    assert asked[2:] == ["FETCH FORWARD 500 FROM c", "FETCH FORWARD 500 FROM c"]


def test_a_reply_larger_than_max_bytes_comes_in_several_batches() -> None:
    # rows get wider after the row count was set from narrow ones: memory stays bounded by bytes
    description = _row_description([("v", 25)], extended=False)
    narrow = description + _data_row("a") + _message(b"C", b"FETCH\0") + _message(b"Z", b"T")
    wide = b"".join(_data_row("w" * 2999) for _ in range(10))  # 3,000 bytes a line
    last = description + wide + _message(b"C", b"FETCH\0") + _message(b"Z", b"T")
    session = _session(narrow + narrow + last + narrow, protocol=0)
    with closing(CsvFetches(session, "c", 100, max_bytes=5000)) as fetches:
        batches = [(batch.rows, len(batch.data)) for batch in fetches]
    assert batches[:2] == [(1, 2), (1, 2)]
    assert sum(rows for rows, _ in batches[2:]) == 10  # every row once
    assert max(size for _, size in batches[2:]) <= 5000 + _CHUNK_SLACK
    assert len(batches) > 3
