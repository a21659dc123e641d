"""The demo flows compile, match their golden ASL byte for byte, and pass asl-validator.

Regenerate the golden files after an intended change with
``FLOWTASKS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest domains/demo-flows/tests``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import demo_flows.flows
from flowtasks import Flow
from flowtasks.asl.compiler import compile_flow

GOLDEN = Path(__file__).parent / "golden"
FLOWS = {name: getattr(demo_flows.flows, name) for name in demo_flows.flows.__all__}


def test_the_domain_exports_at_least_two_flows() -> None:
    assert len(FLOWS) >= 2
    assert all(isinstance(flow, Flow) for flow in FLOWS.values())


def test_together_the_flows_use_every_required_state_kind() -> None:
    text = "".join(compile_flow(f, "demo").to_json() for f in FLOWS.values())
    for needle in ('"Choice"', '"Map"', '"Parallel"', '"Wait"', '"Retry"', '"Catch"'):
        assert needle in text


@pytest.mark.parametrize("attr", sorted(FLOWS))
def test_flow_compiles_without_warnings(attr: str) -> None:
    compiled = compile_flow(FLOWS[attr], "demo")
    assert compiled.warnings == ()
    assert compiled.qualified_name == f"demo.{FLOWS[attr].name}"


@pytest.mark.parametrize("attr", sorted(FLOWS))
def test_flow_matches_its_golden_file(attr: str) -> None:
    flow = FLOWS[attr]
    text = compile_flow(flow, "demo").to_json()
    golden = GOLDEN / f"{flow.name}.asl.json"
    if os.environ.get("FLOWTASKS_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run with FLOWTASKS_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8"), (
        f"{flow.name} compiles differently from {golden.name}; if intended, regenerate with "
        "FLOWTASKS_UPDATE_GOLDEN=1"
    )


@pytest.mark.parametrize("attr", sorted(FLOWS))
def test_compile_is_deterministic_across_processes(attr: str) -> None:
    name = FLOWS[attr].name
    script = (
        "from demo_flows.flows import *; import demo_flows.flows as m;"
        "from flowtasks.asl.compiler import compile_flow;"
        f"print(compile_flow(getattr(m, {attr!r}), 'demo').to_json(), end='')"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    outputs.add(compile_flow(FLOWS[attr], "demo").to_json())
    assert len(outputs) == 1, f"{name} compiles to different bytes in different processes"


@pytest.mark.node
@pytest.mark.parametrize("attr", sorted(FLOWS))
def test_flow_passes_asl_validator(
    attr: str, asl_validator: Callable[[dict[str, Any]], None]
) -> None:
    asl_validator(compile_flow(FLOWS[attr], "demo").definition)
