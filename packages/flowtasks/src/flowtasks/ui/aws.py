"""Executions in AWS as a `RunSource`: the same pages show them as they show local runs.

`AwsExecutions` reads the executions of given state machines with boto3 (``ListExecutions``,
``DescribeExecution``, ``DescribeStateMachineForExecution``, ``GetExecutionHistory``: read-only
calls, the caller's credentials, ``AWS_ENDPOINT_URL`` for a stand-in such as moto). The history
events are the ones `flowtasks.history` reads for local runs, so the views need nothing new.

A run id here is ``<state machine name>.<execution name>`` (neither name may hold a dot).
Lists are cached for `list_seconds` (the page refreshes every 2 s; AWS need not answer that
often); a finished execution is read once.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flowtasks.errors import UsageError
from flowtasks.ui.sources import RunNotFound, RunRecord, SourceUnavailable, run_summary

__all__ = ["AwsExecutions", "environment_source"]

_NAME = r"[A-Za-z0-9_-]{1,80}"
_RUN_ID = re.compile(rf"({_NAME})\.({_NAME})")


def _iso(value: Any) -> Any:
    return value.isoformat(timespec="milliseconds") if isinstance(value, datetime) else value


def _plain_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """A GetExecutionHistory event as JSON data (boto3 gives the timestamp as a datetime)."""
    return {key: _iso(value) for key, value in event.items()}


def _decode(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


class AwsExecutions:
    """The executions of `machines` (flow name -> state machine ARN), at most `limit` of each,
    newest first. `client` is a boto3 Step Functions client (default: one for the region of the
    first ARN). Thread-safe."""

    def __init__(
        self,
        name: str,
        machines: Mapping[str, str],
        *,
        client: Any = None,
        limit: int = 100,
        list_seconds: float = 5.0,
    ) -> None:
        self.name = name
        self.machines = {arn.rsplit(":", 1)[-1]: (flow, arn) for flow, arn in machines.items()}
        self.limit = limit
        self.list_seconds = list_seconds
        self._client = client
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._listed: tuple[float, list[dict[str, Any]]] | None = None
        self._described: dict[str, dict[str, Any]] = {}  # finished executions, by ARN
        self._records: dict[str, RunRecord] = {}  # finished executions, by run id

    def client(self, arn: str) -> Any:
        """The Step Functions client for `arn`'s region (the one given, in tests)."""
        if self._client is not None:
            return self._client
        region = arn.split(":")[3] if arn.count(":") >= 5 else ""
        with self._lock:
            if region not in self._clients:
                import boto3

                self._clients[region] = boto3.client("stepfunctions", region_name=region or None)
            return self._clients[region]

    # -- RunSource --------------------------------------------------------------------------

    def summaries(self) -> list[dict[str, Any]]:
        with self._lock:
            if self._listed is not None and time.monotonic() - self._listed[0] < self.list_seconds:
                return self._listed[1]
        runs = []
        for machine, (flow, arn) in self.machines.items():
            for execution in self._list(arn):
                if execution.get("status") == "FAILED":
                    execution = {**execution, **self._describe(execution["executionArn"])}
                runs.append(self._summary(machine, flow, execution))
        runs.sort(key=lambda run: (str(run.get("started") or ""), run["id"]), reverse=True)
        with self._lock:
            self._listed = (time.monotonic(), runs)
        return runs

    def version(self, run_id: str) -> str:
        execution = self._describe(self._arn(run_id))
        status = str(execution.get("status"))
        if status != "RUNNING":
            return f"{status}:{_iso(execution.get('stopDate'))}:{execution.get('redriveCount', 0)}"
        arn = self._arn(run_id)
        latest = self._call(
            "get_execution_history", executionArn=arn, reverseOrder=True, maxResults=1
        )
        events = latest.get("events") or [{}]
        return f"RUNNING:{events[0].get('id')}"

    def record(self, run_id: str) -> RunRecord:
        with self._lock:
            cached = self._records.get(run_id)
        if cached is not None:
            return cached
        arn = self._arn(run_id)
        machine, _ = run_id.split(".", 1)
        execution = self._describe(arn)
        described = self._call("describe_state_machine_for_execution", executionArn=arn)
        definition = _decode(described.get("definition"))
        events: list[dict[str, Any]] = []
        pages = self.client(arn).get_paginator("get_execution_history")
        try:
            for page in pages.paginate(executionArn=arn, reverseOrder=False):
                events.extend(_plain_event(event) for event in page["events"])
        except Exception as exc:  # ClientError, BotoCoreError
            raise SourceUnavailable(f"{self.name}: GetExecutionHistory: {exc}") from None
        record = RunRecord(
            summary=self._summary(machine, self.machines[machine][0], execution),
            definition=definition if isinstance(definition, dict) else {},
            input=_decode(execution.get("input")),
            output=_decode(execution.get("output")),
            events=events,
            version=self.version(run_id),
        )
        if execution.get("status") != "RUNNING":
            with self._lock:
                self._records[run_id] = record
        return record

    # -- AWS calls --------------------------------------------------------------------------

    def _arn(self, run_id: str) -> str:
        match = _RUN_ID.fullmatch(run_id)
        if match is None or match.group(1) not in self.machines:
            raise RunNotFound(run_id)
        machine_arn = self.machines[match.group(1)][1]
        return machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + match.group(2)

    def _call(self, operation: str, **arguments: Any) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            client = self.client(str(arguments.get("executionArn", "")))
            answer: dict[str, Any] = getattr(client, operation)(**arguments)
        except ClientError as exc:
            if _missing(exc):
                raise RunNotFound(str(arguments)) from None
            raise SourceUnavailable(f"{self.name}: {operation}: {exc}") from None
        except BotoCoreError as exc:  # no credentials, no connection...
            raise SourceUnavailable(f"{self.name}: {operation}: {exc}") from None
        return answer

    def _describe(self, arn: str) -> dict[str, Any]:
        with self._lock:
            cached = self._described.get(arn)
        if cached is not None:
            return cached
        execution = self._call("describe_execution", executionArn=arn)
        if execution.get("status") != "RUNNING":
            with self._lock:
                self._described[arn] = execution
        return execution

    def _list(self, machine_arn: str) -> list[dict[str, Any]]:
        """The newest executions of a state machine; none when it is not deployed."""
        from botocore.exceptions import BotoCoreError, ClientError

        found: list[dict[str, Any]] = []
        paginator = self.client(machine_arn).get_paginator("list_executions")
        try:
            for page in paginator.paginate(stateMachineArn=machine_arn):
                found.extend(page["executions"])
                if len(found) >= self.limit:
                    break
        except ClientError as exc:
            if _missing(exc):
                return []
            raise SourceUnavailable(f"{self.name}: ListExecutions: {exc}") from None
        except BotoCoreError as exc:
            raise SourceUnavailable(f"{self.name}: ListExecutions: {exc}") from None
        found.sort(key=lambda execution: execution["startDate"], reverse=True)
        return found[: self.limit]

    def _summary(self, machine: str, flow: str, execution: Mapping[str, Any]) -> dict[str, Any]:
        meta = {
            "flow": flow,
            "status": execution.get("status"),
            "started": _iso(execution.get("startDate")),
            "finished": _iso(execution.get("stopDate")),
            "error": execution.get("error"),
            "cause": execution.get("cause"),
            "redriven": _iso(execution.get("redriveDate")),
        }
        return run_summary(f"{machine}.{execution.get('name')}", meta)


def _missing(exc: Any) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return "DoesNotExist" in code or "NotFound" in code or "InvalidArn" in code


def environment_source(env: str, environments: Path | None = None) -> AwsExecutions:
    """The executions in environment `env` of every registered domain that has it (in its
    ``environments.toml``, or in `environments`): one state machine a flow, named as
    ``flow-task deploy`` names them. UsageError when no domain has `env`."""
    from flowtasks.deploy.domain import domain_environment
    from flowtasks.deploy.operate import state_machine_arn
    from flowtasks.registry import load_all, split_name

    flows, _ = load_all()
    machines: dict[str, str] = {}
    problems: list[str] = []
    for domain in sorted({split_name(name)[0] for name in flows}):
        try:
            environment = domain_environment(domain, env, environments)
        except UsageError as exc:
            problems.append(f"{domain}: {exc}")
            continue
        for qualified in sorted(flows):
            if split_name(qualified)[0] == domain:
                machines[qualified] = state_machine_arn(qualified, environment)
    if not machines:
        detail = "; ".join(problems) or "no domain is registered"
        raise UsageError(f"no domain has an environment {env!r} ({detail})")
    return AwsExecutions(env, machines)
