"""Fixtures of the compiler tests: `asl_validator` runs the npm tool on a definition."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

BINARY = Path(__file__).resolve().parents[5] / "node_modules" / ".bin" / "asl-validator"


@pytest.fixture
def asl_validator(tmp_path: Path) -> Callable[[dict[str, Any]], None]:
    """``asl_validator(definition)`` fails the test unless asl-validator accepts it.

    Skips only when the tool is absent outside CI; with ``CI`` set a missing tool fails.
    """

    def check(definition: dict[str, Any]) -> None:
        if not BINARY.exists():
            if os.environ.get("CI"):
                pytest.fail(f"{BINARY} is missing: run scripts/bootstrap (CI must have it)")
            pytest.skip("asl-validator not installed (scripts/bootstrap installs it)")
        path = tmp_path / "definition.asl.json"
        path.write_text(json.dumps(definition), encoding="utf-8")
        result = subprocess.run(
            [str(BINARY), "--json-path", str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr

    return check
