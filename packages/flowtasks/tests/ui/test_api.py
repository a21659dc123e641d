"""The JSON endpoints of ``flow-task ui`` (Starlette's TestClient: the app, no socket)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from ui_runs import SCRIPT, SavedRuns

from flowtasks.runs import load_run, outcomes_of
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
    info = client.get("/api/sources").json()
    assert (info["sources"], info["graph_layout"]) == (["local"], False)


def test_version_changes_when_the_run_does(client: TestClient, saved_runs: SavedRuns) -> None:
    url = f"/api/local/runs/{saved_runs.caught}/version"
    before = client.get(url).json()["version"]
    meta_path = saved_runs.directory / saved_runs.caught / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "note": "touched"}) + "\n")
    assert client.get(url).json()["version"] != before


def test_graph_outcomes_agree_with_flow_task_graph_run(
    client: TestClient, saved_runs: SavedRuns
) -> None:
    """The page colours states exactly as ``flow-task graph --run`` (runs.outcomes_of) does."""
    for run_id in saved_runs.ids:
        saved = load_run(run_id, directory=saved_runs.directory)
        expected = outcomes_of(saved.history, saved.definition)
        view = client.get(f"/api/local/runs/{run_id}").json()
        shown = {node["name"]: node["outcome"] for node in view["graph"]["nodes"]}
        assert shown == {name: expected.get(name, "not_run") for name in shown}, run_id


def test_path_taken_and_retries_on_the_graph(client: TestClient, saved_runs: SavedRuns) -> None:
    graph = client.get(f"/api/local/runs/{saved_runs.caught}").json()["graph"]
    taken = {tuple(edge) for edge in graph["taken"]}
    assert ("_start", "s_CountOrders") in taken
    assert ("s_AnyOrders", "s_Checks") in taken  # the Default branch
    assert ("s_AnyOrders", "s_NoOrders") not in taken
    assert ("s_Charge", "s_Declined") in taken  # the catch, in iteration 1
    assert ("s_Done", "_end") in taken
    failed = client.get(f"/api/local/runs/{saved_runs.failed}").json()["graph"]
    retries = {node["name"]: node["retries"] for node in failed["nodes"]}
    assert retries["CountOrders"] == 2
    assert {tuple(edge) for edge in failed["taken"]} == {("_start", "s_CountOrders")}


def test_failed_state_has_error_cause_attempts_and_delays(
    client: TestClient, saved_runs: SavedRuns
) -> None:
    state = client.get(f"/api/local/runs/{saved_runs.failed}/states/CountOrders").json()
    assert state["outcome"] == "failed"
    (visit,) = state["visits"]
    assert (visit["error"], visit["cause"]) == ("Busy", f"database locked {SCRIPT}")
    assert [a["retry_in_seconds"] for a in visit["attempts"]] == [2.0, 4.0, None]
    assert [a["action"] for a in visit["attempts"]] == ["retry", "retry", "fail"]
    assert visit["input"] == {"orders": [{"id": 1, "card": "ok"}, {"id": 2, "card": "ok"}]}
    timeline = client.get(f"/api/local/runs/{saved_runs.failed}").json()["timeline"]
    (row,) = timeline["rows"]
    assert [a["outcome"] for a in row["attempts"]] == ["failed", "failed", "failed"]
    assert [d["seconds"] for d in row["delays"]] == [2.0, 4.0]
    assert row["delays"][1]["end_ms"] - row["delays"][0]["start_ms"] >= 6000


def test_state_not_run_and_unknown_state(client: TestClient, saved_runs: SavedRuns) -> None:
    checks = client.get(f"/api/local/runs/{saved_runs.failed}/states/Checks").json()
    assert (checks["outcome"], checks["visits"]) == ("not_run", [])
    assert checks["definition"]["Type"] == "Parallel"
    response = client.get(f"/api/local/runs/{saved_runs.failed}/states/Nope")
    assert response.status_code == 404
    assert "Nope" in response.json()["error"]


def test_variables_catcher_and_branches(client: TestClient, saved_runs: SavedRuns) -> None:
    base = f"/api/local/runs/{saved_runs.caught}/states"
    (remember,) = client.get(f"{base}/Remember").json()["visits"]
    assert remember["variables"] == {"charged_count": 2, "note": SCRIPT}
    (checks,) = client.get(f"{base}/Checks").json()["visits"]
    assert checks["branches"] == [
        {"index": 0, "status": "SUCCEEDED", "states": ["CheckStock"]},
        {"index": 1, "status": "SUCCEEDED", "states": ["CheckFraud"]},
    ]
    outside = client.get(f"{base}/Charge").json()
    assert outside["visits"] == []
    assert outside["in_iterations"]["counts"] == {"caught": 1, "succeeded": 1}
    assert outside["in_iterations"]["failed"] == [
        {"scope": "ChargeEach[1]", "outcome": "caught", "error": "CardDeclined"}
    ]
    (charge,) = client.get(f"{base}/Charge", params={"scope": "ChargeEach[1]"}).json()["visits"]
    assert charge["error"] == "CardDeclined"
    assert charge["catcher"] == {
        "index": 0,
        "error_equals": ["CardDeclined"],
        "next": "Declined",
        "result_path": "$.error",
    }


def test_a_map_iteration_is_a_scope_of_the_graph(client: TestClient, saved_runs: SavedRuns) -> None:
    url = f"/api/local/runs/{saved_runs.caught}"
    for index, charge, declined in ((1, "caught", "succeeded"), (0, "succeeded", "not_run")):
        view = client.get(url, params={"scope": f"ChargeEach[{index}]"}).json()
        outcome = {node["name"]: node["outcome"] for node in view["graph"]["nodes"]}
        assert (outcome["Charge"], outcome["Declined"]) == (charge, declined)
        assert outcome["CountOrders"] == "succeeded"
        assert view["timeline"]["rows"][0]["name"] == "Charge"
    for bad in ("ChargeEach[7]", "Nope[0]", "ChargeEach", "../x"):
        response = client.get(url, params={"scope": bad})
        assert response.status_code == 404, bad


def test_iterations_are_paged_and_filtered(client: TestClient, saved_runs: SavedRuns) -> None:
    url = f"/api/local/runs/{saved_runs.big_map}/states/EachItem/iterations"
    page = client.get(url, params={"offset": 9990, "limit": 50}).json()
    assert page["total"] == 10_000
    assert page["counts"] == {"succeeded": 10_000}
    assert [item["index"] for item in page["items"]] == list(range(9990, 10_000))
    assert page["items"][0]["first_state"] == "Handle"
    assert client.get(url, params={"limit": 100_000}).json()["limit"] == 500
    assert client.get(url, params={"status": "failed"}).json()["total"] == 0
    caught = f"/api/local/runs/{saved_runs.caught}/states/ChargeEach/iterations"
    assert [i["status"] for i in client.get(caught).json()["items"]] == ["succeeded"] * 2
    (item,) = client.get(
        f"/api/local/runs/{saved_runs.big_map}/states/Handle", params={"scope": "EachItem[9999]"}
    ).json()["visits"]
    assert item["input"] == {"n": 9999}
