"""One flow using every DSL feature: golden ASL, determinism, and the asl-validator schema.

Regenerate the golden file after an intended change with
``FLOWTASKS_UPDATE_GOLDEN=1 scripts/test packages/flowtasks/tests/unit/compiler`` (it fails once,
listing what it rewrote).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowtasks import (
    Catch,
    Choice,
    DistributedMap,
    Fail,
    Flow,
    Goto,
    ItemBatcher,
    Map,
    Parallel,
    Pass,
    ResultWriter,
    Retry,
    S3Items,
    Succeed,
    Var,
    Wait,
    task,
)
from flowtasks.asl import compile_flow
from flowtasks.testing import assert_matches_golden

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "every_feature.asl.json"


@task(timeout_seconds=300, heartbeat_seconds=60, cpu=1024, memory=2048)
def fetch(x: Any) -> Any:
    return x


@task(compute="lambda", parameters={"id.$": "$.id", "when.$": "States.Format('d{}', $.day)"})
def notify(x: Any) -> Any:
    return x


@task
def poll(x: Any) -> Any:
    return x


@task
def process_item(x: Any) -> Any:
    return x


@task
def process_batch(x: Any) -> Any:
    return x


fail = Fail("Failed", error="Demo.Failed", cause="something broke")
poll_state = poll.with_(result_selector={"ready.$": "$.ready"}, result_path="$.poll")
route = (
    Choice("Route", comment="every operator family")
    .when(
        Var("$.kind").string_equals("a") & Var("$.n").numeric_greater_than_equals(1),
        Pass("KindA", result={"kind": "a"}, result_path="$.picked"),
    )
    .when(
        Var("$.kind").string_matches("b*") | ~Var("$.flag").boolean_equals(True),
        Wait("Pause", seconds_path="$.pause_seconds"),
    )
    .when(
        Var("$.at").is_timestamp() & Var("$.at").timestamp_less_than_path("$.deadline"),
        fail.with_(name="TooLate"),
    )
    .when(Var("$.missing").is_present(False), Succeed("Skip", output_path="$.result"))
)

every_feature = Flow(
    "EveryFeature",
    Pass(
        "Start", input_path="$.input", parameters={"id.$": "$.id", "now.$": "$$.State.EnteredTime"}
    )
    >> fetch.with_(
        input_path="$",
        result_selector={"body.$": "$.body"},
        result_path="$.fetched",
        output_path="$",
        retry=[
            Retry([ConnectionError, "Vendor.NotReady"], max_delay_seconds=30, jitter="FULL"),
            Retry("States.ALL", interval_seconds=2, max_attempts=1, backoff_rate=1.0),
        ],
        catch=[
            Catch([KeyError], next=Pass("Recover") >> Goto("Notify")),
            Catch("States.ALL", fail),
        ],
    )
    >> Wait("Settle", seconds=5)
    >> Wait("Until", timestamp="2030-01-01T00:00:00Z")
    >> Wait("UntilPath", timestamp_path="$.at")
    >> poll_state
    >> Choice("Ready").when(
        Var("$.poll.ready").boolean_equals(False), Wait("Later", seconds=10) >> Goto(poll_state)
    )
    >> Parallel(
        "Fork",
        [route, Pass("Other") >> Succeed("OtherDone")],
        parameters={"kind.$": "$.kind"},
        result_selector={"first.$": "$[0]"},
        result_path="$.fork",
        retry=Retry(["States.BranchFailed"]),
        catch=Catch(["States.ALL"], next=fail, result_path="$.error"),
    )
    >> Map(
        "Each",
        process_item,
        items_path="$.items",
        item_selector={"item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
        max_concurrency=10,
        tolerated_failure_percentage=5,
        result_selector={"count.$": "States.ArrayLength($)"},
        result_path="$.each",
        max_items=100,
    )
    >> DistributedMap(
        "FanOut",
        process_batch,
        reader=S3Items(
            bucket="$.bucket", key="input/items.csv", kind="csv", csv_headers=["id", "n"]
        ),
        batcher=ItemBatcher(max_items_per_batch=100, batch_input={"run.$": "$.id"}),
        result_writer=ResultWriter(bucket="results", prefix="$.prefix"),
        max_concurrency=1000,
        tolerated_failure_count=10,
        execution_type="EXPRESS",
        label="fan",
        result_path=None,
    )
    >> DistributedMap(
        "ListPrefix", Pass("Seen"), reader=S3Items(bucket="b", kind="prefix", prefix="in/")
    )
    >> DistributedMap(
        "Lines", Pass("Line"), reader=S3Items(bucket="b", kind="jsonl", key="k", max_items=5)
    )
    >> DistributedMap("Json", Pass("Element"), reader=S3Items(bucket="b", kind="json", key="k"))
    >> DistributedMap(
        "Manifest", Pass("Listed"), reader=S3Items(bucket="b", kind="manifest", key="m")
    )
    >> notify.with_(name="Notify", comment="lambda compute with parameters"),
    description="Uses every feature of the flowtasks DSL.",
    timeout_seconds=86400,
)


def test_every_feature_matches_its_golden_file() -> None:
    assert_matches_golden(compile_flow(every_feature, "test").to_json(), GOLDEN)


def test_every_feature_compiles_the_same_bytes_twice() -> None:
    assert (
        compile_flow(every_feature, "test").to_json()
        == compile_flow(every_feature, "test").to_json()
    )


def test_every_feature_warns_only_about_its_poll_loop() -> None:
    warnings = compile_flow(every_feature, "test").warnings
    assert [w.where for w in warnings] == ["test.EveryFeature > States.Poll"]
    assert "loop through Poll -> Ready -> Later" in warnings[0].message


@pytest.mark.node
def test_every_feature_passes_asl_validator(
    asl_validator: Callable[[dict[str, Any]], None],
) -> None:
    asl_validator(compile_flow(every_feature, "test").definition)
