"""Offline parts of the Redshift tasks: the shim's message rewriting, error classification
(retryable vs permanent) on the driver's own exception types, JSON values, and the reusable
states' definition-time checks."""

from __future__ import annotations

import datetime
import decimal
import struct

import pytest
from redshift_connector.error import InterfaceError, ProgrammingError

from flowtasks.asl import compile_flow
from flowtasks.connections import parse
from flowtasks.dev.pgshim import rewrite_parameter_status, rewrite_startup
from flowtasks.dsl import Flow, Var
from flowtasks.tasks import redshift
from flowtasks.tasks.redshift import (
    RedshiftConnectionError,
    RedshiftSqlError,
    json_value,
    translate_error,
)

CONN = parse("redshift://me:S3cret@db.example.com:5439/dev", name="warehouse")


def _startup(**params: str) -> bytes:
    body = b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in params.items())
    return struct.pack("!i", 196608) + body + b"\0"


def test_the_shim_drops_redshift_only_startup_parameters_and_keeps_the_rest() -> None:
    sent = _startup(
        user="me",
        database="dev",
        application_name="flows",
        client_protocol_version="2",
        driver_version="Redshift Python Driver 2.1",
        os_version="Linux",
        driver_discovery_version="1",
    )
    assert rewrite_startup(sent) == _startup(user="me", database="dev", application_name="flows")


def test_the_shim_trims_debians_server_version_only() -> None:
    debian = b"server_version\x0015.6 (Debian 15.6-0+deb12u1)\x00"
    assert rewrite_parameter_status(debian) == b"server_version\x0015.6\x00"
    other = b"TimeZone\x00Etc/UTC (x)\x00"
    assert rewrite_parameter_status(other) == other


def test_sql_errors_are_permanent_with_their_sqlstate() -> None:
    exc = ProgrammingError({"S": "ERROR", "C": "42P01", "M": 'relation "t" does not exist'})
    error = translate_error(exc, CONN)
    assert type(error) is RedshiftSqlError
    assert error.sqlstate == "42P01"
    assert str(error) == (
        "Redshift connection 'warehouse' (db.example.com:5439): ERROR 42P01: "
        'relation "t" does not exist'
    )


@pytest.mark.parametrize("code", ["08006", "57P01", "53300", "40001", "40P01"])
def test_connection_shutdown_resource_and_conflict_errors_are_retryable(code: str) -> None:
    error = translate_error(ProgrammingError({"S": "FATAL", "C": code, "M": "x"}), CONN)
    assert type(error) is RedshiftConnectionError


def test_network_failures_are_retryable_but_client_mistakes_are_not() -> None:
    refused = InterfaceError("communication error", ConnectionRefusedError(111, "refused"))
    assert type(translate_error(refused, CONN)) is RedshiftConnectionError
    closed = InterfaceError("BrokenPipe: server socket closed.")
    assert type(translate_error(closed, CONN)) is RedshiftConnectionError
    placeholder = InterfaceError("Only %s and %% are supported in the query.")
    assert type(translate_error(placeholder, CONN)) is RedshiftSqlError
    settings = InterfaceError("Invalid connection property setting. SSL must be enabled")
    assert type(translate_error(settings, CONN)) is RedshiftSqlError


def test_iam_options_pass_through_to_the_real_driver() -> None:
    # the driver itself insists on TLS with IAM: the options reached it, and the refusal of
    # the settings is permanent (nothing to retry)
    iam = parse(
        "redshift://etl@127.0.0.1:9/dev?sslmode=disable&iam=true&cluster_identifier=analytics"
        "&db_user=etl&region=us-east-1",
        name="iam",
    )
    with pytest.raises(RedshiftSqlError, match="SSL must be enabled when using IAM"):
        redshift.query(iam, "SELECT 1")


def test_authentication_errors_say_what_to_check_without_the_password() -> None:
    exc = ProgrammingError(
        {"S": "FATAL", "C": "28P01", "M": 'password authentication failed for user "me"'}
    )
    error = translate_error(exc, CONN)
    assert "check the user and password of connection 'warehouse'" in str(error)
    assert "S3cret" not in str(error)
    assert "S3cret" not in repr(error)


def test_json_value_keeps_numbers_and_writes_dates_as_iso_text() -> None:
    assert json_value(decimal.Decimal("10.50")) == 10.5
    assert json_value(decimal.Decimal("12")) == 12
    assert json_value(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert json_value(datetime.datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05"
    assert json_value(b"\x01\xff") == "01ff"
    assert json_value("x") == "x"


def test_bad_arguments_fail_before_connecting() -> None:
    with pytest.raises(ValueError, match="format must be 'csv' or 'jsonl'"):
        redshift.query_to_s3(CONN, "SELECT 1", "s3://b/k.csv", format="xml")
    with pytest.raises(ValueError, match="not an S3 URI"):
        redshift.query_to_s3(CONN, "SELECT 1", "/tmp/out.csv")
    with pytest.raises(ValueError, match="exactly one of rows, select or source"):
        redshift.upsert(CONN, "t", ["id"])
    with pytest.raises(ValueError, match="parameters bind into a single statement"):
        redshift.execute(CONN, ["SELECT 1", "SELECT 2"], [1])


def test_reusable_redshift_states_compile_with_static_and_runtime_arguments() -> None:
    flow = Flow(
        "Export",
        redshift.query_to_s3_task(
            connection="warehouse",
            sql="SELECT * FROM orders WHERE day = %s",
            parameters=Var("$.days"),
            destination=Var("$.target"),
            name="ExportOrders",
        ),
    )
    state = compile_flow(flow, "demo").definition["States"]["ExportOrders"]
    # the task's input variables, as the runner evaluates them (flowtasks.protocol)
    from flowtasks.asl.task_resource import input_parameters

    values = input_parameters(flow.task_states()["ExportOrders"])  # type: ignore[arg-type]
    assert values["FLOWTASKS_PARAM_connection"] == '"warehouse"'
    assert values["FLOWTASKS_PARAM_destination.$"] == "States.JsonToString($.target)"
    assert "S3cret" not in str(state) + str(values)


def test_reusable_unload_and_copy_refuse_bad_static_options_when_the_flow_is_defined() -> None:
    role = "arn:aws:iam::123456789012:role/R"
    with pytest.raises(ValueError, match="header: not allowed with format parquet"):
        redshift.unload_task(
            connection="w", sql="SELECT 1", destination="s3://b/p/", iam_role=role,
            format="parquet", header=True,
        )  # fmt: skip
    with pytest.raises(ValueError, match="ignore_header: only for csv and text"):
        redshift.copy_from_s3_task(
            connection="w", table="t", source="s3://b/p/", iam_role=role,
            format="parquet", ignore_header=1,
        )  # fmt: skip
    with pytest.raises(ValueError, match="format must be 'csv' or 'jsonl'"):
        redshift.query_to_s3_task(
            connection="w", sql="SELECT 1", destination="s3://b/k", format="xml"
        )
