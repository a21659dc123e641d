"""Payload offload in local runs: the engine and the runner keep every state under AWS's
limits exactly as in AWS (state data under 256 KiB, ECS overrides under 8 KiB)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowtasks.testing import run_flow

pytestmark = pytest.mark.integration

ECS_OVERRIDES_LIMIT = 8192


def scheduled_overrides(history: list[dict[str, Any]]) -> list[int]:
    """Size in bytes of the ECS overrides of every TaskScheduled event."""
    sizes = []
    for event in history:
        if event["type"] == "TaskScheduled":
            parameters = json.loads(event["taskScheduledEventDetails"]["parameters"])
            sizes.append(len(json.dumps(parameters["Overrides"]).encode()))
    return sizes


def biggest_state_data(history: list[dict[str, Any]]) -> int:
    sizes = [0]
    for event in history:
        for details in event.values():
            if isinstance(details, dict):
                for key in ("input", "output"):
                    if isinstance(details.get(key), str):
                        sizes.append(len(details[key].encode()))
    return max(sizes)


def test_a_multi_mib_result_passes_three_states(rt_domain: Path, tmp_path: Path) -> None:
    size = 2 * 1024 * 1024
    run = run_flow("rt.Blob", {"size": size})
    run.assert_succeeded({"chars": size + len("blob")})
    history = run.execution.history
    assert biggest_state_data(history) < 4096 + 1024
    assert all(s < ECS_OVERRIDES_LIMIT for s in scheduled_overrides(history))
    keys = sorted(
        p.relative_to(tmp_path / "artifacts").as_posix()
        for p in (tmp_path / "artifacts").rglob("*.json")
    )
    # <bucket>/<flow>/<execution>/<state>/<attempt id>/<field>.json
    assert [k.split("/")[:2] + k.split("/")[3:4] for k in keys] == [
        ["flowtasks-local-artifacts", "rt.Blob", state] for state in sorted(["Keep", "MakeBlob"])
    ]


def test_an_input_combining_many_results_passes_8_kib(rt_domain: Path) -> None:
    run = run_flow("rt.Fanin", {})
    run.assert_succeeded({"chars": 4 * (3000 + 2)})
    history = run.execution.history
    (entered,) = [
        e
        for e in history
        if e["type"] == "TaskStateEntered" and e["stateEnteredEventDetails"]["name"] == "Measure"
    ]
    assert len(entered["stateEnteredEventDetails"]["input"]) > ECS_OVERRIDES_LIMIT
    assert all(s < 1024 for s in scheduled_overrides(history))


def test_a_map_of_large_results(rt_domain: Path) -> None:
    items = [{"size": 50_000, "label": f"i{n}"} for n in range(12)]
    run = run_flow("rt.EachBlob", {"items": items})
    run.assert_succeeded({"chars": sum(50_000 + len(i["label"]) for i in items)})
    # twelve 50 KB results (600 KB) would break the 256 KiB state limit inline
    assert biggest_state_data(run.execution.history) < 12 * 4096
