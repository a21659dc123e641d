"""The Redshift Data API (boto3 ``redshift-data``): statements run by AWS, no socket to keep open.

Useful where a task cannot reach the cluster's network, or for statements that outlive a task
(a long UNLOAD, a nightly rebuild). The Data API runs a statement asynchronously and keeps it
(and its result) for 24 hours under a statement id.

`run_statement` submits, waits up to `wait_seconds`, and returns ``{statement_id, status,
rows_affected, has_result_set, reattached}``. Still running after that, it raises
`StatementStillRunningError` (retryable): with an `idempotency_key` and a `statement_store`
(an ``s3://`` prefix), the statement id was recorded there at submission, so the retried (or
redriven) state *reattaches* to the running statement instead of submitting it again. A
statement that failed or was aborted is submitted anew; one that finished is not run twice.
The same key also goes to the Data API as ``ClientToken``, its own idempotency guard.

The key must name one statement run: ``Var("$$.Execution.Id")`` in a state reused once per
execution (add ``$$.Map.Item.Index`` inside a Map). Runtime parameters bind as ``:name``.

`target` is a `DataApiTarget`, or a Redshift connection name whose query keys give
``cluster_identifier`` (with ``db_user``, default the URI's user) or ``serverless_work_group``.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from flowtasks.connections import RedshiftConnection, Secret, get_redshift
from flowtasks.tasks.redshift import RedshiftConnectionError, RedshiftSqlError
from flowtasks.tasks.reusable import reusable_task

__all__ = [
    "DataApiTarget",
    "StatementFailedError",
    "StatementStillRunningError",
    "run_statement",
    "statement_task",
    "target_of",
]

RUNNING: Final = ("SUBMITTED", "PICKED", "STARTED")
"""Data API statuses of a statement that has not ended."""

DEFAULT_WAIT_SECONDS: Final = 600.0
POLL_SECONDS: Final = 1.0


class StatementStillRunningError(RedshiftConnectionError):
    """Retryable: the statement still runs after `wait_seconds`; `statement_id` names it.
    Retry the state (with the same idempotency key) to wait on without submitting again."""

    def __init__(self, message: str, *, connection: str, statement_id: str) -> None:
        super().__init__(message, connection=connection)
        self.statement_id = statement_id


class StatementFailedError(RedshiftSqlError):
    """Permanent: the Data API reports the statement FAILED or ABORTED (`statement_id`)."""

    def __init__(self, message: str, *, connection: str, statement_id: str) -> None:
        super().__init__(message, connection=connection, sqlstate=None)
        self.statement_id = statement_id


@dataclass(frozen=True)
class DataApiTarget:
    """Where the Data API runs a statement: a provisioned cluster (with `db_user` for temporary
    IAM credentials, or `secret_arn`) or a serverless `workgroup_name`."""

    database: str
    cluster_identifier: str | None = None
    workgroup_name: str | None = None
    db_user: str | None = None
    secret_arn: str | None = None
    name: str = "data-api"

    def request(self) -> dict[str, str]:
        """The target's fields of an ``ExecuteStatement`` request; ValueError when incomplete."""
        if bool(self.cluster_identifier) == bool(self.workgroup_name):
            raise ValueError(
                f"Data API target {self.name!r}: give exactly one of cluster_identifier "
                "(provisioned) or workgroup_name (serverless)"
            )
        if self.cluster_identifier and not (self.db_user or self.secret_arn):
            raise ValueError(
                f"Data API target {self.name!r}: a cluster needs db_user (IAM temporary "
                "credentials) or secret_arn"
            )
        fields = {"Database": self.database}
        if self.cluster_identifier:
            fields["ClusterIdentifier"] = self.cluster_identifier
        if self.workgroup_name:
            fields["WorkgroupName"] = self.workgroup_name
        if self.secret_arn:
            fields["SecretArn"] = self.secret_arn
        elif self.db_user:
            fields["DbUser"] = self.db_user
        return fields


def target_of(target: str | RedshiftConnection | DataApiTarget) -> DataApiTarget:
    """`target` as a DataApiTarget (a connection's query keys give the cluster or workgroup)."""
    if isinstance(target, DataApiTarget):
        return target
    conn = get_redshift(target)

    def option(key: str) -> str | None:
        value = conn.options.get(key)
        return value.reveal() if isinstance(value, Secret) else value

    workgroup = option("serverless_work_group")
    return DataApiTarget(
        database=conn.database,
        cluster_identifier=option("cluster_identifier"),
        workgroup_name=workgroup,
        db_user=None if workgroup else option("db_user") or conn.user,
        name=conn.name,
    )


def _client(client: Any) -> Any:
    if client is not None:
        return client
    import boto3

    return boto3.client("redshift-data")


def _parameters(parameters: Mapping[str, Any] | None) -> list[dict[str, str]]:
    result = []
    for name, value in (parameters or {}).items():
        if value is None:
            raise ValueError(f"Data API parameter {name!r} is None: put NULL in the SQL instead")
        text = value if isinstance(value, str) else json.dumps(value)
        result.append({"name": str(name), "value": text})
    return result


def _store_uri(store: str, key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{store.rstrip('/')}/{digest}.json"


def _recorded(store_uri: str) -> dict[str, Any] | None:
    from flowtasks.tasks import s3

    try:
        data = json.loads(s3.read_bytes(store_uri))
    except FileNotFoundError:
        return None
    return data if isinstance(data, dict) else None


def _describe(client: Any, statement_id: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = client.describe_statement(Id=statement_id)
    except client.exceptions.ResourceNotFoundException:
        return None  # expired (after 24 hours) or never existed
    return found


def run_statement(
    target: str | RedshiftConnection | DataApiTarget,
    sql: str,
    *,
    parameters: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    statement_store: str | None = None,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
    poll_seconds: float = POLL_SECONDS,
    client: Any = None,
) -> dict[str, Any]:
    """Run `sql` through the Data API (see the module doc); reattach when `idempotency_key`
    already has a running or finished statement recorded in `statement_store`."""
    from flowtasks.tasks import s3

    where = target_of(target)
    request = where.request()
    if idempotency_key is not None and not statement_store:
        raise ValueError("an idempotency_key needs a statement_store (an s3:// prefix)")
    if statement_store:
        s3.parse_uri(statement_store.rstrip("/") + "/x")
    api = _client(client)
    key = None
    if idempotency_key is not None:
        key = f"{idempotency_key}|{where.name}|{hashlib.sha256(sql.encode()).hexdigest()}"
    store_uri = _store_uri(statement_store, key) if key and statement_store else None

    statement_id: str | None = None
    reattached = False
    generation = 0
    if store_uri is not None:
        record = _recorded(store_uri)
        if record is not None:
            generation = int(record.get("generation", 0))
            found = _describe(api, str(record["statement_id"]))
            if found is not None and found["Status"] not in ("FAILED", "ABORTED"):
                statement_id, reattached = str(record["statement_id"]), True
            else:
                generation += 1  # that one ended badly (or expired): run it again
    if statement_id is None:
        submit: dict[str, Any] = {**request, "Sql": sql}
        if parameters:
            submit["Parameters"] = _parameters(parameters)
        if key is not None:
            submit["StatementName"] = key[:500]
            submit["ClientToken"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}#{generation}"))
        statement_id = str(api.execute_statement(**submit)["Id"])
        if store_uri is not None:
            record = {"statement_id": statement_id, "generation": generation}
            s3.write_bytes(store_uri, json.dumps(record).encode())
    return _wait(api, where, statement_id, wait_seconds, poll_seconds, reattached)


def _wait(
    api: Any,
    where: DataApiTarget,
    statement_id: str,
    wait_seconds: float,
    poll_seconds: float,
    reattached: bool,
) -> dict[str, Any]:
    deadline = time.monotonic() + wait_seconds
    while True:
        found = _describe(api, statement_id)
        if found is None:
            raise StatementFailedError(
                f"Data API statement {statement_id} of {where.name!r} no longer exists",
                connection=where.name,
                statement_id=statement_id,
            )
        status = str(found["Status"])
        if status == "FINISHED":
            return {
                "statement_id": statement_id,
                "status": status,
                "rows_affected": max(int(found.get("ResultRows", 0) or 0), 0),
                "has_result_set": bool(found.get("HasResultSet", False)),
                "reattached": reattached,
            }
        if status in ("FAILED", "ABORTED"):
            raise StatementFailedError(
                f"Data API statement {statement_id} of {where.name!r} {status}: "
                f"{found.get('Error', 'no reason given')}",
                connection=where.name,
                statement_id=statement_id,
            )
        if time.monotonic() >= deadline:
            raise StatementStillRunningError(
                f"Data API statement {statement_id} of {where.name!r} is still {status} after "
                f"{wait_seconds:g} s; retry the state to wait on (it reattaches, no new run)",
                connection=where.name,
                statement_id=statement_id,
            )
        time.sleep(min(poll_seconds, max(deadline - time.monotonic(), 0)))


def _statement_state(
    target: str,
    sql: str,
    statement_store: str,
    idempotency_key: str,
    parameters: dict[str, Any] | None = None,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
) -> dict[str, Any]:
    return run_statement(
        target,
        sql,
        parameters=parameters,
        idempotency_key=idempotency_key,
        statement_store=statement_store,
        wait_seconds=wait_seconds,
    )


statement_task = reusable_task(_statement_state, name="statement_task", state="RedshiftStatement")
"""``RedshiftStatement`` state: `run_statement` with reattachment; pass
``idempotency_key=Var("$$.Execution.Id")``. Retry `StatementStillRunningError` to wait longer."""
