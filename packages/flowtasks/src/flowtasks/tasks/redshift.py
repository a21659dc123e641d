"""Redshift from Python and from flows, through redshift-connector (the AWS driver).

Plain Python, usable in any task::

    from flowtasks.tasks import redshift

    redshift.execute("warehouse", "CREATE TABLE IF NOT EXISTS t (id INT, amount NUMERIC(10,2))")
    rows = redshift.query("warehouse", "SELECT id FROM t WHERE amount > %s", [10])
    redshift.query_to_s3("warehouse", "SELECT * FROM t", "s3://bucket/out/t.csv.gz")

`connection` is a connection name (``FLOWTASKS_CONN_WAREHOUSE``, see `flowtasks.connections`)
or a `RedshiftConnection`. Every call opens one session and closes it; IAM options of the
connection (``iam=true&cluster_identifier=...&db_user=...``) pass through to the driver, which
fetches temporary credentials itself.

- `query`: small results inline (at most `max_rows`, 1,000 by default; past that an error points
  to `query_to_s3`). Parameters are bound (``%s`` with a list, ``%(name)s`` with a dict).
- `query_to_s3`: streams a result of any size as CSV (with a header) or JSONL, gzip/zstd by the
  key's extension. redshift-connector loads a whole result set into memory at ``execute()``
  (2 million rows cost about 600 MB), so rows are read through a server-side cursor
  (``DECLARE ... CURSOR`` + ``FETCH FORWARD n``): memory stays at one batch plus the S3 writer's
  parts. CSV rows are read as the server's text (`flowtasks.tasks._redshift_text`), about 15x
  faster than the driver's decoded rows. On any failure the multipart upload is aborted: no
  partial object.
- `execute`: DDL/DML statements in one transaction (all or nothing).
- `unload` / `copy_from_s3`: Redshift's own UNLOAD/COPY (the cluster reads/writes S3 with an
  IAM role); SQL text from the pure builders of `flowtasks.tasks.redshift_sql`.
- `upsert`: a temporary staging table, then delete-insert in one transaction.

Errors: `RedshiftConnectionError` (cannot connect, session dropped, server shutting down,
serialization conflict: worth a ``Retry``) and `RedshiftSqlError` (the SQL itself failed:
permanent, ``.sqlstate`` says why); both are `RedshiftError`. Messages name the connection and
never hold its password.

Reusable flow tasks: `query_task`, `query_to_s3_task`, `execute_task`, `unload_task`,
`copy_from_s3_task`, `upsert_task` (docs/redshift.md). The Redshift Data API is the other
transport: `flowtasks.tasks.redshift_data`.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import itertools
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from typing import Any, Final

from flowtasks.connections import RedshiftConnection, get_redshift
from flowtasks.errors import FlowtasksError
from flowtasks.tasks import _redshift_text, redshift_sql
from flowtasks.tasks.redshift_sql import CopyOptions, UnloadOptions
from flowtasks.tasks.reusable import reusable_task

__all__ = [
    "DEFAULT_FETCH_ROWS",
    "DEFAULT_MAX_ROWS",
    "SINGLE_NODE_FETCH_ROWS",
    "RedshiftConnectionError",
    "RedshiftError",
    "RedshiftSqlError",
    "ResultTooLargeError",
    "connect",
    "copy_from_s3",
    "copy_from_s3_task",
    "execute",
    "execute_task",
    "json_value",
    "query",
    "query_task",
    "query_to_s3",
    "query_to_s3_task",
    "translate_error",
    "unload",
    "unload_task",
    "upsert",
    "upsert_task",
]

DEFAULT_MAX_ROWS: Final = 1000
"""Rows `query` returns inline; a larger result belongs in S3 (`query_to_s3`)."""

SINGLE_NODE_FETCH_ROWS: Final = 1000
"""The most rows one ``FETCH`` may take on a single-node cluster (Redshift's FETCH reference,
"the maximum value for count is 1000" for single-node clusters)."""

DEFAULT_FETCH_ROWS: Final = 10_000
"""Most rows per ``FETCH FORWARD`` of `query_to_s3`: one batch is all the rows held in memory.
For CSV, wide rows make smaller batches (about `_redshift_text.DEFAULT_BATCH_BYTES` of CSV
each). Single-node clusters allow 1,000."""

Parameters = Sequence[Any] | Mapping[str, Any] | None
ConnectionRef = str | RedshiftConnection

# SQLSTATE classes and codes worth retrying: connection exceptions, operator intervention
# (admin/crash shutdown, cannot connect now), insufficient resources (too many connections),
# serialization failures and deadlocks.
_RETRYABLE_CLASSES = ("08", "53", "57")
_RETRYABLE_CODES = ("40001", "40P01")


class RedshiftError(FlowtasksError):
    """Root of the Redshift task errors. `connection` names the connection used."""

    def __init__(self, message: str, *, connection: str) -> None:
        super().__init__(message)
        self.connection = connection


class RedshiftConnectionError(RedshiftError):
    """Retryable: the session could not be opened or was lost (network, server restart,
    too many connections, serialization conflict). The interrupted transaction was not
    committed (with ``autocommit=True``, statements before it were)."""


class RedshiftSqlError(RedshiftError):
    """Permanent: the server refused the SQL (syntax, missing table, bad value, permission,
    authentication), or the driver refused the call or the connection's settings.
    `sqlstate` is PostgreSQL's five-character error code when the server sent one."""

    def __init__(self, message: str, *, connection: str, sqlstate: str | None) -> None:
        super().__init__(message, connection=connection)
        self.sqlstate = sqlstate


class ResultTooLargeError(RedshiftError):
    """`query` found more rows than its `max_rows`: export them with `query_to_s3`."""


def _server_fields(exc: BaseException) -> dict[str, str]:
    """The server's error fields (``C`` code, ``M`` message...) the driver puts in ``args[0]``."""
    first = exc.args[0] if exc.args else None
    return {str(k): str(v) for k, v in first.items()} if isinstance(first, dict) else {}


def translate_error(exc: BaseException, connection: RedshiftConnection) -> RedshiftError:
    """The `RedshiftError` for a driver (or socket) exception: retryable or permanent."""
    where = f"Redshift connection {connection.name!r} ({connection.host}:{connection.port})"
    fields = _server_fields(exc)
    code = fields.get("C")
    if code is not None:
        text = f"{where}: {fields.get('S', 'ERROR')} {code}: {fields.get('M', '')}".rstrip()
        if code.startswith(_RETRYABLE_CLASSES) or code in _RETRYABLE_CODES:
            return RedshiftConnectionError(text, connection=connection.name)
        if code.startswith("28"):
            text += f" (check the user and password of connection {connection.name!r})"
        return RedshiftSqlError(text, connection=connection.name, sqlstate=code)
    if _is_network_failure(exc):
        detail = "; ".join(str(a) for a in exc.args) or type(exc).__name__
        return RedshiftConnectionError(
            f"{where}: connection failed or lost: {detail}", connection=connection.name
        )
    return RedshiftSqlError(f"{where}: {exc}", connection=connection.name, sqlstate=None)


_NETWORK_WORDS = re.compile(
    r"socket|network|communication error|broken ?pipe|timed? ?out|unexpected eof|"
    r"connection (?:refused|reset|closed|lost|aborted)|server (?:socket )?closed",
    re.IGNORECASE,
)


def _is_network_failure(exc: BaseException) -> bool:
    """An OSError, or a driver InterfaceError caused by one or describing one (the driver also
    uses InterfaceError for client-side mistakes, such as a bad parameter placeholder)."""
    from redshift_connector.error import InterfaceError

    if isinstance(exc, OSError):
        return True
    if not isinstance(exc, InterfaceError):
        return False
    causes = [exc.__cause__, exc.__context__, *exc.args]
    if any(isinstance(cause, OSError) for cause in causes):
        return True
    return bool(_NETWORK_WORDS.search(" ".join(str(a) for a in exc.args)))


@contextmanager
def connect(connection: ConnectionRef) -> Iterator[Any]:
    """A driver connection (``redshift_connector.Connection``) for the ``with`` block.

    Autocommit is off: commit what you change. On leaving, an uncommitted transaction is rolled
    back and the session closed. Driver errors inside the block become `RedshiftError`.
    """
    import redshift_connector
    from redshift_connector.error import Error

    conn = get_redshift(connection)
    try:
        session = redshift_connector.connect(**conn.driver_kwargs())
    except (Error, OSError) as exc:
        raise translate_error(exc, conn) from None
    try:
        yield session
    except (Error, OSError) as exc:
        raise translate_error(exc, conn) from None
    finally:
        for end in (session.rollback, session.close):
            with contextlib.suppress(Exception):  # the session may be gone: nothing to undo
                end()


def _cursor(session: Any, parameters: Parameters) -> Any:
    cursor = session.cursor()
    cursor.paramstyle = "pyformat" if isinstance(parameters, Mapping) else "format"
    return cursor


def _args(parameters: Parameters) -> Any:
    if parameters is None:
        return None
    if isinstance(parameters, Mapping):
        return dict(parameters)
    if isinstance(parameters, str | bytes):
        raise TypeError("parameters must be a list (for %s) or a dict (for %(name)s), not a string")
    return list(parameters)


def _declare(session: Any, sql: str, parameters: Parameters) -> tuple[Any, str]:
    """A server-side cursor for `sql` (parameters bound): (the driver cursor, its name)."""
    cursor = _cursor(session, parameters)
    name = "flowtasks_" + uuid.uuid4().hex[:16]
    cursor.execute(f"DECLARE {name} CURSOR FOR {sql}", _args(parameters))
    return cursor, name


def _columns(cursor: Any) -> list[str]:
    return [str(column[0]) for column in cursor.description or ()]


def _real_columns(types: Sequence[int]) -> list[int]:
    return [i for i, oid in enumerate(types) if oid == _redshift_text.REAL_OID]


def _shortest_reals(row: Sequence[Any], reals: list[int]) -> Sequence[Any]:
    """`row` with its REAL values as the shortest double that is the same single-precision
    value (the driver widens REAL 0.3 to 0.30000001192092896; this gives 0.3 back)."""
    if not reals:
        return row
    out = list(row)
    for i in reals:
        if isinstance(out[i], float):
            out[i] = float(_redshift_text.shortest_real(repr(out[i])))
    return out


def json_value(value: Any) -> Any:
    """A database value as JSON data: numbers stay numbers (NUMERIC as int or float), dates and
    times become ISO 8601 text, bytes hexadecimal text."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def query(
    connection: ConnectionRef,
    sql: str,
    parameters: Parameters = None,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> list[dict[str, Any]]:
    """The rows of a SELECT as dicts (column name -> JSON-ready value), at most `max_rows`.

    Raises ResultTooLargeError when there are more (nothing more is read than ``max_rows + 1``
    rows): export such results with `query_to_s3`.
    """
    with connect(connection) as session:
        cursor, name = _declare(session, sql, parameters)
        rows: list[Any] = []
        wanted = max_rows + 1  # one more than allowed tells that there are too many
        while len(rows) < wanted:  # in FETCHes a single-node cluster accepts
            step = min(SINGLE_NODE_FETCH_ROWS, wanted - len(rows))
            cursor.execute(f"FETCH FORWARD {step} FROM {name}")
            fetched = cursor.fetchall()
            rows.extend(fetched)
            if len(fetched) < step:
                break
        columns = _columns(cursor)
        if len(rows) > max_rows:
            conn = get_redshift(connection)
            raise ResultTooLargeError(
                f"the query returned more than {max_rows} rows (max_rows): export large results "
                "to S3 with redshift.query_to_s3 (or query_to_s3_task) instead",
                connection=conn.name,
            )
        reals = _real_columns([int(c[1]) for c in cursor.description or ()])
        return [
            {c: json_value(v) for c, v in zip(columns, _shortest_reals(row, reals), strict=True)}
            for row in rows
        ]


def _fetch_batches(
    session: Any, sql: str, parameters: Parameters, fetch_rows: int
) -> tuple[list[str], list[int], Iterator[Sequence[Sequence[Any]]]]:
    """Declare a server-side cursor for `sql`; (column names, type codes, batches of rows)."""
    cursor, name = _declare(session, sql, parameters)
    cursor.execute(f"FETCH FORWARD {fetch_rows} FROM {name}")
    description = cursor.description or ()
    columns = [str(c[0]) for c in description]
    types = [int(c[1]) for c in description]

    def batches() -> Iterator[Sequence[Sequence[Any]]]:
        while rows := cursor.fetchall():
            yield rows
            if len(rows) < fetch_rows:
                break
            cursor.execute(f"FETCH FORWARD {fetch_rows} FROM {name}")
        cursor.execute(f"CLOSE {name}")

    return columns, types, batches()


Chunks = Iterator[tuple[int, bytes]]
"""Batches of an export as (rows, bytes)."""


@contextmanager
def _text_chunks(
    session: Any, sql: str, parameters: Parameters, fetch_rows: int
) -> Iterator[tuple[list[str], Chunks]]:
    """(column names, CSV batches) of `sql` through a server-side cursor, rows read as the
    server's text (`flowtasks.tasks._redshift_text`)."""
    _redshift_text.raise_float_digits(session)
    cursor, name = _declare(session, sql, parameters)
    with closing(_redshift_text.CsvFetches(session, name, fetch_rows)) as fetches:
        first = next(fetches)
        batches = itertools.chain([first], fetches)
        yield first.columns, ((batch.rows, batch.data) for batch in batches if batch.rows)
    cursor.execute(f"CLOSE {name}")


@contextmanager
def _decoded_chunks(
    session: Any, sql: str, parameters: Parameters, fetch_rows: int, format: str
) -> Iterator[tuple[list[str], Chunks]]:
    """(column names, CSV or JSONL batches) of `sql` from the driver's decoded rows."""
    columns, types, batches = _fetch_batches(session, sql, parameters, fetch_rows)
    encode = _csv_writer(types) if format == "csv" else _jsonl_writer(columns, types)
    yield columns, ((len(batch), encode(batch)) for batch in batches)


def _csv_writer(types: list[int]) -> Callable[[Sequence[Sequence[Any]]], bytes]:
    """CSV lines from the driver's decoded rows (booleans as true/false, NULL empty): the
    fallback for a driver without what `_redshift_text.fetch_csv` needs."""
    bools = {i for i, t in enumerate(types) if t == _redshift_text.BOOL_OID}

    def text(i: int, value: Any) -> str:
        if value is None:
            return ""
        if i in bools:
            return "true" if value else "false"
        return str(value)

    def encode(rows: Sequence[Sequence[Any]]) -> bytes:
        lines = [_redshift_text.csv_line([text(i, v) for i, v in enumerate(row)]) for row in rows]
        return "".join(line + "\n" for line in lines).encode("utf-8")

    return encode


def _jsonl_writer(
    columns: list[str], types: list[int]
) -> Callable[[Sequence[Sequence[Any]]], bytes]:
    encoder = json.JSONEncoder(default=json_value, ensure_ascii=False, separators=(",", ":"))
    reals = _real_columns(types)

    def encode(rows: Sequence[Sequence[Any]]) -> bytes:
        lines = []
        for row in rows:
            values = zip(columns, _shortest_reals(row, reals), strict=True)
            lines.append(encoder.encode({c: json_value(v) for c, v in values}))
        return ("\n".join(lines) + "\n").encode("utf-8")

    return encode


def query_to_s3(
    connection: ConnectionRef,
    sql: str,
    destination: str,
    *,
    parameters: Parameters = None,
    format: str = "csv",
    header: bool = True,
    fetch_rows: int = DEFAULT_FETCH_ROWS,
    kms_key_id: str | None = None,
) -> dict[str, Any]:
    """Stream the rows of `sql` into the S3 object `destination`; returns ``{"s3_uri", "rows",
    "bytes"}`` (`bytes`: the uncompressed size written).

    `format`: ``csv`` (a header line unless ``header=False``; NULL as an empty field, booleans
    as true/false, other values as the database's own text) or ``jsonl`` (one JSON object a
    line). ``.gz`` / ``.zst`` keys are compressed. Memory holds one batch of at most
    `fetch_rows` rows (for CSV, also at most about 4 MiB of text: wide rows make smaller
    batches) plus the S3 writer's parts. The object appears only when every
    row is written: on any error the upload is aborted and nothing is left.
    """
    from flowtasks.tasks import s3

    if format not in ("csv", "jsonl"):
        raise ValueError(f"format must be 'csv' or 'jsonl', not {format!r}")
    if fetch_rows < 1:
        raise ValueError("fetch_rows must be at least 1")
    s3.parse_uri(destination)  # a bad URI fails before any query runs
    rows = written = 0
    with connect(connection) as session:
        if format == "csv" and _redshift_text.supports_csv_fetch(session):
            chunks_of = _text_chunks(session, sql, parameters, fetch_rows)
        else:
            chunks_of = _decoded_chunks(session, sql, parameters, fetch_rows, format)
        with (
            chunks_of as (columns, chunks),
            s3.open(destination, "wb", kms_key_id=kms_key_id) as out,
        ):
            if format == "csv" and header:
                written += out.write(_redshift_text.csv_header(columns))
            for count, data in chunks:
                written += out.write(data)
                rows += count
    return {"s3_uri": destination, "rows": rows, "bytes": written}


def execute(
    connection: ConnectionRef,
    sql: str | Sequence[str],
    parameters: Parameters = None,
    *,
    autocommit: bool = False,
) -> dict[str, Any]:
    """Run one statement, or several in order, in ONE transaction: all committed or none.

    `autocommit=True` runs each statement on its own instead, for those a transaction block
    refuses (``VACUUM``, ``CREATE DATABASE``...): statements before a failing one stay done.
    `parameters` bind into a single statement only. Returns ``{"statements", "rows_affected"}``
    (the sum of the row counts the server reported, -1 counted as 0).
    """
    statements = [sql] if isinstance(sql, str) else list(sql)
    if not statements or any(not s.strip() for s in statements):
        raise ValueError("execute needs at least one non-empty SQL statement")
    if parameters is not None and len(statements) > 1:
        raise ValueError("parameters bind into a single statement: pass one statement with them")
    affected = 0
    with connect(connection) as session:
        session.autocommit = autocommit
        cursor = _cursor(session, parameters)
        for statement in statements:
            cursor.execute(statement, _args(parameters))
            affected += max(cursor.rowcount, 0)
        if not autocommit:
            session.commit()
    return {"statements": len(statements), "rows_affected": affected}


def unload(
    connection: ConnectionRef,
    sql: str,
    destination: str,
    *,
    iam_role: str,
    options: UnloadOptions | None = None,
) -> dict[str, Any]:
    """Redshift's UNLOAD of `sql` to the S3 prefix `destination` (the cluster writes the files,
    in parallel, with `iam_role`). Returns ``{"s3_prefix", "manifest"}`` (the manifest's URI
    when ``options.manifest``, else None)."""
    options = options or UnloadOptions()
    text = redshift_sql.unload_sql(sql, destination, iam_role=iam_role, options=options)
    execute(connection, text)
    return {
        "s3_prefix": destination,
        "manifest": destination + "manifest" if options.manifest else None,
    }


def copy_from_s3(
    connection: ConnectionRef,
    table: str,
    source: str,
    *,
    iam_role: str,
    options: CopyOptions | None = None,
    columns: Sequence[str] = (),
) -> dict[str, Any]:
    """Redshift's COPY of the objects under `source` (or of a manifest) into `table`, in one
    transaction: a failed COPY loads nothing. Returns ``{"table", "rows_loaded"}``."""
    text = redshift_sql.copy_sql(
        table, source, iam_role=iam_role, options=options or CopyOptions(), columns=columns
    )
    result = execute(connection, text)
    return {"table": table, "rows_loaded": result["rows_affected"]}


def _row_values(row: Sequence[Any] | Mapping[str, Any], columns: Sequence[str]) -> list[Any]:
    if isinstance(row, Mapping):
        missing = [c for c in columns if c not in row]
        if missing:
            raise ValueError(f"row {dict(row)!r} lacks column(s) {', '.join(missing)}")
        return [row[c] for c in columns]
    if len(row) != len(columns):
        raise ValueError(f"row has {len(row)} values for {len(columns)} columns")
    return list(row)


def _insert_rows(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
) -> int:
    per_insert = redshift_sql.rows_per_insert(len(columns))
    count = 0
    batch: list[Any] = []
    batch_rows = 0

    def flush() -> None:
        cursor.execute(redshift_sql.insert_sql(table, columns, batch_rows), batch)

    for row in rows:
        batch += _row_values(row, columns)
        batch_rows += 1
        count += 1
        if batch_rows == per_insert:
            flush()
            batch, batch_rows = [], 0
    if batch_rows:
        flush()
    return count


def upsert(
    connection: ConnectionRef,
    table: str,
    key: Sequence[str],
    *,
    rows: Iterable[Sequence[Any] | Mapping[str, Any]] | None = None,
    columns: Sequence[str] = (),
    select: str | None = None,
    parameters: Parameters = None,
    source: str | None = None,
    iam_role: str | None = None,
    copy_options: CopyOptions | None = None,
) -> dict[str, Any]:
    """Insert or replace rows of `table` by `key`, in one transaction.

    The new rows are staged in a temporary table shaped like `table` (``LIKE``), from exactly
    one of: `rows` (dicts, or sequences in the order of `columns`; bound, in batches), `select`
    (a query giving rows in the table's column order, with `parameters`), or `source` (an S3
    prefix COPYed with `iam_role` and `copy_options`: Redshift only). Then rows of `table`
    sharing a key with a staged row are deleted and every staged row inserted. Staged rows
    with the same key are all inserted: deduplicate upstream. Returns ``{"table", "staged",
    "deleted", "inserted"}``.
    """
    given = [
        name
        for name, value in (("rows", rows), ("select", select), ("source", source))
        if value is not None
    ]
    if len(given) != 1:
        raise ValueError("upsert takes exactly one of rows, select or source")
    if rows is not None and not columns:
        raise ValueError("upsert with rows needs columns (the names, in the order of each row)")
    if source is not None and not iam_role:
        raise ValueError("upsert from an S3 source needs iam_role (COPY reads S3 with it)")
    statements = redshift_sql.upsert_sql(table, key)
    with connect(connection) as session:
        cursor = _cursor(session, parameters)
        cursor.execute(statements.create_stage)
        if rows is not None:
            staged = _insert_rows(cursor, statements.stage, columns, rows)
        elif select is not None:
            cursor.execute(
                f"INSERT INTO {redshift_sql.quote_identifier(statements.stage)} {select}",
                _args(parameters),
            )
            staged = max(cursor.rowcount, 0)
        else:
            assert source is not None
            assert iam_role is not None
            cursor.execute(
                redshift_sql.copy_sql(
                    statements.stage,
                    source,
                    iam_role=iam_role,
                    options=copy_options or CopyOptions(),
                )
            )
            staged = max(cursor.rowcount, 0)
        cursor.execute(statements.delete)
        deleted = max(cursor.rowcount, 0)
        cursor.execute(statements.insert)
        inserted = max(cursor.rowcount, 0)
        cursor.execute(statements.drop_stage)
        session.commit()
    return {"table": table, "staged": staged, "deleted": deleted, "inserted": inserted}


# ---------------------------------------------------------------------- reusable flow tasks


def _options_check(
    kind: type[UnloadOptions] | type[CopyOptions],
) -> Callable[[Mapping[str, Any]], None]:
    """A reusable-task check: the static UNLOAD/COPY options of a state are refused at
    definition time when Redshift would refuse them."""
    fields = set(kind.__dataclass_fields__)

    def check(static: Mapping[str, Any]) -> None:
        given: dict[str, Any] = {
            k: (tuple(v) if isinstance(v, list) else v) for k, v in static.items() if k in fields
        }
        options: UnloadOptions | CopyOptions = kind(**given)
        problems = (
            redshift_sql.unload_problems(options)
            if isinstance(options, UnloadOptions)
            else redshift_sql.copy_problems(options)
        )
        if problems:
            raise ValueError("; ".join(problems))

    return check


def _check_query_to_s3(static: Mapping[str, Any]) -> None:
    if static.get("format", "csv") not in ("csv", "jsonl"):
        raise ValueError(f"format must be 'csv' or 'jsonl', not {static['format']!r}")
    destination = static.get("destination")
    if isinstance(destination, str):
        from flowtasks.tasks import s3

        s3.parse_uri(destination)


def _query_state(
    connection: str, sql: str, parameters: Any = None, max_rows: int = DEFAULT_MAX_ROWS
) -> dict[str, Any]:
    rows = query(connection, sql, parameters, max_rows=max_rows)
    return {"rows": rows, "count": len(rows)}


def _query_to_s3_state(
    connection: str,
    sql: str,
    destination: str,
    parameters: Any = None,
    format: str = "csv",
    header: bool = True,
    kms_key_id: str | None = None,
) -> dict[str, Any]:
    return query_to_s3(
        connection,
        sql,
        destination,
        parameters=parameters,
        format=format,
        header=header,
        kms_key_id=kms_key_id,
    )


def _execute_state(
    connection: str, sql: str | list[str], parameters: Any = None, autocommit: bool = False
) -> dict[str, Any]:
    return execute(connection, sql, parameters, autocommit=autocommit)


def _unload_state(
    connection: str,
    sql: str,
    destination: str,
    iam_role: str,
    format: str = "csv",
    header: bool = False,
    compression: str | None = None,
    manifest: bool = False,
    encrypted: bool = False,
    kms_key_id: str | None = None,
    max_file_size_mb: int | None = None,
    parallel: bool = True,
    allow_overwrite: bool = False,
    partition_by: list[str] | None = None,
) -> dict[str, Any]:
    options = UnloadOptions(
        format=format,  # type: ignore[arg-type]
        header=header,
        compression=compression,  # type: ignore[arg-type]
        manifest=manifest,
        encrypted=encrypted,
        kms_key_id=kms_key_id,
        max_file_size_mb=max_file_size_mb,
        parallel=parallel,
        allow_overwrite=allow_overwrite,
        partition_by=tuple(partition_by or ()),
    )
    return unload(connection, sql, destination, iam_role=iam_role, options=options)


def _copy_from_s3_state(
    connection: str,
    table: str,
    source: str,
    iam_role: str,
    format: str = "csv",
    ignore_header: int = 0,
    compression: str | None = None,
    manifest: bool = False,
    columns: list[str] | None = None,
    region: str | None = None,
    max_errors: int = 0,
) -> dict[str, Any]:
    options = CopyOptions(
        format=format,  # type: ignore[arg-type]
        ignore_header=ignore_header,
        compression=compression,  # type: ignore[arg-type]
        manifest=manifest,
        region=region,
        max_errors=max_errors,
    )
    return copy_from_s3(
        connection, table, source, iam_role=iam_role, options=options, columns=columns or ()
    )


def _upsert_state(
    connection: str,
    table: str,
    key: list[str],
    rows: list[Any] | None = None,
    columns: list[str] | None = None,
    select: str | None = None,
    parameters: Any = None,
    source: str | None = None,
    iam_role: str | None = None,
) -> dict[str, Any]:
    return upsert(
        connection,
        table,
        key,
        rows=rows,
        columns=columns or (),
        select=select,
        parameters=parameters,
        source=source,
        iam_role=iam_role,
    )


query_task = reusable_task(_query_state, name="query_task", state="RedshiftQuery")
"""``RedshiftQuery`` state: `query`; result ``{rows, count}`` (at most `max_rows` rows)."""
query_to_s3_task = reusable_task(
    _query_to_s3_state, name="query_to_s3_task", state="RedshiftQueryToS3", check=_check_query_to_s3
)
"""``RedshiftQueryToS3`` state: `query_to_s3`; result ``{s3_uri, rows, bytes}``."""
execute_task = reusable_task(_execute_state, name="execute_task", state="RedshiftExecute")
"""``RedshiftExecute`` state: `execute` in one transaction; ``{statements, rows_affected}``."""
unload_task = reusable_task(
    _unload_state, name="unload_task", state="RedshiftUnload", check=_options_check(UnloadOptions)
)
"""``RedshiftUnload`` state: `unload`; result ``{s3_prefix, manifest}``."""
copy_from_s3_task = reusable_task(
    _copy_from_s3_state,
    name="copy_from_s3_task",
    state="RedshiftCopyFromS3",
    check=_options_check(CopyOptions),
)
"""``RedshiftCopyFromS3`` state: `copy_from_s3`; result ``{table, rows_loaded}``."""
upsert_task = reusable_task(_upsert_state, name="upsert_task", state="RedshiftUpsert")
"""``RedshiftUpsert`` state: `upsert`; result ``{table, staged, deleted, inserted}``."""
