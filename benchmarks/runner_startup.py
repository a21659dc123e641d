"""Start-up of the container runner: process start to the handler call, against
`python -c "import boto3"` measured in the same run.

    .venv/bin/python benchmarks/runner_startup.py [--runs N]

Each run starts `flow-task state demo.DailyReport BuildReport` as the container does (a task
token in the environment, reporting to a loopback Step Functions endpoint) and reads the
runner's own `startup_ms` (process start to the handler call, from /proc) from its
`task_started` log line; the whole process time is shown too. The baseline is the wall time of
`python -c "import boto3"` (the runner needs boto3 to report). Runs are interleaved, so machine
noise hits all alike; medians are printed with their ratio to the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from flowtasks.runner.endpoint import Endpoint

BIN = Path(sys.executable).parent
TOKEN = "benchmark-token-" + "b" * 32
PAYLOAD = {"date": "2026-01-01", "metrics": [{"orders": 1}, {"revenue": {"eu": 1.0}}]}


def _wall(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per command (default 9)")
    args = parser.parse_args()
    baseline: list[float] = []
    wall: list[float] = []
    to_handler: list[float] = []
    with Endpoint() as endpoint:
        env = {
            **os.environ,
            "FLOWTASKS_TASK_TOKEN": TOKEN,
            "FLOWTASKS_INPUT": json.dumps(PAYLOAD),
            "AWS_ENDPOINT_URL_SFN": endpoint.url,
            "AWS_ACCESS_KEY_ID": "benchmark",
            "AWS_SECRET_ACCESS_KEY": "benchmark",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        runner = [str(BIN / "flow-task"), "state", "demo.DailyReport", "BuildReport"]
        for _ in range(args.runs):
            baseline.append(_wall([sys.executable, "-c", "import boto3"], env)[0])
            endpoint.expect(TOKEN)
            seconds, out = _wall(runner, env)
            wall.append(seconds)
            started = next(
                json.loads(line) for line in out.splitlines() if '"task_started"' in line
            )
            to_handler.append(started["startup_ms"] / 1000)
    base = statistics.median(baseline)
    print(f"runner start-up, median of {args.runs} runs each (interleaved)")
    rows = {
        'python -c "import boto3" (baseline)': baseline,
        "flow-task state: process start -> handler call": to_handler,
        "flow-task state: whole process (report included)": wall,
    }
    for name, times in rows.items():
        median = statistics.median(times)
        print(f"  {name:<50} {median * 1000:7.1f} ms   {median / base:5.2f}x baseline")


if __name__ == "__main__":
    main()
