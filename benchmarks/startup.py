"""Start-up time of the `flow-task` command, as a ratio against `python -c pass` in the same run.

    .venv/bin/python benchmarks/startup.py [--runs N]

Each command runs N times (interleaved, so machine noise hits all alike); the median wall time
of each is printed with its ratio to the bare interpreter's. Run `scripts/bootstrap` first: it
byte-compiles the environment, without which every start pays for compiling.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (default 15)")
    args = parser.parse_args()
    flow_task = str(BIN / "flow-task")
    commands = {
        "python -c pass (baseline)": [sys.executable, "-c", "pass"],
        "flow-task --help": [flow_task, "--help"],
        "flow-task list": [flow_task, "list"],
        "flow-task asl demo.VendorIngest": [flow_task, "asl", "demo.VendorIngest"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, argv in commands.items():
            samples[name].append(_time(argv))
    baseline = statistics.median(samples["python -c pass (baseline)"])
    print(f"start-up, median of {args.runs} runs each (interleaved)")
    for name, times in samples.items():
        median = statistics.median(times)
        print(f"  {name:<36} {median * 1000:7.1f} ms   {median / baseline:5.1f}x baseline")


if __name__ == "__main__":
    main()
