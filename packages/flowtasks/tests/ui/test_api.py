"""The JSON endpoints of ``flow-task ui`` (Starlette's TestClient: the app, no socket)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from ui_runs import SCRIPT, SavedRuns

from flowtasks.ui.app import create_app
from flowtasks.ui.sources import LocalRuns


@pytest.fixture
def client(saved_runs: SavedRuns) -> TestClient:
    app = create_app([LocalRuns(saved_runs.directory)], elk=None)
    return TestClient(app, base_url="http://127.0.0.1:8765")


def runs(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/local/runs", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_runs_newest_first_with_summary(client: TestClient, saved_runs: SavedRuns) -> None:
    page = runs(client)
    assert [run["id"] for run in page["runs"]] == list(saved_runs.ids)
    assert page["total"] == 4
    assert page["flows"] == ["bulk.Items", "shop.Orders", "shop.Refunds"]
    assert page["statuses"] == {"FAILED": 1, "SUCCEEDED": 3}
    failed = next(run for run in page["runs"] if run["id"] == saved_runs.failed)
    assert failed["status"] == "FAILED"
    assert failed["error"] == "Busy"
    assert failed["cause"].startswith("database locked")
    assert failed["duration_ms"] == 1000


def test_runs_filters_and_paging(client: TestClient, saved_runs: SavedRuns) -> None:
    assert [r["id"] for r in runs(client, status="FAILED")["runs"]] == [saved_runs.failed]
    orders = runs(client, flow="shop.Orders")
    assert [r["id"] for r in orders["runs"]] == [saved_runs.failed, saved_runs.succeeded]
    assert runs(client, q="busy")["total"] == 1  # the error text
    assert runs(client, q="refunds")["runs"][0]["id"] == saved_runs.caught
    page = runs(client, limit=2, offset=2)
    assert page["total"] == 4
    assert [r["id"] for r in page["runs"]] == list(saved_runs.ids[2:])


def test_bad_paging_is_a_400_naming_the_parameter(client: TestClient) -> None:
    response = client.get("/api/local/runs", params={"limit": "many"})
    assert response.status_code == 400
    assert "limit" in response.json()["error"]


def test_one_run_has_its_graph_coloured_by_outcome(
    client: TestClient, saved_runs: SavedRuns
) -> None:
    response = client.get(f"/api/local/runs/{saved_runs.failed}")
    assert response.status_code == 200
    view = response.json()
    assert view["summary"]["status"] == "FAILED"
    outcome = {node["name"]: node["outcome"] for node in view["graph"]["nodes"]}
    assert outcome["CountOrders"] == "failed"
    assert outcome["Checks"] == "not_run"
    assert {"source": "_start", "target": "s_CountOrders", "kind": "next", "label": ""} in view[
        "graph"
    ]["edges"]


def test_data_comes_back_as_json_text_never_html(client: TestClient, saved_runs: SavedRuns) -> None:
    response = client.get(f"/api/local/runs/{saved_runs.succeeded}")
    assert response.headers["content-type"] == "application/json"
    charged = response.json()["output"]["charged"]
    assert charged[0]["receipt"] == SCRIPT  # the data, kept exactly, as JSON


@pytest.mark.parametrize(
    "run_id",
    ["..", "...", "%2e%2e", "..%2F..%2Fetc", "%2Fetc%2Fpasswd", "nope", ".hidden", "a%00b"],
)
def test_anything_but_a_run_id_is_refused(client: TestClient, run_id: str) -> None:
    response = client.get(f"/api/local/runs/{run_id}")
    assert response.status_code == 404
    assert "summary" not in response.text


def test_a_link_out_of_the_runs_folder_is_no_run(saved_runs: SavedRuns, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    shutil.copytree(saved_runs.directory / saved_runs.failed, runs_dir / saved_runs.failed)
    outside = tmp_path / "secret"
    shutil.copytree(saved_runs.directory / saved_runs.succeeded, outside)
    (runs_dir / "escape").symlink_to(outside, target_is_directory=True)
    client = TestClient(create_app([LocalRuns(runs_dir)], elk=None), base_url="http://127.0.0.1")
    assert client.get("/api/local/runs/escape").status_code == 404
    assert client.get(f"/api/local/runs/{saved_runs.failed}").status_code == 200


@pytest.mark.parametrize(
    "path", ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2Fapp.py", "/vendor/x.js"]
)
def test_no_file_outside_the_static_folder(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "__all__" not in response.text


def test_unknown_source_is_404(client: TestClient) -> None:
    assert client.get("/api/prod/runs").status_code == 404


def test_other_host_names_are_refused(saved_runs: SavedRuns) -> None:
    """A page on another site resolving its own name to 127.0.0.1 (DNS rebinding) is refused."""
    app = create_app([LocalRuns(saved_runs.directory)], elk=None)
    response = TestClient(app, base_url="http://evil.example:8765").get("/api/local/runs")
    assert response.status_code == 400
    ok = TestClient(app, base_url="http://localhost:8765").get("/api/local/runs")
    assert ok.status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_nothing_but_get_is_answered(
    client: TestClient, saved_runs: SavedRuns, method: str
) -> None:
    for path in ("/api/local/runs", f"/api/local/runs/{saved_runs.failed}", "/"):
        assert client.request(method, path).status_code == 405
    assert (saved_runs.directory / saved_runs.failed / "meta.json").is_file()


def test_every_response_carries_the_content_security_policy(client: TestClient) -> None:
    for path in ("/", "/api/local/runs", "/static/app.js", "/api/local/runs/nope"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def test_the_page_loads_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/").text
    assert "http://" not in page
    assert "https://" not in page
    assert 'src="/vendor/elk.js"' in page


def test_missing_elkjs_is_named_with_the_fix(client: TestClient) -> None:
    response = client.get("/vendor/elk.js")
    assert response.status_code == 404
    assert "scripts/bootstrap" in response.json()["error"]
    assert client.get("/api/sources").json() == {"sources": ["local"], "graph_layout": False}


def test_version_changes_when_the_run_does(client: TestClient, saved_runs: SavedRuns) -> None:
    url = f"/api/local/runs/{saved_runs.caught}/version"
    before = client.get(url).json()["version"]
    meta_path = saved_runs.directory / saved_runs.caught / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "note": "touched"}) + "\n")
    assert client.get(url).json()["version"] != before
