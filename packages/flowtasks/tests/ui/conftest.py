"""Fixtures of the ``flow-task ui`` tests: real runs, made by the engine and saved as the CLI
saves them, in a temporary runs folder. The helper module ``ui_runs.py`` is importable here."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from ui_runs import SavedRuns, make_runs  # noqa: E402


@pytest.fixture(scope="session")
def saved_runs(tmp_path_factory: pytest.TempPathFactory) -> SavedRuns:
    """One folder of runs of every kind (see `ui_runs.make_runs`), made once per session."""
    return make_runs(tmp_path_factory.mktemp("runs"))


# --- the real server and a real browser --------------------------------------------------------

REPO = HERE.parents[3]
SCREENSHOTS = Path(os.environ.get("FLOWTASKS_UI_SCREENSHOTS") or REPO / "test-artifacts" / "ui")
"""Where the browser tests save a screenshot of each page (git-ignored; CI uploads it)."""

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's chromium (or ``$FLOWTASKS_CHROMIUM``); never a browser Playwright downloads."""
    configured = os.environ.get("FLOWTASKS_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class UiServer:
    """A running ``flow-task ui`` process: its URL, runs folder and time to first page."""

    url: str
    runs_dir: Path
    process: subprocess.Popen[str]
    first_page_seconds: float


def start_ui(runs_dir: Path) -> UiServer:
    """Start ``flow-task ui --port 0`` on `runs_dir`; return once it served its first page."""
    flow_task = Path(sys.executable).parent / "flow-task"
    env = {**os.environ, "FLOWTASKS_RUNS_DIR": str(runs_dir)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(flow_task), "ui", "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if match is None:
        process.kill()
        raise AssertionError(f"flow-task ui did not print its URL: {line}{process.stderr.read()}")
    with urllib.request.urlopen(match.group(0), timeout=10) as response:
        assert response.status == 200
    return UiServer(match.group(0), runs_dir, process, time.perf_counter() - started)


@pytest.fixture(scope="session")
def ui_server(
    saved_runs: SavedRuns, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[UiServer]:
    """``flow-task ui`` over a copy of `saved_runs` (tests may add runs to it)."""
    runs_dir = tmp_path_factory.mktemp("ui") / "runs"
    shutil.copytree(saved_runs.directory, runs_dir)
    server = start_ui(runs_dir)
    yield server
    server.process.terminate()
    server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser_context() -> Iterator[Any]:
    """A headless Chromium (a fresh profile folder), driven by Playwright."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="flowtasks-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 950},
        )
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    """A new tab; fails the test on any JavaScript error the page raised."""
    tab = browser_context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.set_default_timeout(15_000)
    yield tab
    tab.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """``screenshot(page, name)`` saves a full-page PNG under `SCREENSHOTS`."""

    def take(tab: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take
