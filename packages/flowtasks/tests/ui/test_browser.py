"""``flow-task ui`` in a real headless Chromium: what a person sees and clicks.

Each test saves a screenshot of its page (see conftest.SCREENSHOTS).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from ui_runs import SCRIPT, SavedRuns

from conftest import UiServer, start_ui

pytestmark = [pytest.mark.integration, pytest.mark.browser]

Screenshot = Callable[[Any, str], Path]


def rows(page: Any) -> list[str]:
    return [str(cell) for cell in page.locator("#runs-body tr.run a.run-link").all_inner_texts()]


def test_runs_list_newest_first_and_filtered(
    page: Any, ui_server: UiServer, saved_runs: SavedRuns, screenshot: Screenshot
) -> None:
    page.goto(ui_server.url)
    page.wait_for_selector("#runs-body tr.run")
    assert rows(page)[:4] == list(saved_runs.ids)
    screenshot(page, "01-runs-list")
    page.select_option("#filter-status", "FAILED")
    expect(page.locator("#runs-body tr.run")).to_have_count(1)
    assert rows(page) == [saved_runs.failed]
    assert "status=FAILED" in page.url
    page.select_option("#filter-status", "")
    page.select_option("#filter-flow", "shop.Refunds")
    expect(page.locator("#runs-body tr.run")).to_have_count(1)
    assert rows(page) == [saved_runs.caught]
    screenshot(page, "02-runs-list-filtered")


def test_run_graph_is_coloured_by_outcome(
    page: Any, ui_server: UiServer, saved_runs: SavedRuns, screenshot: Screenshot
) -> None:
    page.goto(f"{ui_server.url}#/local?status=FAILED")
    page.click(f"a.run-link:text('{saved_runs.failed}')")
    page.wait_for_selector("svg.graph g.state")
    outcome = {
        g.get_attribute("data-state"): g.get_attribute("data-outcome")
        for g in page.locator("svg.graph g.state").all()
    }
    assert outcome["CountOrders"] == "failed"
    assert outcome["Checks"] == "not_run"
    assert page.inner_text("#run-failure").startswith("Busy")
    screenshot(page, "03-failed-run")


def open_run(page: Any, ui_server: UiServer, run_id: str, state: str | None = None) -> None:
    page.goto(f"{ui_server.url}#/local/runs/{run_id}")
    page.wait_for_selector("svg.graph g.state")
    if state is not None:
        page.click(f"svg.graph g.state[data-state='{state}']")
        expect(page.locator("#state-name")).to_contain_text(state)


def assert_nothing_ran(page: Any) -> None:
    """The page ran none of the data's HTML: no injected script, image or global."""
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("script").count() == 2  # elk.js and app.js, nothing else
    assert page.locator("img").count() == 0


def test_failed_state_shows_error_cause_and_each_retry(
    page: Any, ui_server: UiServer, saved_runs: SavedRuns, screenshot: Screenshot
) -> None:
    open_run(page, ui_server, saved_runs.failed, "CountOrders")
    assert page.inner_text("#state-error .error-name") == "Busy"
    cause = page.inner_text("#state-error .cause")
    assert cause == f"database locked {SCRIPT}"  # shown as text, exactly
    attempts = page.locator("#attempts tbody tr")
    expect(attempts).to_have_count(3)
    assert "retried after 2 s" in attempts.nth(0).inner_text()
    assert "retried after 4 s" in attempts.nth(1).inner_text()
    assert page.get_attribute("svg.graph g.state[data-state='CountOrders']", "class").count(
        "retried"
    )
    assert_nothing_ran(page)
    screenshot(page, "04-failed-state")


def test_outputs_holding_html_are_shown_as_text(
    page: Any, ui_server: UiServer, saved_runs: SavedRuns, screenshot: Screenshot
) -> None:
    open_run(page, ui_server, saved_runs.succeeded, "Remember")
    variables = page.locator(".json-block[data-label='Variables assigned']")
    expect(variables).to_contain_text(json.dumps(SCRIPT))
    expect(variables).to_contain_text('"charged_count": 2')
    assert_nothing_ran(page)
    screenshot(page, "05-variables-and-html-as-text")


def test_map_of_ten_thousand_iterations_pages_and_drills_down(
    page: Any, ui_server: UiServer, saved_runs: SavedRuns, screenshot: Screenshot
) -> None:
    started = time.perf_counter()
    open_run(page, ui_server, saved_runs.big_map, "EachItem")
    expect(page.locator("#iteration-page")).to_have_text(" 1\u201350 of 10000 ")
    opened = time.perf_counter() - started
    expect(page.locator("#iterations tbody tr")).to_have_count(50)
    page.click("#iterations button:has-text('next')")
    expect(page.locator("#iteration-page")).to_have_text(" 51\u2013100 of 10000 ")
    screenshot(page, "06-map-iterations")
    page.click("#iterations tbody tr[data-index='57'] a")
    expect(page.locator("#scope-bar")).to_contain_text("EachItem, iteration 57")
    expect(page.locator("#state-name")).to_contain_text("Handle")
    expect(page.locator(".json-block[data-label='Input']")).to_contain_text('"n": 57')
    screenshot(page, "07-map-iteration-57")
    print(f"opened a run with a 10,000-iteration Map in {opened:.2f} s")


def test_caught_failure_inside_a_map_leads_to_its_iteration(
    page: Any, ui_server: UiServer, saved_runs: SavedRuns, screenshot: Screenshot
) -> None:
    open_run(page, ui_server, saved_runs.caught, "Charge")
    expect(page.locator("#in-iterations")).to_contain_text("caught 1")
    page.click("#in-iterations a")
    expect(page.locator("#scope-bar")).to_contain_text("ChargeEach, iteration 1")
    expect(page.locator("#state-error .error-name")).to_have_text("CardDeclined")
    expect(page.locator("#catcher")).to_contain_text("CardDeclined")
    expect(page.locator("#catcher")).to_contain_text("Declined")
    declined = page.locator("svg.graph g.state[data-state='Declined']")
    assert declined.get_attribute("data-outcome") == "succeeded"
    screenshot(page, "08-caught-in-iteration")


def test_copy_puts_the_json_on_the_clipboard(
    page: Any, browser_context: Any, ui_server: UiServer, saved_runs: SavedRuns
) -> None:
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui_server.url)
    open_run(page, ui_server, saved_runs.succeeded)
    page.click(".json-block[data-label='Input'] button.copy")
    expect(page.locator(".json-block[data-label='Input'] button.copy")).to_have_text("Copied")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert json.loads(copied) == {"orders": [{"id": 1, "card": "ok"}, {"id": 2, "card": "ok"}]}


WAITS = {
    "StartAt": "Begin",
    "States": {
        "Begin": {"Type": "Pass", "Next": "Nap"},
        "Nap": {"Type": "Wait", "Seconds": 3, "Next": "Finish"},
        "Finish": {"Type": "Pass", "End": True},
    },
}


def test_a_running_run_appears_and_updates_until_it_finishes(
    page: Any, ui_server: UiServer, screenshot: Screenshot, tmp_path: Path
) -> None:
    asl = tmp_path / "naps.asl.json"
    asl.write_text(json.dumps(WAITS), encoding="utf-8")
    page.goto(f"{ui_server.url}#/local?flow=naps")
    flow_task = Path(sys.executable).parent / "flow-task"
    env = {"FLOWTASKS_RUNS_DIR": str(ui_server.runs_dir), "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([str(flow_task), "run", "--asl", str(asl)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        running = page.locator("#runs-body tr.status-running a.run-link")
        expect(running).to_have_count(1, timeout=10_000)  # the list refreshes by itself
        running.click()
        nap = page.locator("svg.graph g.state[data-state='Nap']")
        expect(nap).to_have_attribute("data-outcome", "running")
        assert page.locator(".run-head .badge").inner_text() == "RUNNING"
        screenshot(page, "09-live-run-running")
        expect(page.locator(".run-head .badge")).to_have_text("SUCCEEDED", timeout=15_000)
        expect(page.locator("svg.graph g.state[data-state='Finish']")).to_have_attribute(
            "data-outcome", "succeeded"
        )
        screenshot(page, "10-live-run-finished")
    finally:
        assert process.wait(timeout=20) == 0


def test_redrive_button_redrives_a_failed_run(
    page: Any, saved_runs: SavedRuns, screenshot: Screenshot, tmp_path: Path
) -> None:
    runs_dir = tmp_path / "runs"
    shutil.copytree(saved_runs.directory / saved_runs.failed, runs_dir / saved_runs.failed)
    server = start_ui(runs_dir)
    try:
        page.goto(f"{server.url}#/local/runs/{saved_runs.failed}")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#redrive")
        expect(page.locator(".run-head")).to_contain_text("redriven", timeout=20_000)
        expect(page.locator(".run-head .badge")).to_have_text("FAILED", timeout=20_000)
        screenshot(page, "11-redriven")
        history = json.loads((runs_dir / saved_runs.failed / "history.json").read_text())
        assert "ExecutionRedriven" in [event["type"] for event in history]
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)
