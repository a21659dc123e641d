"""Print the pip requirements of the monorepo's one environment, read from the root pyproject.

The root `pyproject.toml` is the single source of truth: every path dependency becomes an editable
install (`-e path`), every dev-group dependency a requirement specifier. `scripts/bootstrap` feeds
this to pip because poetry's own resolver cannot reach the index on some machines.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _spec(name: str, value: Any) -> str:
    if isinstance(value, str):
        return name if value == "*" else f"{name}{value if value[0] in '<>=!~' else '==' + value}"
    extras = f"[{','.join(value['extras'])}]" if value.get("extras") else ""
    version = value.get("version", "")
    return f"{name}{extras}{version if version != '*' else ''}"


def requirements() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    poetry = data["tool"]["poetry"]
    lines: list[str] = []
    for name, value in poetry.get("dependencies", {}).items():
        if name == "python":
            continue
        if isinstance(value, dict) and "path" in value:
            lines.append(f"-e {ROOT / value['path']}")
        else:
            lines.append(_spec(name, value))
    for group in poetry.get("group", {}).values():
        for name, value in group.get("dependencies", {}).items():
            lines.append(_spec(name, value))
    return lines


if __name__ == "__main__":
    sys.stdout.write("\n".join(requirements()) + "\n")
