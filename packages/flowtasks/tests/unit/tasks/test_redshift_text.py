"""The CSV fast path of query_to_s3 (`flowtasks.tasks._redshift_text`), offline: DataRow
messages built here byte for byte as PostgreSQL and Redshift send them in text format."""

from __future__ import annotations

import csv
import io
import struct

import pytest
from redshift_connector.error import InterfaceError

from flowtasks.tasks._redshift_text import csv_header, csv_line, plain_lines, row_parser


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
