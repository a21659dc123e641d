"""``flow-task ui`` in a real headless Chromium: what a person sees and clicks.

Each test saves a screenshot of its page (see conftest.SCREENSHOTS).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from ui_runs import SavedRuns

from conftest import UiServer

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
