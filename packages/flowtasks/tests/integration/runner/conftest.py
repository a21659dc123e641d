"""A fake domain ``rt`` for the runner tests, importable by runner subprocesses too.

Its package and entry_points.txt live in a temporary site folder that is put on sys.path (for
in-process runs) and on PYTHONPATH (for ``flow-task state`` subprocesses).
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowtasks import registry

RT_FLOWS = """
import os
import signal
import time
from typing import Any

from flowtasks.dsl import Flow, Map, Parallel, task


@task
def echo(event: Any) -> Any:
    return event


@task
def fail(event: dict[str, Any]) -> Any:
    raise ValueError(f"bad value {event.get('n')}")


@task
def leak(event: Any) -> Any:
    raise RuntimeError(f"cannot reach {os.environ['FLOWTASKS_CONN_WAREHOUSE']}")


@task(heartbeat_seconds=3)
def slow(event: dict[str, Any]) -> Any:
    time.sleep(event.get("sleep", 2.5))
    return {"slept": event.get("sleep", 2.5)}


@task(heartbeat_seconds=3)
def freeze(event: Any) -> Any:
    os.kill(os.getpid(), signal.SIGSTOP)  # the whole process stops: no more heartbeats
    return {"unreachable": True}


@task
def crash(event: Any) -> Any:
    os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would
    return {}


@task
def terminate_me(event: Any) -> Any:
    os.kill(os.getpid(), signal.SIGTERM)  # as ECS StopTask would
    time.sleep(30)
    return {}


@task
def linger(event: Any) -> Any:
    time.sleep(60)
    return {}


@task
def make_blob(event: dict[str, Any]) -> dict[str, Any]:
    return {"label": event.get("label", "blob"), "blob": "x" * event["size"]}


@task
def keep(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "kept": True}


@task
def measure(event: Any) -> dict[str, Any]:
    def size(value: Any) -> int:
        if isinstance(value, dict):
            return sum(size(v) for v in value.values())
        if isinstance(value, list):
            return sum(size(v) for v in value)
        return len(value) if isinstance(value, str) else 0
    return {"chars": size(event)}


Echo = Flow("Echo", echo)
Fails = Flow("Fails", fail)
Leaks = Flow("Leaks", leak)
Slow = Flow("Slow", slow)
Frozen = Flow("Frozen", freeze)
Lingers = Flow("Lingers", linger)
Crashes = Flow("Crashes", crash)
Terminates = Flow("Terminates", terminate_me)
Blob = Flow("Blob", make_blob >> keep >> measure)
Fanin = Flow(
    "Fanin",
    Parallel(
        "Four",
        [make_blob.with_(name=f"Make{n}", parameters={"size": 3000, "label": f"b{n}"})
         for n in range(4)],
    )
    >> measure,
)
EachBlob = Flow(
    "EachBlob",
    Map("Each", make_blob, items_path="$.items") >> measure.with_(name="MeasureAll"),
)
"""


@pytest.fixture
def rt_domain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The fake domain ``rt`` (flows rt.Echo, rt.Fails, rt.Blob...), registered for this
    process and for subprocesses; runs and artifacts go to temporary folders."""
    site = tmp_path / "site"
    package = site / "rt_flows"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(RT_FLOWS))
    dist = site / "rt_flows-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: rt_flows\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[flowtasks.domains]\nrt = rt_flows\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", str(site))
    monkeypatch.setenv("FLOWTASKS_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("FLOWTASKS_ARTIFACT_DIR", str(tmp_path / "artifacts"))
    monkeypatch.delenv("FLOWTASKS_ARTIFACT_BUCKET", raising=False)
    monkeypatch.delenv("FLOWTASKS_DEBUG", raising=False)
    registry.clear_cache()
    yield site
    sys.modules.pop("rt_flows", None)
    registry.clear_cache()
