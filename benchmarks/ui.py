"""`flow-task ui`: time to first page, the runs list with thousands of runs, a 10,000-item Map.

    .venv/bin/python benchmarks/ui.py [--runs N] [--items N] [--repeat N]

Makes a temporary runs folder (N saved runs and one run whose Map has --items iterations, all
made by the local engine), starts the real `flow-task ui --port 0` on it and times, as medians:

- start: from starting the process to its first page answered, against `python -c pass`;
- the runs list: the first `/api/local/runs` (every meta.json read) and the next ones (only a
  stat each), against reading every meta.json with `json.loads` in this process;
- opening the Map run: its first `/api/local/runs/ID` (history read by flowtasks.history), then
  its Map state and a page of 50 iterations, against `json.loads` of its history.json alone.

With Debian's chromium installed it also times the page in a real headless browser: from
navigating to the run to the first 50 iterations shown.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flowtasks.local import run
from flowtasks.runs import save_run

BIN = Path(sys.executable).parent

SMALL = {
    "StartAt": "Work",
    "States": {"Work": {"Type": "Pass", "Next": "Done"}, "Done": {"Type": "Succeed"}},
}
BIG_MAP = {
    "StartAt": "EachItem",
    "States": {
        "EachItem": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 40,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Handle",
                "States": {"Handle": {"Type": "Pass", "End": True}},
            },
            "ResultPath": None,
            "End": True,
        }
    },
}


def make_runs(directory: Path, count: int, items: int) -> str:
    """`count` small saved runs (copies of one real run, each with its own id and times) and
    one Map run of `items` iterations; returns the Map run's id."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    execution = run(SMALL, {"n": 1}, name="seed")
    seed = save_run(
        "seed", execution, flow="bench.Small", started="", finished="", directory=directory
    )
    for n in range(count):
        moment = start + timedelta(seconds=n)
        run_id = f"{moment:%Y%m%dT%H%M%S}-{n:06x}"
        target = directory / run_id
        shutil.copytree(seed.path, target)
        meta = {
            **seed.meta,
            "id": run_id,
            "started": moment.isoformat(),
            "finished": (moment + timedelta(milliseconds=120)).isoformat(),
            "status": "FAILED" if n % 10 == 0 else "SUCCEEDED",
        }
        (target / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    shutil.rmtree(seed.path)
    big = run(
        BIG_MAP,
        {"items": [{"n": n} for n in range(items)]},
        skip_waits=True,
        history_limit=None,
        name="big",
    )
    moment = start + timedelta(days=1)
    big_id = f"{moment:%Y%m%dT%H%M%S}-b1b1b1"
    save_run(
        big_id,
        big,
        flow="bench.Big",
        started=moment.isoformat(),
        finished=moment.isoformat(),
        directory=directory,
    )
    return big_id


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read()) if "/api/" in url else response.read()


def start_ui(runs_dir: Path) -> tuple[subprocess.Popen[str], str, float]:
    env = {**os.environ, "FLOWTASKS_RUNS_DIR": str(runs_dir)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "flow-task"), "ui", "--port", "0"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    match = re.search(r"http://127\.0\.0\.1:\d+/", process.stderr.readline())
    assert match is not None, "flow-task ui printed no URL"
    get(match.group(0))
    return process, match.group(0), time.perf_counter() - started


def line(name: str, seconds: float, baseline: float) -> None:
    print(f"  {name:<52} {seconds * 1000:8.1f} ms   {seconds / baseline:6.1f}x baseline")


def browser_open(url: str) -> float | None:
    """Seconds from navigating to the Map run to its first 50 iterations shown (None without
    chromium)."""
    executable = os.environ.get("FLOWTASKS_CHROMIUM") or shutil.which("chromium")
    if executable is None:
        return None
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        page = context.new_page()
        page.goto(url.split("#")[0] + "#/")
        page.wait_for_selector("#runs-body tr")
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("#iterations tbody tr[data-index='49']", timeout=60_000)
        seconds = time.perf_counter() - started
        context.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5000, help="saved runs (default 5000)")
    parser.add_argument("--items", type=int, default=10_000, help="Map items (default 10000)")
    parser.add_argument("--repeat", type=int, default=5, help="samples of each (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs_dir = Path(tmp) / "runs"
        runs_dir.mkdir()
        big = make_runs(runs_dir, args.runs, args.items)
        history = runs_dir / big / "history.json"
        print(
            f"{args.runs + 1} saved runs; the Map run has {args.items} iterations, "
            f"{history.stat().st_size / 1e6:.1f} MB of history; medians of {args.repeat}"
        )

        python = statistics.median(
            timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
            for _ in range(args.repeat)
        )
        starts, lists_cold, lists_warm, opens, states, pages = [], [], [], [], [], []
        for _ in range(args.repeat):
            process, url, first_page = start_ui(runs_dir)
            try:
                starts.append(first_page)
                lists_cold.append(timed(lambda u=url: get(f"{u}api/local/runs")))
                lists_warm.append(timed(lambda u=url: get(f"{u}api/local/runs?status=FAILED")))
                opens.append(timed(lambda u=url: get(f"{u}api/local/runs/{big}")))
                states.append(timed(lambda u=url: get(f"{u}api/local/runs/{big}/states/EachItem")))
                pages.append(
                    timed(
                        lambda u=url: get(
                            f"{u}api/local/runs/{big}/states/EachItem/iterations?offset=5000&limit=50"
                        )
                    )
                )
            finally:
                process.terminate()
                process.wait(timeout=10)
        process, url, _ = start_ui(runs_dir)  # the browser, once, on a fresh server
        try:
            browser = browser_open(f"{url}#/local/runs/{big}?state=EachItem")
        finally:
            process.terminate()
            process.wait(timeout=10)
        metas = sorted(runs_dir.glob("*/meta.json"))
        read_metas = statistics.median(
            timed(lambda: [json.loads(p.read_text()) for p in metas]) for _ in range(args.repeat)
        )
        load_history = statistics.median(
            timed(lambda: json.loads(history.read_text())) for _ in range(args.repeat)
        )
        median = statistics.median
        print("start")
        line("python -c pass (baseline)", python, python)
        line("flow-task ui: start to first page", median(starts), python)
        print(f"runs list of {args.runs + 1} runs")
        line("json.loads of every meta.json (baseline)", read_metas, read_metas)
        line("first /api/local/runs (reads every meta.json)", median(lists_cold), read_metas)
        line("next /api/local/runs (a stat each)", median(lists_warm), read_metas)
        print(f"a run with a {args.items}-iteration Map")
        line("json.loads of its history.json (baseline)", load_history, load_history)
        line("open it: /api/local/runs/ID (read + history reader)", median(opens), load_history)
        line("its Map state", median(states), load_history)
        line("a page of 50 iterations", median(pages), load_history)
        if browser is not None:
            line("in Chromium: navigate to the 50 iterations shown", browser, load_history)


if __name__ == "__main__":
    main()
