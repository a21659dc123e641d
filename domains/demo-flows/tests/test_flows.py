"""The demo flows compile, match their golden ASL byte for byte, and pass asl-validator.

After an intended change, ``FLOWTASKS_UPDATE_GOLDEN=1 scripts/test domains/demo-flows/tests``
rewrites the golden files that differ and fails listing the changes; review them (``git diff``)
and run the tests again. See docs/adding-a-new-workflow.md.
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
from flowtasks.asl import compile_flow
from flowtasks.testing import assert_matches_golden

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
    assert_matches_golden(compile_flow(flow, "demo").to_json(), GOLDEN / f"{flow.name}.asl.json")


@pytest.mark.parametrize("attr", sorted(FLOWS))
def test_compile_is_deterministic_across_processes(attr: str) -> None:
    name = FLOWS[attr].name
    script = (
        "from demo_flows.flows import *; import demo_flows.flows as m;"
        "from flowtasks.asl import compile_flow;"
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
