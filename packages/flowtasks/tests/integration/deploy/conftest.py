"""The deploy tests' fixtures (`ship`, `flow_task`) are those of tests/unit/deploy/conftest.py,
loaded from there so both suites share one definition; plus `sfn_execute`, moto's switch."""

from __future__ import annotations

import importlib.util
import json
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

_path = Path(__file__).resolve().parents[2] / "unit" / "deploy" / "conftest.py"
_spec = importlib.util.spec_from_file_location("_flowtasks_deploy_fixtures", _path)
assert _spec is not None
assert _spec.loader is not None
_fixtures = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _fixtures  # dataclasses look their module up
_spec.loader.exec_module(_fixtures)

ship = _fixtures.ship
flow_task = _fixtures.flow_task
IMAGE = _fixtures.IMAGE


def _config(url: str, execute: bool) -> None:
    body = json.dumps({"stepfunctions": {"execute_state_machine": execute}}).encode()
    request = urllib.request.Request(f"{url}/moto-api/config", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=5):
        pass


@pytest.fixture
def sfn_execute(moto_endpoint: str) -> Iterator[None]:
    """moto's Step Functions runs executions for the test (its interpreter backend), then stops.

    moto keeps machines made by its CloudFormation in its plain Step Functions backend, which
    does not run executions; the interpreter backend sees only machines created through the
    Step Functions API. Tests that need a real run create the machine there themselves.
    """
    _config(moto_endpoint, True)
    try:
        yield
    finally:
        _config(moto_endpoint, False)
