"""Names, ARNs and the context object (``$$``) of a local execution.

The context object is a plain dict shaped like AWS's
(https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html):
``{"Execution": {...}, "StateMachine": {...}, "State": {...}, "Task": {...}, "Map": {...}}``.
The ``Execution`` and ``StateMachine`` parts are built once per execution and shared.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = [
    "ACCOUNT",
    "ROLE_ARN",
    "execution_arn",
    "map_run_arn",
    "region",
    "state_context",
    "state_machine_arn",
]

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/flowtasks-local"


def region() -> str:
    """The AWS region that local ARNs name (AWS_REGION / AWS_DEFAULT_REGION, else us-east-1)."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def state_machine_arn(name: str) -> str:
    return f"arn:aws:states:{region()}:{ACCOUNT}:stateMachine:{name}"


def execution_arn(state_machine: str, name: str) -> str:
    return f"arn:aws:states:{region()}:{ACCOUNT}:execution:{state_machine}:{name}"


def map_run_arn(state_machine: str, state: str, run_id: str) -> str:
    return f"arn:aws:states:{region()}:{ACCOUNT}:mapRun:{state_machine}/{state}:{run_id}"


def state_context(
    execution: dict[str, Any],
    machine: dict[str, Any],
    name: str,
    entered_time: str,
    retry_count: int | None = None,
) -> dict[str, Any]:
    """The context object seen by the state `name` (Task and Map parts are added by those).

    ``State.RetryCount`` is given to Task states only (AWS recordings of ``$$.State`` in a Pass
    state carry Name and EnteredTime only).
    """
    state: dict[str, Any] = {"Name": name, "EnteredTime": entered_time}
    if retry_count is not None:
        state["RetryCount"] = retry_count
    return {"Execution": execution, "StateMachine": machine, "State": state}
