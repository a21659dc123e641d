"""``flow-task start | executions | status | redrive``: deployed flows in an environment.

``status`` prints the execution state by state with the same progress lines as a local
``flow-task run`` (the same renderer reads both histories), then its status, error and cause.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from flowtasks.cli.app import EXIT_CODES
from flowtasks.cli.io import err, json_text, out, read_input

__all__ = ["executions_command", "redrive_command", "start_command", "status_command"]


def _flow_env(args: argparse.Namespace) -> tuple[str, Any]:
    """(qualified flow, its domain's environment ``--env``)."""
    from flowtasks.deploy.domain import domain_environment
    from flowtasks.registry import qualified_name_of, split_name

    qualified = qualified_name_of(args.flow)
    path = Path(args.environments) if args.environments else None
    return qualified, domain_environment(split_name(qualified)[0], args.env, path)


def start_command(args: argparse.Namespace) -> int:
    """Start the deployed flow; print the execution's ARN."""
    from flowtasks.deploy.operate import start

    _, value = read_input(args)
    qualified, env = _flow_env(args)
    answer = start(qualified, env, {} if value is None else value, name=args.name)
    out(answer["executionArn"])
    err(f"started {qualified} in {env.name}; follow it with: flow-task status --watch ARN")
    return 0


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else str(value or "")


def executions_command(args: argparse.Namespace) -> int:
    """The flow's recent executions: start time, status, name, ARN (newest first)."""
    from flowtasks.deploy.operate import executions

    qualified, env = _flow_env(args)
    found = executions(qualified, env, limit=args.limit)
    if args.json:
        out(
            json_text(
                [{k: _when(v) if k.endswith("Date") else v for k, v in e.items()} for e in found]
            )
        )
        return 0
    if not found:
        err(f"{qualified} has no executions in {env.name}")
    for e in found:
        name = e.get("name") or str(e["executionArn"]).rsplit(":", 1)[-1]
        out(f"{_when(e['startDate'])}  {e['status']:<9}  {name}  {e['executionArn']}")
    return 0


def status_command(args: argparse.Namespace) -> int:
    """The execution state by state (``--watch``: until it ends); exit code by its status."""
    from flowtasks.cli.progress import Progress
    from flowtasks.deploy.operate import aws_event, describe, watch

    execution, definition = describe(args.execution_arn)
    if args.json:
        events: list[dict[str, Any]] = []
        final = watch(args.execution_arn, events.append, follow=args.watch)
        document = {"execution": _plain(final), "events": [aws_event(e) for e in events]}
        out(json_text(document))
        return _exit_code(str(final["status"]))
    arn_parts = str(args.execution_arn).split(":")
    name = execution.get("name") or arn_parts[-1]
    machine = str(execution.get("stateMachineArn") or ":".join(arn_parts[:-1])).split(":")[-1]
    # Durations come from the events' own timestamps, not from when they are read.
    moment = [0.0]
    progress = Progress(
        definition,
        stream=sys.stdout,
        header=f"execution {name} ({machine})",
        clock=lambda: moment[0],
    )

    def feed(event: dict[str, Any]) -> None:
        stamp = event.get("timestamp")
        if isinstance(stamp, datetime):
            moment[0] = stamp.timestamp()
        progress(event)

    final = watch(args.execution_arn, feed, follow=args.watch)
    progress.close()
    status = str(final["status"])
    out(
        f"{status}  started {_when(final.get('startDate'))}"
        + (f", stopped {_when(final.get('stopDate'))}" if final.get("stopDate") else "")
    )
    if final.get("error") or final.get("cause"):
        out(f"  Error: {final.get('error', '')}")
        if final.get("cause"):
            out(f"  Cause: {final['cause']}")
    return _exit_code(status)


def _exit_code(status: str) -> int:
    """0 while RUNNING, else `EXIT_CODES` by status (as ``flow-task run``)."""
    return 0 if status == "RUNNING" else EXIT_CODES.get(status, 1)


def _plain(execution: dict[str, Any]) -> dict[str, Any]:
    return {
        k: _when(v) if k.endswith("Date") else v
        for k, v in execution.items()
        if k != "ResponseMetadata"
    }


def redrive_command(args: argparse.Namespace) -> int:
    """Redrive a failed execution from the states that did not succeed."""
    from flowtasks.deploy.operate import redrive

    done = redrive(args.execution_arn)
    out(done.execution_arn)
    err(f"redriven at {_when(done.redrive_date)}; follow it with: flow-task status --watch ARN")
    return 0
