"""The container runner: ``flow-task state FLOW STATE`` with a task token in its environment.

One Task state, start to finish, as ECS (or Lambda) runs it::

    read the input  (FLOWTASKS_INPUT / FLOWTASKS_PARAM_*, else the execution's history)
    resolve offloaded references in it
    run the handler (heartbeats meanwhile when the state has HeartbeatSeconds)
    offload a large result, SendTaskSuccess  - or SendTaskFailure with `error_of(exception)`

Exit codes (`ExitCode`): 0 success reported (or the state was already over: TaskTimedOut /
InvalidToken), 1 failure reported, 2 the call itself is wrong (unknown flow or state, no
input), 75 the report could not be delivered, 143 SIGTERM (``FlowTasks.Terminated`` reported).

The handler runs in a worker thread so that the main thread, waiting on it, takes SIGTERM at
once even while the handler is inside C code; the worker is a daemon and dies with the process.
"""

from __future__ import annotations

import enum
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TextIO

from flowtasks.protocol import (
    ENV_EXECUTION,
    ENV_TASK_TOKEN,
    ERROR_INPUT_UNAVAILABLE,
    ERROR_TERMINATED,
    TaskCall,
    error_of,
)
from flowtasks.runner.heartbeat import Heartbeat
from flowtasks.runner.logs import Logger
from flowtasks.runner.report import Outcome, Reporter

__all__ = ["ExitCode", "Terminated", "run_container", "run_task"]


class ExitCode(enum.IntEnum):
    """The runner's exit codes."""

    SUCCEEDED = 0
    FAILED = 1
    BAD_CALL = 2
    NOT_REPORTED = 75  # EX_TEMPFAIL
    TERMINATED = 143  # 128 + SIGTERM


class Terminated(BaseException):
    """SIGTERM arrived while the task ran (raised in the main thread by the signal handler)."""


def _execution_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1] if arn else ""


def run_task(
    call: TaskCall,
    reporter: Reporter,
    log: Logger,
    history: Iterable[Mapping[str, Any]] | None,
    wait: Callable[[threading.Event], None] | None = None,
) -> ExitCode:
    """Run `call` and report its outcome through `reporter`; returns the exit code.

    `history` yields the execution's events newest first (read only when the environment
    carries no input). `wait(done)` blocks until the worker thread sets `done` (the container
    passes a wait that SIGTERM interrupts with `Terminated`). Shared by the container and the
    Lambda handler.
    """
    from flowtasks.runner.execute import finish_result, resolve
    from flowtasks.runner.inputs import task_input
    from flowtasks.runner.offload import store_from_env

    try:
        task_state = resolve(call)
        found = task_input(call, task_state, history, store_from_env(call.env))
    except Exception as exc:
        error, cause = error_of(exc)
        cause = log.redact(cause)
        if type(exc).__name__ in ("InputNotFound", "OffloadError", "JSONDecodeError"):
            error = ERROR_INPUT_UNAVAILABLE
        log("task_rejected", "ERROR", error=error, cause=cause)
        _report(reporter.failure(error, cause), log)
        return ExitCode.BAD_CALL
    if found.attempt is not None:
        log.bind(attempt=found.attempt)
    heartbeat_seconds = getattr(task_state, "heartbeat_seconds", None)
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["output"] = finish_result(call, task_state.call(found.value), found.store)
        except Exception as exc:
            outcome["error"] = error_of(exc)
        finally:
            done.set()

    started = time.monotonic()
    log("task_started", heartbeat_seconds=heartbeat_seconds, startup_ms=_startup_ms())
    with Heartbeat(reporter, heartbeat_seconds, log) as beats:
        worker = threading.Thread(target=work, name="task", daemon=True)
        try:
            worker.start()
            (wait or _plain_wait)(done)
        except Terminated:
            duration = round((time.monotonic() - started) * 1000)
            cause = "SIGTERM: the container was asked to stop (ECS StopTask, scale-in, Spot)"
            log("task_terminated", "ERROR", error=ERROR_TERMINATED, duration_ms=duration)
            _report(reporter.failure(ERROR_TERMINATED, cause), log)
            return ExitCode.TERMINATED
    duration = round((time.monotonic() - started) * 1000)
    if "error" in outcome:
        error, cause = outcome["error"]
        cause = log.redact(cause)  # the cause lands in the execution's history: no secrets
        log("task_failed", "ERROR", error=error, cause=cause, duration_ms=duration)
        reported = reporter.failure(error, cause)
        code = ExitCode.FAILED
    else:
        log("task_succeeded", duration_ms=duration, heartbeats=beats.sent)
        reported = reporter.success(outcome["output"])
        code = ExitCode.SUCCEEDED
    if reported is Outcome.FAILED:
        return ExitCode.NOT_REPORTED
    if reported is Outcome.STALE:
        return ExitCode.SUCCEEDED
    _report(reported, log)
    return code


def _startup_ms() -> int | None:
    """Milliseconds since this process started (Linux /proc), None where unknown."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
        return round((up - int(fields[19]) / ticks) * 1000)
    except (OSError, ValueError, IndexError):
        return None


def _plain_wait(done: threading.Event) -> None:
    done.wait()


def _report(outcome: Outcome, log: Logger) -> None:
    if outcome is Outcome.REPORTED:
        log("reported")


def run_container(
    flow: str,
    state: str,
    env: Mapping[str, str] | None = None,
    stream: TextIO | None = None,
    client: Any = None,
) -> int:
    """``flow-task state FLOW STATE`` in the container: run, report, return the exit code."""
    from flowtasks.runner.report import sfn_client

    env = dict(os.environ if env is None else env)
    token = env[ENV_TASK_TOKEN]
    execution = env.get(ENV_EXECUTION, "")
    log = Logger(
        {"flow": flow, "execution": _execution_name(execution), "state": state}, stream, env
    )
    client = client if client is not None else sfn_client()
    reporter = Reporter(token, client, log)
    call = TaskCall(flow, state, env)

    def on_sigterm(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one report, whatever follows
        raise Terminated

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, on_sigterm)
    from flowtasks.runner.history_input import boto3_events

    history = boto3_events(client, execution) if execution else None
    try:
        return int(run_task(call, reporter, log, history, _interruptible_wait))
    except Terminated:  # SIGTERM before the task started: still report it
        log("task_terminated", "ERROR", error=ERROR_TERMINATED)
        _report(reporter.failure(ERROR_TERMINATED, "SIGTERM before the task started"), log)
        return int(ExitCode.TERMINATED)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interruptible_wait(done: threading.Event) -> None:
    while not done.wait(0.5):  # short waits: signal handlers run between them at the latest
        pass
