"""Reports a task's outcome to Step Functions with its task token.

``SendTaskSuccess`` / ``SendTaskFailure`` / ``SendTaskHeartbeat`` through boto3's Step Functions
client, which finds the endpoint as boto3 always does (``AWS_ENDPOINT_URL_SFN``, then
``AWS_ENDPOINT_URL``, then AWS). Transient failures (throttling, 5xx, a dropped connection) are
retried by botocore's ``standard`` retry mode: exponential backoff with jitter, up to
`REPORT_ATTEMPTS` attempts. Answers that mean the state is already over (``TaskTimedOut``,
``InvalidToken``, ``TaskDoesNotExist``) are not errors of the runner: `Outcome.STALE`.

Only the first final report (success or failure) is sent; later ones (a SIGTERM racing the
handler's success) return `Outcome.STALE` without a call, and heartbeats stop.
"""

from __future__ import annotations

import enum
import threading
from typing import Any

from flowtasks.limits import MAX_TASK_CAUSE_LENGTH, MAX_TASK_ERROR_LENGTH

__all__ = ["REPORT_ATTEMPTS", "STALE_CODES", "Outcome", "Reporter", "sfn_client"]

REPORT_ATTEMPTS = 8
"""Attempts per report (botocore standard retry mode: backoff with jitter, at most 20 s apart)."""
STALE_CODES = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})
"""Step Functions error codes meaning the token no longer accepts reports."""


class Outcome(enum.Enum):
    """What became of a report."""

    REPORTED = "reported"
    STALE = "stale"  # the state was already over (timed out, or reported before)
    FAILED = "failed"  # could not report after every retry


def sfn_client(max_attempts: int = REPORT_ATTEMPTS) -> Any:
    """A boto3 Step Functions client with the runner's retry and timeout settings."""
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=5,
        read_timeout=20,
    )
    return boto3.session.Session().client("stepfunctions", config=config)


class Reporter:
    """Sends the reports of one task token. `log` receives ``(event, level, **fields)``."""

    def __init__(self, token: str, client: Any, log: Any) -> None:
        self._token = token
        self._client = client
        self._log = log
        self._lock = threading.Lock()
        self.final: Outcome | None = None

    @property
    def done(self) -> bool:
        """True once a final report was attempted (heartbeats then stop)."""
        return self.final is not None

    def success(self, output: str) -> Outcome:
        """SendTaskSuccess with `output` (JSON text)."""
        return self._final("SendTaskSuccess", {"output": output})

    def failure(self, error: str, cause: str) -> Outcome:
        """SendTaskFailure with `error` and `cause` (cut to Step Functions' limits)."""
        return self._final(
            "SendTaskFailure",
            {"error": error[:MAX_TASK_ERROR_LENGTH], "cause": cause[:MAX_TASK_CAUSE_LENGTH]},
        )

    def heartbeat(self) -> Outcome:
        """SendTaskHeartbeat, unless a final report was already sent."""
        if self.done:
            return Outcome.STALE
        return self._send("SendTaskHeartbeat", {})

    def _final(self, action: str, fields: dict[str, str]) -> Outcome:
        with self._lock:
            if self.final is not None:
                return Outcome.STALE
            self.final = self._send(action, fields)
            return self.final

    def _send(self, action: str, fields: dict[str, str]) -> Outcome:
        from botocore.exceptions import BotoCoreError, ClientError

        method = {
            "SendTaskSuccess": self._client.send_task_success,
            "SendTaskFailure": self._client.send_task_failure,
            "SendTaskHeartbeat": self._client.send_task_heartbeat,
        }[action]
        try:
            method(taskToken=self._token, **fields)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in STALE_CODES:
                self._log("token_stale", "WARNING", action=action, code=code)
                return Outcome.STALE
            self._log("report_failed", "ERROR", action=action, code=code, message=str(exc))
            return Outcome.FAILED
        except BotoCoreError as exc:
            self._log(
                "report_failed", "ERROR", action=action, code=type(exc).__name__, message=str(exc)
            )
            return Outcome.FAILED
        return Outcome.REPORTED
