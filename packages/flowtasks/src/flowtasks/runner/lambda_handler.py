"""The Lambda entrypoint of the domain image (``compute="lambda"``).

The compiled state invokes the domain's function (``lambda:invoke.waitForTaskToken``) with the
payload ``{"command": ["flow-task", "state", FLOW, STATE], "environment": {...}}``
(`flowtasks.protocol`). `handler` runs that Task exactly as the container runner does (same
input reading, offload, error boundary, heartbeats, reports with the task token, JSON logs)
and returns a small summary; Step Functions takes the outcome from the report, not from the
return value. The image's entrypoint starts the runtime interface client with this handler
when Lambda runs it (``docker/entrypoint``). A Lambda function cannot be sent SIGTERM before
its timeout; a function that times out is reported by Step Functions' own timeout.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from flowtasks.protocol import COMMAND, ENV_EXECUTION, ENV_TASK_TOKEN, TaskCall

__all__ = ["handler"]


def handler(event: Mapping[str, Any], context: Any = None, client: Any = None) -> dict[str, Any]:
    """Run the Task the payload `event` names; returns ``{"exit_code", "outcome"}``.

    Raises ValueError (the invocation fails, Lambda logs it) for a payload that is not ours:
    there is no token to report with then.
    """
    from flowtasks.runner.container import ExitCode, run_task
    from flowtasks.runner.history_input import boto3_events
    from flowtasks.runner.logs import Logger
    from flowtasks.runner.report import Reporter, sfn_client

    command = event.get("command")
    environment = event.get("environment")
    if not (
        isinstance(command, list)
        and len(command) == 4
        and tuple(command[:2]) == COMMAND
        and isinstance(environment, Mapping)
        and isinstance(environment.get(ENV_TASK_TOKEN), str)
    ):
        raise ValueError(
            "not a flowtasks payload: expected {'command': ['flow-task', 'state', FLOW, STATE], "
            f"'environment': {{'{ENV_TASK_TOKEN}': ..., ...}}}}"
        )
    env = {**os.environ, **{str(k): str(v) for k, v in environment.items()}}
    flow, state = str(command[2]), str(command[3])
    execution = env.get(ENV_EXECUTION, "")
    log = Logger(
        {"flow": flow, "execution": execution.rsplit(":", 1)[-1], "state": state},
        sys.stdout,
        env,
    )
    client = client if client is not None else sfn_client()
    reporter = Reporter(env[ENV_TASK_TOKEN], client, log)
    history = boto3_events(client, execution) if execution else None
    code = run_task(TaskCall(flow, state, env), reporter, log, history)
    return {"exit_code": int(code), "outcome": ExitCode(code).name}
