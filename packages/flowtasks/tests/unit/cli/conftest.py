"""Fixtures of the CLI tests: fake domains registered through real entry_points.txt files."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flowtasks import registry

FakeDomain = Callable[..., Path]

SHOP_FLOWS = '''
"""A tiny domain for the CLI tests."""

from typing import Any

from flowtasks.dsl import Catch, Choice, Fail, Flow, Pass, Succeed, Var, task
from flowtasks.errors import TaskError


@task
def count(event: dict[str, Any]) -> dict[str, Any]:
    items = event.get("items", [])
    if event.get("explode"):
        raise TaskError("Shop.Exploded", "asked to explode")
    if event.get("bad"):
        raise ValueError("bad input")
    return {"items": items, "count": len(items)}


@task
def weird(event: dict[str, Any]) -> Any:
    return {1, 2}


Orders = Flow(
    "Orders",
    count.with_(catch=Catch("Shop.Exploded", Fail("Exploded", error="Shop.Exploded")))
    >> Choice("Any").when(Var("$.count").numeric_greater_than(0), Succeed("Some"))
    .otherwise(Pass("None") >> Succeed("Empty")),
    description="Counts orders.",
)

Weird = Flow("Weird", weird, description="Returns a set.")

__all__ = ["Orders", "Weird"]
'''


@pytest.fixture
def fake_domain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDomain]:
    """`make(domain, source)`: a package with `source` as its flows module, registered under
    `domain` by an entry_points.txt on sys.path. Only fake domains are visible meanwhile."""
    site = tmp_path / "site"
    site.mkdir()
    modules: list[str] = []
    original = registry._entry_points_files

    def only_fakes() -> list[tuple[str, str]]:
        return [(dist, path) for dist, path in original() if path.startswith(str(site))]

    monkeypatch.setattr(registry, "_entry_points_files", only_fakes)
    monkeypatch.syspath_prepend(str(site))

    def make(domain: str, source: str = SHOP_FLOWS, value: str | None = None) -> Path:
        package = f"fake_{domain}_flows"
        (site / package).mkdir()
        (site / package / "__init__.py").write_text(textwrap.dedent(source))
        dist = site / f"{package}-0.1.0.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.1.0\n")
        (dist / "entry_points.txt").write_text(
            f"[console_scripts]\nx = y:z\n\n[flowtasks.domains]\n{domain} = {value or package}\n"
        )
        modules.append(package)
        registry.clear_cache()
        return site / package

    yield make
    for name in modules:
        sys.modules.pop(name, None)
    registry.clear_cache()


@pytest.fixture
def shop(fake_domain: FakeDomain) -> Path:
    """The fake domain ``shop`` with flows ``shop.Orders`` and ``shop.Weird``."""
    return fake_domain("shop")


@pytest.fixture(autouse=True)
def runs_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Saved runs go to a temporary folder, never into the repository."""
    runs = tmp_path / "runs"
    monkeypatch.setenv("FLOWTASKS_RUNS_DIR", str(runs))
    monkeypatch.delenv("FLOWTASKS_DEBUG", raising=False)
    return runs
