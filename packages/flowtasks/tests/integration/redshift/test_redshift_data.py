"""The Data API transport against moto's redshift-data server: a retried state reattaches to its
recorded statement instead of submitting it again. (moto keeps every statement STARTED until it
is cancelled, which is exactly the long-running case.)"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from flowtasks.tasks.redshift_data import (
    DataApiTarget,
    StatementStillRunningError,
    run_statement,
    target_of,
)

TARGET = DataApiTarget(database="dev", cluster_identifier="analytics", db_user="loader")


def _still_running(**kwargs: Any) -> StatementStillRunningError:
    with pytest.raises(StatementStillRunningError) as caught:
        run_statement(TARGET, wait_seconds=0, **kwargs)
    return caught.value


def test_a_retry_reattaches_to_the_running_statement(s3: tuple[Any, str]) -> None:
    client, bucket = s3
    store = f"s3://{bucket}/statements"
    sql = "UNLOAD ('select 1') TO 's3://x/y' IAM_ROLE default"
    first = _still_running(sql=sql, idempotency_key="exec-1", statement_store=store)
    assert "retry the state to wait on" in str(first)
    recorded = client.list_objects_v2(Bucket=bucket, Prefix="statements/")["Contents"]
    assert len(recorded) == 1

    again = _still_running(sql=sql, idempotency_key="exec-1", statement_store=store)
    assert again.statement_id == first.statement_id  # no second submission

    other = _still_running(sql=sql, idempotency_key="exec-2", statement_store=store)
    assert other.statement_id != first.statement_id  # another execution: its own statement


def test_an_aborted_statement_is_submitted_anew(s3: tuple[Any, str]) -> None:
    _, bucket = s3
    store = f"s3://{bucket}/statements"
    first = _still_running(sql="select 1", idempotency_key="exec-3", statement_store=store)
    boto3.client("redshift-data").cancel_statement(Id=first.statement_id)
    second = _still_running(sql="select 1", idempotency_key="exec-3", statement_store=store)
    assert second.statement_id != first.statement_id


def test_without_a_key_every_call_submits(moto_endpoint: str) -> None:
    one = _still_running(sql="select 1")
    two = _still_running(sql="select 1")
    assert one.statement_id != two.statement_id


def test_targets_are_checked_and_come_from_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="exactly one of cluster_identifier"):
        DataApiTarget(database="dev").request()
    with pytest.raises(ValueError, match="needs db_user"):
        DataApiTarget(database="dev", cluster_identifier="c").request()
    monkeypatch.setenv(
        "FLOWTASKS_CONN_WH",
        "redshift://etl@c.example.com:5439/sales?cluster_identifier=analytics&iam=true",
    )
    assert target_of("wh").request() == {
        "Database": "sales",
        "ClusterIdentifier": "analytics",
        "DbUser": "etl",
    }
    with pytest.raises(ValueError, match="needs a statement_store"):
        run_statement(TARGET, "select 1", idempotency_key="k")
