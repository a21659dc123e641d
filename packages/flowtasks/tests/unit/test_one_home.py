"""Each rule has one home: AWS limits in `flowtasks.limits`, error names in `StatesErrorName`."""

from __future__ import annotations

import ast
from pathlib import Path

import flowtasks
from flowtasks import limits
from flowtasks.asl.states_errors import StatesErrorName

SRC = Path(flowtasks.__file__).parent


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in SRC.rglob("*.py")]


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the string constants that are docstrings (module, class, function, attribute)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for statement in body:
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                found.add(id(statement.value))
    return found


def test_error_names_are_written_only_as_states_error_name() -> None:
    names = {member.value for member in StatesErrorName}
    offenders = []
    for path, tree in _modules():
        if path.name == "states_errors.py":
            continue
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and node.value in names
                and id(node) not in docstrings
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}: {node.value}")
    assert offenders == []


LATER: set[str] = set()
"""Definitions allowed elsewhere for now (none)."""


STEP_FUNCTIONS_PARTS = ("asl", "local", "dsl", "testing", "cli", "runner", "protocol.py")
"""Where Step Functions' limits are used (the task library's S3 limits are its own)."""


def test_step_functions_limits_are_defined_only_in_flowtasks_limits() -> None:
    offenders = []
    for path, tree in _modules():
        if path.relative_to(SRC).parts[0] not in STEP_FUNCTIONS_PARTS:
            continue
        for node in tree.body:
            if not isinstance(node, ast.Assign | ast.AnnAssign):
                continue
            if not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, int)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = getattr(target, "id", "")
                where = f"{path.relative_to(SRC)}:{name}"
                limit_like = name.startswith("MAX_") or name.endswith(("_LIMIT", "_MAX"))
                if (limit_like or name in limits.__all__) and where not in LATER:
                    offenders.append(where)
    assert offenders == []


def test_every_limit_says_where_it_comes_from() -> None:
    source = (SRC / "limits.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    documented = set()
    for previous, node in zip(tree.body, tree.body[1:], strict=False):
        if isinstance(previous, ast.Assign) and isinstance(node, ast.Expr):
            text = node.value.value if isinstance(node.value, ast.Constant) else ""
            if "(" in str(text):  # a source in parentheses: a page or an API
                documented.add(previous.targets[0].id)  # type: ignore[attr-defined]
    assert documented == set(limits.__all__)
