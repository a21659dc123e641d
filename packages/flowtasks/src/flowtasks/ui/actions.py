"""The one thing the UI can change: redrive a failed local run, as ``flow-task run --redrive``.

`redrive_run` starts ``flow-task run --redrive RUN_ID --skip-waits`` as a separate process (the
same command a person would type, in the folder the UI was started from), and returns at once;
the run's folder then shows it RUNNING, then its new end. The app reaches it only through a
POST that carries the page's CSRF token from the server's own origin (see `flowtasks.ui.app`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from flowtasks.runs import RUNS_DIR_ENV

__all__ = ["REDRIVABLE", "RedriveRefused", "redrive_run"]

REDRIVABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
"""The statuses a run can be redriven from (as Step Functions' RedriveExecution)."""


class RedriveRefused(Exception):
    """``flow-task run --redrive`` refused at once (a usage error): its message says why."""


def redrive_run(run_id: str, runs_dir: Path, *, settle_seconds: float = 1.5) -> None:
    """Start redriving saved run `run_id` of `runs_dir` in a new process, and return once it
    runs (or `settle_seconds` passed). RedriveRefused with the command's message when it
    exits with an error before that (a Task without a mock...).

    Waits and retry intervals are skipped (``--skip-waits``): a redrive from the page should
    not sleep through the original run's backoff.
    """
    command = [sys.executable, "-c", "from flowtasks.cli import main; raise SystemExit(main())"]
    command += ["run", "--redrive", run_id, "--skip-waits"]
    env = {**os.environ, RUNS_DIR_ENV: str(runs_dir)}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,  # Ctrl-C on the UI does not stop a redrive half way
        )
        try:
            code = process.wait(timeout=settle_seconds)
        except subprocess.TimeoutExpired:
            return  # still running: the page follows it
        if code == 2:  # a usage error: nothing was run
            errors.seek(0)
            message = errors.read().strip().removeprefix("flow-task: error: ")
            raise RedriveRefused(message or f"flow-task run --redrive {run_id} exited {code}")
