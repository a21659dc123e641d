"""flowtasks.tasks.redshift against a real PostgreSQL through the real redshift_connector driver,
exporting to a real moto S3 server. Each fault test asserts what was lost: nothing."""

from __future__ import annotations

import csv
import gzip
import io
import json
import threading
import time
from typing import Any

import pytest

from flowtasks.dev.postgres import PostgresServer
from flowtasks.tasks import redshift
from flowtasks.tasks.redshift import (
    RedshiftConnectionError,
    RedshiftSqlError,
    ResultTooLargeError,
)

from .conftest import uri_of


def _objects(client: Any, bucket: str) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def _pending_uploads(client: Any, bucket: str) -> list[Any]:
    return list(client.list_multipart_uploads(Bucket=bucket).get("Uploads", []))


def test_the_real_driver_talks_to_postgres_through_the_shim(warehouse: str) -> None:
    rows = redshift.query(
        warehouse, "SELECT version() AS v, current_setting('server_version') AS s"
    )
    # the shim trims what the driver sees; the server itself still says what it is
    assert rows[0]["v"].startswith("PostgreSQL ")
    with redshift.connect(warehouse) as session:
        assert str(session._server_version)[0].isdigit()


def test_query_binds_list_and_dict_parameters_and_returns_json_ready_rows(warehouse: str) -> None:
    rows = redshift.query(
        warehouse,
        "SELECT %s::int AS n, %s::numeric(6,2) AS amount, DATE '2026-01-02' AS day, "
        "NULL::text AS nothing, %s::text AS quote",
        [7, "10.50", "it's"],
    )
    assert rows == [{"n": 7, "amount": 10.5, "day": "2026-01-02", "nothing": None, "quote": "it's"}]
    named = redshift.query(warehouse, "SELECT %(a)s::int + %(b)s::int AS total", {"a": 1, "b": 2})
    assert named == [{"total": 3}]


def test_real_values_come_back_as_written_in_query_and_jsonl(
    warehouse: str, s3: tuple[Any, str]
) -> None:
    sql = "SELECT 0.3::real AS r, 0.7::real AS s, 0.1::float8 AS d"
    assert redshift.query(warehouse, sql) == [{"r": 0.3, "s": 0.7, "d": 0.1}]
    client, bucket = s3
    redshift.query_to_s3(warehouse, sql, f"s3://{bucket}/reals.jsonl", format="jsonl")
    body = client.get_object(Bucket=bucket, Key="reals.jsonl")["Body"].read()
    assert body == b'{"r":0.3,"s":0.7,"d":0.1}\n'
    redshift.query_to_s3(warehouse, sql, f"s3://{bucket}/reals.csv")
    csv_body = client.get_object(Bucket=bucket, Key="reals.csv")["Body"].read()
    assert csv_body == b"r,s,d\n0.3,0.7,0.1\n"


def test_query_refuses_a_result_past_max_rows_and_points_to_query_to_s3(warehouse: str) -> None:
    assert len(redshift.query(warehouse, "SELECT g FROM generate_series(1, 5) g", max_rows=5)) == 5
    with pytest.raises(ResultTooLargeError, match=r"more than 5 rows.*query_to_s3"):
        redshift.query(warehouse, "SELECT g FROM generate_series(1, 1000000) g", max_rows=5)
    # past SINGLE_NODE_FETCH_ROWS, rows come in FETCHes a single-node cluster accepts
    rows = redshift.query(warehouse, "SELECT g FROM generate_series(1, 2400) g", max_rows=2500)
    assert [r["g"] for r in rows] == list(range(1, 2401))
    with pytest.raises(ResultTooLargeError, match=r"more than 2000 rows"):
        redshift.query(warehouse, "SELECT g FROM generate_series(1, 2001) g", max_rows=2000)


def test_execute_runs_statements_in_one_transaction(warehouse: str, table: str) -> None:
    result = redshift.execute(
        warehouse,
        [f"CREATE TABLE {table} (id INT PRIMARY KEY)", f"INSERT INTO {table} VALUES (1), (2)"],
    )
    assert result == {"statements": 2, "rows_affected": 2}
    with pytest.raises(RedshiftSqlError) as caught:
        redshift.execute(
            warehouse,
            [f"INSERT INTO {table} VALUES (3)", f"INSERT INTO {table} VALUES (1)"],  # duplicate
        )
    assert caught.value.sqlstate == "23505"
    assert "warehouse" in str(caught.value)
    # all or nothing: the first insert was rolled back with the second
    assert redshift.query(warehouse, f"SELECT count(*) AS n FROM {table}") == [{"n": 2}]


def test_a_bad_placeholder_is_a_permanent_error_not_a_network_one(warehouse: str) -> None:
    with pytest.raises(RedshiftSqlError, match=r"Only %s and %% are supported"):
        redshift.query(warehouse, "SELECT 5 % 2 AS odd, %s AS x", [1])


def test_autocommit_runs_what_a_transaction_block_refuses(warehouse: str, table: str) -> None:
    redshift.execute(warehouse, f"CREATE TABLE {table} (id INT)")
    with pytest.raises(RedshiftSqlError, match="25001"):  # cannot run inside a transaction block
        redshift.execute(warehouse, f"VACUUM {table}")
    assert redshift.execute(warehouse, f"VACUUM {table}", autocommit=True)["statements"] == 1


def test_a_sql_error_is_permanent_and_names_the_connection(warehouse: str) -> None:
    with pytest.raises(RedshiftSqlError, match=r"'warehouse'.*42P01.*no_such_table") as caught:
        redshift.query(warehouse, "SELECT * FROM no_such_table")
    assert caught.value.sqlstate == "42P01"
    assert not isinstance(caught.value, RedshiftConnectionError)


def test_a_wrong_password_is_reported_without_the_password(
    postgres: PostgresServer, shim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWTASKS_CONN_BAD", uri_of(postgres, shim.port, password="Wr0ngPa55"))
    with pytest.raises(RedshiftSqlError, match=r"28P01.*check the user and password") as caught:
        redshift.query("bad", "SELECT 1")
    assert "Wr0ngPa55" not in str(caught.value)
    assert "Wr0ngPa55" not in repr(caught.value)


def test_an_unreachable_server_is_a_retryable_error(
    postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowtasks.dev.services import free_port

    monkeypatch.setenv("FLOWTASKS_CONN_GONE", uri_of(postgres, free_port()))
    with pytest.raises(RedshiftConnectionError, match=r"'gone'.*connection failed or lost"):
        redshift.query("gone", "SELECT 1")


def test_query_to_s3_streams_csv_gzip_with_a_header(warehouse: str, s3: tuple[Any, str]) -> None:
    client, bucket = s3
    uri = f"s3://{bucket}/out/rows.csv.gz"
    result = redshift.query_to_s3(
        warehouse,
        "SELECT g AS id, 'row ' || g AS label, g %% 2 = 0 AS even, NULL::int AS gap "
        "FROM generate_series(1, %s) g ORDER BY g",
        uri,
        parameters=[2500],
        fetch_rows=1000,  # three FETCH FORWARD batches
    )
    body = gzip.decompress(client.get_object(Bucket=bucket, Key="out/rows.csv.gz")["Body"].read())
    lines = body.decode().splitlines()
    assert lines[:3] == ["id,label,even,gap", "1,row 1,false,", "2,row 2,true,"]
    assert len(lines) == 2501
    assert result == {"s3_uri": uri, "rows": 2500, "bytes": len(body)}


_MIXED_TYPES = (
    "SELECT g AS id, 'row ' || g AS label, g %% 2 = 0 AS even, NULL::int AS gap, "
    "(g / 8.0)::numeric(10,3) AS amount, DATE '2026-01-01' + g AS day, "
    "(1.0 / g)::float8 AS ratio, "
    "CASE g %% 4 WHEN 0 THEN 'a,b' WHEN 1 THEN 'say \"hi\"' WHEN 2 THEN E'two\\nlines' "
    "ELSE 'Zoë 東京' END AS tricky "
    "FROM generate_series(1, %s) g ORDER BY g"
)


def test_the_text_path_writes_what_the_decoded_rows_would(
    warehouse: str, s3: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowtasks.tasks import _redshift_text

    client, bucket = s3
    fast = redshift.query_to_s3(
        warehouse, _MIXED_TYPES, f"s3://{bucket}/fast.csv", parameters=[2500], fetch_rows=700
    )
    # the driver's decoded rows: what a driver without the text path's attributes gets
    monkeypatch.setattr(_redshift_text, "supports_csv_fetch", lambda session: False)
    decoded = redshift.query_to_s3(
        warehouse, _MIXED_TYPES, f"s3://{bucket}/decoded.csv", parameters=[2500], fetch_rows=700
    )
    fast_body = client.get_object(Bucket=bucket, Key="fast.csv")["Body"].read()
    decoded_body = client.get_object(Bucket=bucket, Key="decoded.csv")["Body"].read()
    assert fast_body == decoded_body
    assert fast["rows"] == decoded["rows"] == 2500
    assert fast["bytes"] == len(fast_body)
    rows = list(csv.reader(io.StringIO(fast_body.decode(), newline="")))
    assert rows[0] == ["id", "label", "even", "gap", "amount", "day", "ratio", "tricky"]
    assert rows[1] == ["1", "row 1", "false", "", "0.125", "2026-01-02", "1.0", 'say "hi"']
    assert rows[2][2:] == ["true", "", "0.250", "2026-01-03", "0.5", "two\nlines"]
    assert rows[3][6:] == ["0.3333333333333333", "Zoë 東京"]
    assert rows[4][7] == "a,b"


def test_the_text_path_keeps_the_session_in_step_when_stopped_early(warehouse: str) -> None:
    from contextlib import closing

    from flowtasks.tasks._redshift_text import CsvFetches

    with redshift.connect(warehouse) as session:
        session.cursor().execute("DECLARE c CURSOR FOR SELECT g FROM generate_series(1, 10000) g")
        with closing(CsvFetches(session, "c", 100)) as fetches:
            batches = [next(fetches) for _ in range(3)]  # 1 row, 1 row, then 100 rows
            # another FETCH of 100 is in flight: close() reads its reply
        assert [(b.columns, b.rows) for b in batches] == [(["g"], 1), (["g"], 1), (["g"], 100)]
        assert b"".join(b.data for b in batches) == b"".join(b"%d\n" % g for g in range(1, 103))
        cursor = session.cursor()
        cursor.execute("FETCH FORWARD 1 FROM c")
        assert cursor.fetchall() == ([203],)  # rows 103-202 went to the FETCH read by close()


def test_query_to_s3_writes_jsonl(warehouse: str, s3: tuple[Any, str]) -> None:
    client, bucket = s3
    uri = f"s3://{bucket}/out/rows.jsonl"
    result = redshift.query_to_s3(
        warehouse,
        "SELECT g AS id, (g * 1.5)::numeric(8,2) AS amount FROM generate_series(1, 3) g",
        uri,
        format="jsonl",
    )
    text = client.get_object(Bucket=bucket, Key="out/rows.jsonl")["Body"].read().decode()
    assert [json.loads(line) for line in text.splitlines()] == [
        {"id": 1, "amount": 1.5},
        {"id": 2, "amount": 3},
        {"id": 3, "amount": 4.5},
    ]
    assert result["rows"] == 3


def test_query_to_s3_of_an_empty_result_writes_the_header_only(
    warehouse: str, s3: tuple[Any, str]
) -> None:
    client, bucket = s3
    result = redshift.query_to_s3(
        warehouse, "SELECT 1 AS a, 2 AS b WHERE false", f"s3://{bucket}/empty.csv"
    )
    assert client.get_object(Bucket=bucket, Key="empty.csv")["Body"].read() == b"a,b\n"
    assert result["rows"] == 0


def test_a_sql_error_in_query_to_s3_leaves_no_object(warehouse: str, s3: tuple[Any, str]) -> None:
    client, bucket = s3
    with pytest.raises(RedshiftSqlError, match=r"division by zero"):
        redshift.query_to_s3(
            warehouse,
            # fails after the first batches were already written
            "SELECT 1 / (3000 - g) AS x FROM generate_series(1, 5000) g",
            f"s3://{bucket}/bad.csv",
            fetch_rows=500,
        )
    assert _objects(client, bucket) == []
    assert _pending_uploads(client, bucket) == []


def test_a_connection_dropped_mid_export_leaves_no_object_and_is_retryable(
    warehouse: str, s3: tuple[Any, str]
) -> None:
    client, bucket = s3
    failure: list[BaseException] = []

    def export() -> None:
        try:
            redshift.query_to_s3(
                warehouse,
                "SELECT g, repeat('x', 40) AS pad FROM generate_series(1, 3000000) g",
                f"s3://{bucket}/dropped.csv",
                fetch_rows=2000,
            )
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=export)
    worker.start()
    killed: list[Any] = []
    deadline = time.monotonic() + 30
    while not killed and time.monotonic() < deadline and worker.is_alive():
        time.sleep(0.3)  # let a few batches reach the S3 writer first
        killed = redshift.query(
            warehouse,
            "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity "
            "WHERE query LIKE 'FETCH FORWARD%%' AND pid <> pg_backend_pid()",
        )
    worker.join(60)
    assert killed, "the export finished before it could be interrupted"
    assert len(failure) == 1
    assert isinstance(failure[0], RedshiftConnectionError)
    assert _objects(client, bucket) == []
    assert _pending_uploads(client, bucket) == []


def test_upsert_replaces_rows_by_key_in_one_transaction(warehouse: str, table: str) -> None:
    redshift.execute(warehouse, f"CREATE TABLE {table} (vendor TEXT, id INT, amount NUMERIC(8,2))")
    first = redshift.upsert(
        warehouse,
        table,
        ["vendor", "id"],
        rows=[{"vendor": "acme", "id": 1, "amount": "1.00"}, ("acme", 2, "2.00")],
        columns=["vendor", "id", "amount"],
    )
    assert first == {"table": table, "staged": 2, "deleted": 0, "inserted": 2}
    second = redshift.upsert(
        warehouse,
        table,
        ["vendor", "id"],
        select="SELECT 'acme', g, g * 10 FROM generate_series(2, 3) g",
    )
    assert second == {"table": table, "staged": 2, "deleted": 1, "inserted": 2}
    rows = redshift.query(warehouse, f"SELECT id, amount FROM {table} ORDER BY id")
    assert rows == [{"id": 1, "amount": 1}, {"id": 2, "amount": 20}, {"id": 3, "amount": 30}]


def test_a_failing_upsert_changes_nothing(warehouse: str, table: str) -> None:
    redshift.execute(warehouse, f"CREATE TABLE {table} (id INT, amount NUMERIC(8,2) NOT NULL)")
    redshift.upsert(warehouse, table, ["id"], rows=[(1, 5)], columns=["id", "amount"])
    with pytest.raises(RedshiftSqlError, match=r"23502"):  # not-null violation while staging
        redshift.upsert(
            warehouse, table, ["id"], rows=[(1, 6), (2, None)], columns=["id", "amount"]
        )
    assert redshift.query(warehouse, f"SELECT id, amount FROM {table}") == [{"id": 1, "amount": 5}]


def test_many_rows_are_inserted_in_batches_within_the_parameter_limit(
    warehouse: str, table: str
) -> None:
    redshift.execute(warehouse, f"CREATE TABLE {table} (id INT, a TEXT, b TEXT)")
    rows = [(i, f"a{i}", f"b{i}") for i in range(2500)]
    result = redshift.upsert(warehouse, table, ["id"], rows=rows, columns=["id", "a", "b"])
    assert result["inserted"] == 2500
    assert redshift.query(warehouse, f"SELECT count(DISTINCT id) AS n FROM {table}") == [
        {"n": 2500}
    ]
