"""Executions in AWS through the same views: `AwsExecutions` against moto's Step Functions,
a real server on loopback reached over HTTP."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from starlette.testclient import TestClient
from ui_runs import SCRIPT, SavedRuns

from flowtasks.history import read_history
from flowtasks.ui.app import create_app
from flowtasks.ui.aws import AwsExecutions
from flowtasks.ui.sources import LocalRuns

pytestmark = pytest.mark.integration

ROLE = "arn:aws:iam::123456789012:role/flows"
MACHINE = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Enough?"},
        "Enough?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "EachItem"}],
            "Default": "TooFew",
        },
        "EachItem": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Handle",
                "States": {"Handle": {"Type": "Pass", "End": True}},
            },
            "End": True,
        },
        "TooFew": {"Type": "Fail", "Error": "TooFew", "Cause": SCRIPT},
    },
}


@pytest.fixture(scope="module")
def sfn() -> Iterator[Any]:
    """A Step Functions client on a moto server (127.0.0.1, a free port) that runs machines."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    config = {"stepfunctions": {"execute_state_machine": True}}
    request = urllib.request.Request(
        f"{endpoint}/moto-api/config", data=json.dumps(config).encode(), method="POST"
    )
    urllib.request.urlopen(request, timeout=10).close()
    yield boto3.client(
        "stepfunctions",
        region_name="eu-west-1",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    server.stop()


@pytest.fixture(scope="module")
def executions(sfn: Any) -> dict[str, str]:
    """Two finished executions of one machine: ``ok`` (a Map of 3 items) and ``bad`` (Fail)."""
    machine = sfn.create_state_machine(
        name="shop-Orders-dev", definition=json.dumps(MACHINE), roleArn=ROLE
    )["stateMachineArn"]
    started = {
        "ok": sfn.start_execution(stateMachineArn=machine, name="ok-1",
                                  input=json.dumps({"n": 3, "items": [1, 2, 3]})),
        "bad": sfn.start_execution(stateMachineArn=machine, name="bad-1",
                                   input=json.dumps({"n": 0})),
    }  # fmt: skip
    for answer in started.values():
        for _ in range(100):
            status = sfn.describe_execution(executionArn=answer["executionArn"])["status"]
            if status != "RUNNING":
                break
            time.sleep(0.05)
    return {"machine": machine, "ok": "shop-Orders-dev.ok-1", "bad": "shop-Orders-dev.bad-1"}


@pytest.fixture
def client(sfn: Any, executions: dict[str, str], saved_runs: SavedRuns) -> TestClient:
    dev = AwsExecutions("dev", {"shop.Orders": executions["machine"]}, client=sfn)
    app = create_app([LocalRuns(saved_runs.directory), dev], elk=None)
    return TestClient(app, base_url="http://127.0.0.1:8765")


def test_aws_is_one_more_source(client: TestClient, executions: dict[str, str]) -> None:
    assert client.get("/api/sources").json()["sources"] == ["local", "dev"]
    page = client.get("/api/dev/runs").json()
    by_id = {run["id"]: run for run in page["runs"]}
    assert set(by_id) == {executions["ok"], executions["bad"]}
    assert by_id[executions["ok"]]["status"] == "SUCCEEDED"
    assert (by_id[executions["bad"]]["status"], by_id[executions["bad"]]["error"]) == (
        "FAILED",
        "TooFew",
    )
    assert by_id[executions["ok"]]["flow"] == "shop.Orders"
    assert client.get("/api/dev/runs", params={"status": "FAILED"}).json()["total"] == 1


def test_an_execution_is_shown_by_the_same_views(
    client: TestClient, sfn: Any, executions: dict[str, str]
) -> None:
    view = client.get(f"/api/dev/runs/{executions['bad']}").json()
    outcome = {node["name"]: node["outcome"] for node in view["graph"]["nodes"]}
    arn = executions["machine"].replace(":stateMachine:", ":execution:") + ":bad-1"
    events = sfn.get_execution_history(executionArn=arn)["events"]
    expected = read_history(events, MACHINE).outcomes()
    assert {name: outcome[name] for name in expected} == expected
    assert (outcome["TooFew"], outcome["EachItem"]) == ("failed", "not_run")
    state = client.get(f"/api/dev/runs/{executions['bad']}/states/TooFew").json()
    assert state["outcome"] == "failed"
    ok = client.get(f"/api/dev/runs/{executions['ok']}/states/EachItem/iterations").json()
    assert (ok["total"], ok["counts"]) == (3, {"succeeded": 3})
    (handle,) = client.get(
        f"/api/dev/runs/{executions['ok']}/states/Handle", params={"scope": "EachItem[2]"}
    ).json()["visits"]
    assert handle["input"] == 3


@pytest.mark.parametrize("run_id", ["shop-Orders-dev.nope", "other-dev.ok-1", "no-dot", "a.b.c"])
def test_unknown_executions_are_404(client: TestClient, run_id: str) -> None:
    assert client.get(f"/api/dev/runs/{run_id}").status_code == 404


def test_flow_task_ui_env_shows_the_deployed_flows_of_that_environment(
    sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--env dev``: the demo domain's environments.toml (account, region) and deploy's naming
    give the state machines; boto3's own settings (AWS_ENDPOINT_URL: moto) reach them."""
    from flowtasks.deploy.domain import domain_environment
    from flowtasks.deploy.naming import state_machine_name
    from flowtasks.deploy.operate import state_machine_arn
    from flowtasks.ui.aws import environment_source

    env = domain_environment("demo", "dev")
    monkeypatch.setenv("AWS_ENDPOINT_URL", sfn.meta.endpoint_url)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", env.account)  # read by the moto server (this process)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    deployed = boto3.client("stepfunctions", region_name=env.region)
    name = state_machine_name("demo.DailyReport", "dev")
    arn = deployed.create_state_machine(name=name, definition=json.dumps(MACHINE), roleArn=ROLE)[
        "stateMachineArn"
    ]
    assert arn == state_machine_arn("demo.DailyReport", env)
    deployed.start_execution(stateMachineArn=arn, name="nightly-1", input='{"n": 0}')

    source = environment_source("dev")
    assert source.name == "dev"
    assert source.machines[name] == ("demo.DailyReport", arn)
    for _ in range(100):
        (run,) = [r for r in source.summaries() if r["flow"] == "demo.DailyReport"]
        if run["status"] != "RUNNING":
            break
        time.sleep(0.1)
    assert (run["id"], run["status"], run["error"]) == (f"{name}.nightly-1", "FAILED", "TooFew")
    outcomes = {n["name"]: n["outcome"] for n in source_view(source, run["id"])["graph"]["nodes"]}
    assert outcomes["TooFew"] == "failed"


def source_view(source: AwsExecutions, run_id: str) -> dict[str, Any]:
    app = create_app([source], elk=None)
    response = TestClient(app, base_url="http://127.0.0.1").get(f"/api/dev/runs/{run_id}")
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


def test_an_environment_no_domain_has_is_a_usage_error() -> None:
    from flowtasks.errors import UsageError
    from flowtasks.ui.aws import environment_source

    with pytest.raises(UsageError, match="no domain has an environment 'nowhere'"):
        environment_source("nowhere")


def test_aws_out_of_reach_is_a_502_saying_why() -> None:
    from botocore.config import Config

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    nowhere = boto3.client(
        "stepfunctions",
        region_name="eu-west-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:shop-Orders-dev"
    source = AwsExecutions("dev", {"shop.Orders": arn}, client=nowhere)
    client = TestClient(create_app([source], elk=None), base_url="http://127.0.0.1")
    response = client.get("/api/dev/runs")
    assert response.status_code == 502
    assert "dev: ListExecutions" in response.json()["error"]
    assert client.get("/api/dev/runs/shop-Orders-dev.x").status_code == 502
