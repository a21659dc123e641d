"""The text of every file `flow-task new` writes, as `string.Template` strings.

Placeholders: ``$domain`` (``billing``), ``$dist`` (``billing-flows``), ``$package``
(``billing_flows``), ``$flow`` (``OrderSync``), ``$module`` (``order_sync``), ``$imports`` (the
test's import lines, sorted as isort sorts first-party imports), ``$flows_imports`` (the same for
a domain's tests/test_flows.py).
"""

from __future__ import annotations

from string import Template

DOMAIN_PYPROJECT = Template("""\
[project]
name = "$dist"
version = "0.1.0"
description = "The $domain domain's flows."
requires-python = ">=3.11,<4.0"
dependencies = ["flowtasks"]

[project.entry-points."flowtasks.domains"]
$domain = "$package.flows"

[tool.poetry]
packages = [{ include = "$package", from = "src" }]

[tool.poetry.dependencies]
python = ">=3.11,<4.0"
flowtasks = { path = "../../packages/flowtasks", develop = true }

[build-system]
requires = ["poetry-core>=2.0"]
build-backend = "poetry.core.masonry.api"
""")

POETRY_TOML = Template("""\
[virtualenvs]
in-project = true
""")

PACKAGE_INIT = Template('''\
"""The $domain domain.

Its flows are in `$package.flows` (one file a flow),
its own tasks in `$package.tasks`.
"""
''')

FLOWS_INIT = Template('''\
"""The flows of the $domain domain, one file a flow.

Every Flow listed in __all__ is registered (entry point `flowtasks.domains`).
"""

__all__: list[str] = []
''')

TASKS_INIT = Template('''\
"""The own tasks of the $domain domain, shared by its flows.

Plain functions decorated with `@task`, importable by module and name.
"""
''')

FLOW = Template('''\
"""$flow: counts the items of its input and ends by whether there were any.

Edit the tasks and the chain below, then:

    poetry run flow-task validate $domain.$flow
    poetry run flow-task graph $domain.$flow
    poetry run flow-task run $domain.$flow --input '{"items": [1, 2, 3]}'
"""

from typing import Any

from flowtasks import Choice, Flow, Retry, Succeed, Var, task


@task(retry=Retry(TimeoutError, interval_seconds=2, max_attempts=3))
def count_items(event: dict[str, Any]) -> dict[str, Any]:
    """Count the items of the input's ``items`` list."""
    items = list(event.get("items", []))
    return {"items": items, "count": len(items)}


$module = Flow(
    "$flow",
    count_items
    >> Choice("HasItems")
    .when(Var("$$.count").numeric_greater_than(0), Succeed("Done"))
    .otherwise(Succeed("NothingToDo")),
    description="Counts the items of its input and ends by whether there were any.",
)
''')

FLOW_TEST = Template('''\
"""Tests of $domain.$flow.

Its task on its own, then the whole flow on the local engine (flowtasks.testing).
"""

$imports


def test_count_items_counts_the_items() -> None:
    assert count_items({"items": ["a", "b"]}) == {"items": ["a", "b"], "count": 2}


def test_flow_ends_in_done_when_there_are_items() -> None:
    run = run_flow("$domain.$flow", {"items": [1, 2, 3]})

    run.assert_succeeded({"items": [1, 2, 3], "count": 3})
    run.assert_path("CountItems", "HasItems", "Done")


def test_flow_ends_in_nothing_to_do_without_items() -> None:
    run = run_flow("$domain.$flow", {})

    run.assert_succeeded({"items": [], "count": 0})
    run.assert_path("CountItems", "HasItems", "NothingToDo")


def test_a_timeout_is_retried() -> None:
    run = run_flow(
        "$domain.$flow",
        {"items": [1]},
        mocks={"CountItems": [TimeoutError("slow"), {"items": [1], "count": 1}]},
    )

    run.assert_succeeded().assert_retries("CountItems", 1)
''')


FLOWS_TEST = Template('''\
"""Every flow of the $domain domain compiles without warnings and matches its golden file.

tests/golden/<Flow>.asl.json is the ASL the flow deploys as; `flow-task new flow` writes it.
After an intended change to a flow, rewrite the golden files that differ with

    FLOWTASKS_UPDATE_GOLDEN=1 scripts/test domains/$dist/tests

That run fails once, listing what it changed: review it (git diff), run the tests again and
commit the golden files with the flow.
"""

from pathlib import Path

import pytest

$flows_imports

GOLDEN = Path(__file__).parent / "golden"
FLOWS = {name: getattr(flows, name) for name in flows.__all__}


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_flow_compiles_without_warnings(name: str) -> None:
    assert compile_flow(FLOWS[name], "$domain").warnings == ()


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_flow_matches_its_golden_file(name: str) -> None:
    flow = FLOWS[name]
    text = compile_flow(flow, "$domain").to_json()
    assert_matches_golden(text, GOLDEN / f"{flow.name}.asl.json")
''')


def test_imports(package: str, module: str) -> str:
    """The import block of a flow's test, sorted by module as ruff's isort does (one section)."""
    lines = [
        "from flowtasks.testing import run_flow",
        f"from {package}.flows.{module} import count_items",
    ]
    return "\n".join(sorted(lines, key=lambda line: line.split()[1]))


def flows_test_imports(package: str) -> str:
    """The first-party import block of a domain's tests/test_flows.py, sorted as ruff sorts it."""
    lines = [
        "from flowtasks.asl import compile_flow",
        "from flowtasks.testing import assert_matches_golden",
        f"from {package} import flows",
    ]
    return "\n".join(sorted(lines, key=lambda line: line.split()[1]))
