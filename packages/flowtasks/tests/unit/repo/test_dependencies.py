"""flowtasks declares exactly the runtime dependencies its code imports: none unused."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import tomllib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3]
SOURCE = PACKAGE / "src" / "flowtasks"
NOT_IMPORTED_BY_NAME = {
    "backports-zstd": "smart-open's codec for .zst objects (flowtasks.tasks.s3) on Python < 3.14",
}
"""Dependencies that are needed although no flowtasks module imports them, each with why."""


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = (re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0] for spec in project["dependencies"])
    return {_normalise(name) for name in names}


def imported_distributions() -> set[str]:
    modules: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    owners = importlib.metadata.packages_distributions()
    return {_normalise(dist) for module in modules for dist in owners.get(module, [])}


def test_every_declared_runtime_dependency_is_imported() -> None:
    unused = declared() - imported_distributions() - set(NOT_IMPORTED_BY_NAME)
    assert not unused, f"declared in {PACKAGE / 'pyproject.toml'} but never imported: {unused}"


def test_the_check_sees_the_dependencies_that_are_used() -> None:
    assert {"boto3", "jsonata-python"} <= declared() & imported_distributions()
