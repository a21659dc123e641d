"""Redshift SQL text built by pure functions: UNLOAD, COPY, upsert, batched INSERT, quoting.

Nothing here connects anywhere: each function takes values and returns SQL text, so tests read
the text (as Airflow's S3ToRedshift tests do) and `flowtasks.tasks.redshift` only runs it.
Options follow the Redshift reference pages "UNLOAD" and "COPY"; a combination Redshift refuses
(``HEADER`` with Parquet, ``KMS_KEY_ID`` without ``ENCRYPTED``, a ``MAXFILESIZE`` out of range...)
raises ValueError naming the option, before anything runs.

Identifiers are double-quoted (``"schema"."table"``); literals single-quoted. The query inside
UNLOAD is itself a literal, so its quotes and backslashes are escaped as the UNLOAD page says
(``\\'``). IAM: ``iam_role="default"`` gives ``IAM_ROLE default`` (the cluster's default role);
an ARN (or several, comma-separated, for role chaining) is quoted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "MAX_BIND_PARAMETERS",
    "CopyOptions",
    "UnloadOptions",
    "UpsertSql",
    "copy_problems",
    "copy_sql",
    "insert_sql",
    "quote_identifier",
    "quote_literal",
    "rows_per_insert",
    "unload_problems",
    "unload_sql",
    "upsert_sql",
]

MAX_BIND_PARAMETERS: Final = 32767
"""The wire protocol counts a statement's bound parameters in 16 bits (signed)."""

MIN_MAX_FILE_SIZE_MB: Final = 5
MAX_MAX_FILE_SIZE_MB: Final = 6200
"""UNLOAD's MAXFILESIZE must lie between 5 MB and 6.2 GB."""

_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_COMPRESSIONS = ("gzip", "bzip2", "zstd")


def quote_identifier(name: str) -> str:
    """``schema.table`` -> ``"schema"."table"`` (each part quoted; ``"`` doubled).

    Raises ValueError for an empty name or an empty part (``a..b``).
    """
    parts = name.split(".")
    if not name or any(not part for part in parts):
        raise ValueError(f"identifier {name!r} is empty or has an empty part")
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def quote_literal(text: str) -> str:
    """A single-quoted SQL string literal; ``'`` and ``\\`` escaped with a backslash."""
    if "\x00" in text:
        raise ValueError("a SQL literal cannot hold a NUL character")
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _iam(iam_role: str) -> str:
    if iam_role == "default":
        return "IAM_ROLE default"
    roles = [role.strip() for role in iam_role.split(",")]
    bad = [role for role in roles if not _ROLE_ARN.match(role)]
    if bad:
        raise ValueError(
            f"iam_role {bad[0]!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME); "
            "use 'default' for the cluster's default role"
        )
    return f"IAM_ROLE {quote_literal(','.join(roles))}"


def _s3_uri(uri: str, what: str) -> str:
    if not uri.startswith("s3://") or len(uri) <= len("s3://"):
        raise ValueError(f"{what} must be an s3:// URI, not {uri!r}")
    return quote_literal(uri)


@dataclass(frozen=True)
class UnloadOptions:
    """Options of UNLOAD (each documented on Redshift's UNLOAD page).

    `format`: ``csv`` | ``parquet`` | ``json`` | ``text`` (pipe-delimited, Redshift's default).
    `compression` applies to csv/json/text. `max_file_size_mb` between 5 and 6200.
    `kms_key_id` needs `encrypted`. `parallel=False` writes one file at a time (ordered).
    """

    format: Literal["csv", "parquet", "json", "text"] = "csv"
    header: bool = False
    delimiter: str | None = None
    compression: Literal["gzip", "bzip2", "zstd"] | None = None
    manifest: bool = False
    encrypted: bool = False
    kms_key_id: str | None = None
    max_file_size_mb: int | None = None
    parallel: bool = True
    allow_overwrite: bool = False
    clean_path: bool = False
    partition_by: tuple[str, ...] = ()
    null_as: str | None = None
    region: str | None = None
    extension: str | None = None


def unload_problems(o: UnloadOptions) -> list[str]:
    """Every reason Redshift would refuse these UNLOAD options (empty: none)."""
    problems = []
    if o.format not in ("csv", "parquet", "json", "text"):
        problems.append(f"format {o.format!r}: use csv, parquet, json or text")
    if o.header and o.format in ("parquet", "json"):
        problems.append(f"header: not allowed with format {o.format} (only csv and text)")
    if o.delimiter is not None and o.format in ("parquet", "json"):
        problems.append(f"delimiter: not allowed with format {o.format}")
    if o.delimiter is not None and len(o.delimiter) != 1:
        problems.append(f"delimiter {o.delimiter!r}: must be one character")
    if o.compression is not None and o.compression not in _COMPRESSIONS:
        problems.append(f"compression {o.compression!r}: use gzip, bzip2 or zstd")
    if o.compression is not None and o.format == "parquet":
        problems.append("compression: Parquet files are compressed by Redshift (Snappy)")
    if o.kms_key_id and not o.encrypted:
        problems.append("kms_key_id: needs encrypted=True (ENCRYPTED KMS_KEY_ID ...)")
    if o.max_file_size_mb is not None and not (
        MIN_MAX_FILE_SIZE_MB <= o.max_file_size_mb <= MAX_MAX_FILE_SIZE_MB
    ):
        problems.append(
            f"max_file_size_mb {o.max_file_size_mb}: must be between {MIN_MAX_FILE_SIZE_MB} "
            f"and {MAX_MAX_FILE_SIZE_MB} (6.2 GB)"
        )
    if o.null_as is not None and o.format == "parquet":
        problems.append("null_as: not allowed with format parquet")
    if o.allow_overwrite and o.clean_path:
        problems.append("allow_overwrite and clean_path: choose one")
    return problems


def unload_sql(query: str, destination: str, *, iam_role: str, options: UnloadOptions) -> str:
    """``UNLOAD ('query') TO 'destination' IAM_ROLE ... options``.

    `destination` is an ``s3://bucket/prefix`` that Redshift extends with slice and part
    numbers. Bound parameters cannot reach inside UNLOAD: `query` is plain SQL text.
    Raises ValueError listing every refused option.
    """
    problems = unload_problems(options)
    if not query.strip():
        problems.insert(0, "query: empty")
    if problems:
        raise ValueError("UNLOAD options refused: " + "; ".join(problems))
    o = options
    lines = [
        f"UNLOAD ({quote_literal(query.strip().rstrip(';'))})",
        f"TO {_s3_uri(destination, 'destination')}",
        _iam(iam_role),
    ]
    if o.format != "text":
        lines.append(f"FORMAT AS {o.format.upper()}")
    if o.partition_by:
        lines.append(f"PARTITION BY ({', '.join(quote_identifier(c) for c in o.partition_by)})")
    if o.header:
        lines.append("HEADER")
    if o.delimiter is not None:
        lines.append(f"DELIMITER AS {quote_literal(o.delimiter)}")
    if o.null_as is not None:
        lines.append(f"NULL AS {quote_literal(o.null_as)}")
    if o.compression:
        lines.append(o.compression.upper())
    if o.manifest:
        lines.append("MANIFEST")
    if o.encrypted:
        lines.append("ENCRYPTED")
    if o.kms_key_id:
        lines.append(f"KMS_KEY_ID {quote_literal(o.kms_key_id)}")
    if o.max_file_size_mb is not None:
        lines.append(f"MAXFILESIZE AS {o.max_file_size_mb} MB")
    if not o.parallel:
        lines.append("PARALLEL OFF")
    if o.allow_overwrite:
        lines.append("ALLOWOVERWRITE")
    if o.clean_path:
        lines.append("CLEANPATH")
    if o.region:
        lines.append(f"REGION AS {quote_literal(o.region)}")
    if o.extension:
        lines.append(f"EXTENSION {quote_literal(o.extension)}")
    return "\n".join(lines)


@dataclass(frozen=True)
class CopyOptions:
    """Options of COPY from S3 (each documented on Redshift's COPY page).

    `format`: ``csv`` | ``json`` (``json_paths`` = ``auto`` or an s3:// jsonpaths file) |
    ``parquet`` | ``orc`` | ``text``. `ignore_header` counts lines skipped per file (csv/text).
    `manifest`: `source` is a manifest file listing the objects. `max_errors`: rows that may be
    rejected before COPY fails (0 by default: any bad row fails the load).
    """

    format: Literal["csv", "json", "parquet", "orc", "text"] = "csv"
    ignore_header: int = 0
    delimiter: str | None = None
    compression: Literal["gzip", "bzip2", "zstd"] | None = None
    manifest: bool = False
    json_paths: str = "auto"
    region: str | None = None
    null_as: str | None = None
    date_format: str | None = None
    time_format: str | None = None
    max_errors: int = 0
    empty_as_null: bool = False
    truncate_columns: bool = False
    comp_update: bool | None = None
    stat_update: bool | None = None


def copy_problems(o: CopyOptions) -> list[str]:
    """Every reason Redshift would refuse these COPY options (empty: none)."""
    problems = []
    columnar = o.format in ("parquet", "orc")
    if o.format not in ("csv", "json", "parquet", "orc", "text"):
        problems.append(f"format {o.format!r}: use csv, json, parquet, orc or text")
    if o.ignore_header < 0:
        problems.append("ignore_header: must be >= 0")
    if o.ignore_header and o.format not in ("csv", "text"):
        problems.append(f"ignore_header: only for csv and text, not {o.format}")
    if o.delimiter is not None and o.format not in ("csv", "text"):
        problems.append(f"delimiter: only for csv and text, not {o.format}")
    if o.delimiter is not None and len(o.delimiter) != 1:
        problems.append(f"delimiter {o.delimiter!r}: must be one character")
    if o.compression is not None and o.compression not in _COMPRESSIONS:
        problems.append(f"compression {o.compression!r}: use gzip, bzip2 or zstd")
    if o.compression is not None and columnar:
        problems.append(f"compression: {o.format} files carry their own compression")
    if o.json_paths != "auto" and o.format != "json":
        problems.append("json_paths: only for format json")
    if o.json_paths != "auto" and not o.json_paths.startswith("s3://"):
        problems.append("json_paths: 'auto' or an s3:// jsonpaths file")
    if o.max_errors < 0:
        problems.append("max_errors: must be >= 0")
    if columnar and (o.null_as is not None or o.empty_as_null or o.date_format):
        problems.append(f"null_as / empty_as_null / date_format: not for format {o.format}")
    return problems


def copy_sql(
    table: str,
    source: str,
    *,
    iam_role: str,
    options: CopyOptions,
    columns: Sequence[str] = (),
) -> str:
    """``COPY "table" (columns) FROM 'source' IAM_ROLE ... options``.

    `source` is an ``s3://`` prefix (every object under it is loaded) or, with
    ``manifest=True``, a manifest file. Raises ValueError listing every refused option.
    """
    problems = copy_problems(options)
    if problems:
        raise ValueError("COPY options refused: " + "; ".join(problems))
    o = options
    target = quote_identifier(table)
    if columns:
        target += f" ({', '.join(quote_identifier(c) for c in columns)})"
    lines = [f"COPY {target}", f"FROM {_s3_uri(source, 'source')}", _iam(iam_role)]
    if o.format == "csv":
        lines.append("FORMAT AS CSV")
    elif o.format == "json":
        lines.append(f"FORMAT AS JSON {quote_literal(o.json_paths)}")
    elif o.format in ("parquet", "orc"):
        lines.append(f"FORMAT AS {o.format.upper()}")
    if o.delimiter is not None:
        lines.append(f"DELIMITER AS {quote_literal(o.delimiter)}")
    if o.ignore_header:
        lines.append(f"IGNOREHEADER {o.ignore_header}")
    if o.compression:
        lines.append(o.compression.upper())
    if o.manifest:
        lines.append("MANIFEST")
    if o.null_as is not None:
        lines.append(f"NULL AS {quote_literal(o.null_as)}")
    if o.empty_as_null:
        lines.append("EMPTYASNULL")
    if o.date_format:
        lines.append(f"DATEFORMAT AS {quote_literal(o.date_format)}")
    if o.time_format:
        lines.append(f"TIMEFORMAT AS {quote_literal(o.time_format)}")
    if o.truncate_columns:
        lines.append("TRUNCATECOLUMNS")
    if o.max_errors:
        lines.append(f"MAXERROR {o.max_errors}")
    if o.comp_update is not None:
        lines.append(f"COMPUPDATE {'ON' if o.comp_update else 'OFF'}")
    if o.stat_update is not None:
        lines.append(f"STATUPDATE {'ON' if o.stat_update else 'OFF'}")
    if o.region:
        lines.append(f"REGION AS {quote_literal(o.region)}")
    return "\n".join(lines)


def rows_per_insert(column_count: int, limit: int = 1000) -> int:
    """How many rows one multi-row INSERT may carry: at most `limit`, and within the driver's
    `MAX_BIND_PARAMETERS` bound parameters."""
    if column_count < 1:
        raise ValueError("an INSERT needs at least one column")
    return max(1, min(limit, MAX_BIND_PARAMETERS // column_count))


def insert_sql(table: str, columns: Sequence[str], row_count: int) -> str:
    """``INSERT INTO "table" ("a", "b") VALUES (%s, %s), ...`` for `row_count` rows (format
    paramstyle: the rows' values are bound, never spliced into the text)."""
    if not columns:
        raise ValueError("an INSERT needs at least one column")
    if row_count < 1:
        raise ValueError("an INSERT needs at least one row")
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    names = ", ".join(quote_identifier(c) for c in columns)
    return f"INSERT INTO {quote_identifier(table)} ({names}) VALUES " + ", ".join([row] * row_count)


@dataclass(frozen=True)
class UpsertSql:
    """The statements of an upsert, in order; `stage` names the temporary staging table."""

    stage: str
    create_stage: str
    delete: str
    insert: str
    drop_stage: str


def upsert_sql(table: str, key: Sequence[str], *, stage: str | None = None) -> UpsertSql:
    """A staging-table upsert: rows whose `key` columns match a staged row are deleted from
    `table`, then every staged row is inserted (Redshift's documented merge by delete-insert).

    The caller fills `stage` between `create_stage` and `delete`, and runs `delete` and
    `insert` in one transaction. The stage is ``CREATE TEMP TABLE ... (LIKE table)``: same
    columns, dropped with the session at the latest.
    """
    if not key:
        raise ValueError("upsert needs at least one key column")
    target = quote_identifier(table)
    stage_name = stage or "stage_" + re.sub(r"\W", "_", table.split(".")[-1])
    staged = quote_identifier(stage_name)
    match = " AND ".join(
        f"{target}.{quote_identifier(c)} = {staged}.{quote_identifier(c)}" for c in key
    )
    return UpsertSql(
        stage=stage_name,
        create_stage=f"CREATE TEMP TABLE {staged} (LIKE {target})",
        delete=f"DELETE FROM {target} USING {staged} WHERE {match}",
        insert=f"INSERT INTO {target} SELECT * FROM {staged}",
        drop_stage=f"DROP TABLE IF EXISTS {staged}",
    )
