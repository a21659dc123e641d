"""What `poetry run` adds to every `flow-task` call, and where that time goes.

    .venv/bin/python benchmarks/poetry_run.py [--runs N]

Part 1 times whole commands (each N times, interleaved, median wall time), as ratios against
`.venv/bin/flow-task list`, the same command started straight from the environment:

- ``poetry --version``: poetry's own start-up (its interpreter, its imports, its console app);
- ``poetry run python -c pass``: that, plus what ``run`` does before it hands over;
- ``poetry run flow-task list``: the full cost users pay per call.

Part 2 splits one ``poetry run true`` into phases by timing poetry's own functions inside its
interpreter (up to the ``execvpe`` that replaces poetry by the command). Its names are poetry's
internals (2.x): a phase that poetry no longer has is reported as missing, not guessed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

_PHASES = r"""
import json, os, sys, time
start = time.perf_counter()
phases = {}
import poetry.console.application as app
phases["import poetry's console application"] = time.perf_counter() - start
from poetry.factory import Factory
from poetry.console.commands.installer_command import InstallerCommand  # run imports it lazily
phases["import the rest of poetry (factory, installer)"] = (
    time.perf_counter() - start - phases["import poetry's console application"]
)
def timed(owner, attr, label):
    if not hasattr(owner, attr):
        phases[label] = None
        return
    original = getattr(owner, attr)
    def wrapper(*args, **kwargs):
        begin = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            phases[label] = phases.get(label) or 0.0
            phases[label] += time.perf_counter() - begin
    setattr(owner, attr, wrapper)
timed(Factory, "create_poetry", "read and validate pyproject.toml (Factory.create_poetry)")
timed(app.Application, "configure_env", "configure_env")
def stop(*args, **kwargs):
    total = time.perf_counter() - start
    env = phases.pop("configure_env", None)  # it reads pyproject.toml first: count that once
    pyproject = phases.get("read and validate pyproject.toml (Factory.create_poetry)")
    label = "find .venv and ask its python (rest of configure_env)"
    phases[label] = None if env is None or pyproject is None else env - pyproject
    known = sum(v for v in phases.values() if v is not None)
    phases["the rest (cleo commands, events, argument parsing)"] = total - known
    phases["total until poetry execs the command"] = total
    print(json.dumps(phases))
    os._exit(0)
os.execvpe = stop
sys.argv = ["poetry", "run", "true"]
app.main()
"""


def _time(argv: list[str]) -> float:
    begin = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - begin


def _poetry_python(poetry: str) -> str:
    """The interpreter of the `poetry` script (its shebang)."""
    first = Path(poetry).resolve().read_text(encoding="utf-8").splitlines()[0]
    return first.removeprefix("#!").strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per command (default 9)")
    args = parser.parse_args()
    poetry = shutil.which("poetry") or str(Path.home() / ".local" / "bin" / "poetry")
    python = _poetry_python(poetry)
    direct = "flow-task list, from .venv/bin (baseline)"
    commands = {
        direct: [str(BIN / "flow-task"), "list"],
        "poetry's python -c pass": [python, "-c", "pass"],
        "poetry --version": [poetry, "--version"],
        "poetry run python -c pass": [poetry, "run", "python", "-c", "pass"],
        "poetry run flow-task list": [poetry, "run", "flow-task", "list"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    phases: list[dict[str, float | None]] = []
    for _ in range(args.runs):
        for name, argv in commands.items():
            samples[name].append(_time(argv))
        found = subprocess.run(
            [python, "-c", _PHASES], cwd=ROOT, capture_output=True, text=True, check=True
        )
        phases.append(json.loads(found.stdout))
    baseline = statistics.median(samples[direct])
    print(f"1. whole commands, median of {args.runs} runs each (interleaved)")
    for name, times in samples.items():
        median = statistics.median(times)
        print(f"  {name:<44} {median * 1000:7.1f} ms   {median / baseline:5.1f}x baseline")
    added = statistics.median(samples["poetry run flow-task list"]) - baseline
    print(f"  poetry run adds {added * 1000:.0f} ms to every call")
    print(f"2. phases of `poetry run true` in poetry's own process (median of {args.runs})")
    for label in phases[0]:
        values = [p[label] for p in phases if p.get(label) is not None]
        if not values:
            print(f"  {label:<60} missing in this poetry")
            continue
        print(f"  {label:<60} {statistics.median(values) * 1000:7.1f} ms")  # type: ignore[type-var]


if __name__ == "__main__":
    main()
