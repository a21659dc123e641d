"""Rules the test suite keeps, checked on its own source: a test that expects an ASL failure
names the failure's error, so that a different error cannot pass it."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[5]
TEST_FILES = sorted(
    path
    for folder in (REPO / "packages", REPO / "domains")
    for path in folder.rglob("test_*.py")
    if ".venv" not in path.parts
)
ERRORS = ("StatesFailure", "StateFailed")


def _raises_of(item: ast.withitem) -> str | None:
    """The exception name of ``pytest.raises(Name, ...)`` (None for anything else)."""
    call = item.context_expr
    if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "pytest.raises"):
        return None
    if not call.args:
        return None
    name = ast.unparse(call.args[0]).rsplit(".", 1)[-1]
    return name if name in ERRORS else None


def unnamed_failures(path: Path, root: Path = REPO) -> list[str]:
    """``file:line`` (relative to `root`) of each ``pytest.raises(StatesFailure)`` whose test
    never reads ``<caught>.value.error`` (nor gives ``match=``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        body = ast.unparse(function)
        for node in ast.walk(function):
            if not isinstance(node, ast.With):
                continue
            for item in node.items:
                if _raises_of(item) is None:
                    continue
                call = item.context_expr
                assert isinstance(call, ast.Call)
                if any(k.arg == "match" for k in call.keywords):
                    continue
                alias = ast.unparse(item.optional_vars) if item.optional_vars else None
                if alias is None or f"{alias}.value.error" not in body:
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_every_expected_states_failure_names_its_error() -> None:
    offenders = [where for path in TEST_FILES for where in unnamed_failures(path)]
    assert not offenders, (
        "pytest.raises(StatesFailure) without checking the error name (assert "
        f"caught.value.error == ...): {offenders}"
    )


def test_the_rule_sees_an_unnamed_failure(tmp_path: Path) -> None:
    path = tmp_path / "test_sample.py"
    path.write_text(
        "def test_a():\n    with pytest.raises(StatesFailure):\n        f()\n\n"
        "def test_b():\n    with pytest.raises(StatesFailure) as c:\n        f()\n"
        "    assert c.value.error == 'States.Runtime'\n\n"
        "def test_c():\n    with pytest.raises(StatesFailure, match='States.Timeout'):\n"
        "        f()\n",
        encoding="utf-8",
    )
    assert unnamed_failures(path, tmp_path) == ["test_sample.py:2"]
