"""Fixtures of the deploy tests: a fake domain registered through a real entry_points.txt, with
its environments.toml, and the domain's flows module rewritable (to deploy a changed flow)."""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flowtasks import registry

SHIP_FLOWS = '''
"""A domain for the deploy tests: Pass/Choice/Fail flows that moto can run."""

from flowtasks import (
    Choice, Fail, Flow, Manual, OnSuccess, Pass, S3ObjectCreated, Schedule, StartFlow, Succeed,
    Var,
)

Greet = Flow(
    "Greet",
    Pass("Hello", parameters={"greeting.$": "States.Format('hello {}', $.name)"})
    >> Succeed("Done"),
    description="Greets.",
    triggers=[Schedule.rate(1, "hour", input={"name": "scheduler"}), Manual()],
)

Check = Flow(
    "Check",
    Choice("Ok")
    .when(Var("$.ok").boolean_equals(True), Succeed("Fine"))
    .otherwise(Fail("Broken", error="Check.Broken", cause="not ok")),
    triggers=[S3ObjectCreated("drops-{env}", prefix="in/", suffix=".json"), OnSuccess(Greet)],
)

Parent = Flow(
    "Parent",
    StartFlow("RunGreet", Greet, input={"name.$": "$.name"})
    >> StartFlow("TellCheck", Check, wait=False, input={"ok": True}, result_path="$.told"),
)

__all__ = ["Check", "Greet", "Parent"]
'''


def _env(name: str, account: str = "123456789012", subnets: int = 3) -> str:
    listed = ", ".join(f'"subnet-0a1b2c3d4e5f6000{i}"' for i in range(1, subnets + 1))
    return f"""
[{name}]
account = "{account}"
region = "us-east-1"
cluster = "flows-{name}"
subnets = [{listed}]
security_groups = ["sg-0a1b2c3d4e5f60001"]
artifact_bucket = "ship-artifacts-{name}"
log_retention_days = 7

[{name}.connections]
warehouse = "flows/{name}/warehouse"
"""


ENVIRONMENTS = "".join(_env(n) for n in ("test", "dry", "refuse", "ops")) + _env(
    "elsewhere", account="999999999999", subnets=1
)
"""Environments of moto's account (one stack each, so tests do not share one) and
``elsewhere``, in another account."""

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/flows-ship@sha256:" + "ab" * 32


@dataclass
class ShipDomain:
    """The fake domain ``ship``: its package folder and a way to change its flows."""

    package: Path
    module: str

    @property
    def environments(self) -> Path:
        return self.package / "environments.toml"

    def write(self, source: str) -> None:
        """Replace the flows module with `source` (then the registry loads it afresh)."""
        shutil.rmtree(self.package / "__pycache__", ignore_errors=True)
        (self.package / "__init__.py").write_text(textwrap.dedent(source))
        sys.modules.pop(self.module, None)
        registry.clear_cache()


@pytest.fixture
def ship(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ShipDomain]:
    """The domain ``ship`` (flows Greet, Check, Parent) with `ENVIRONMENTS`; only it is
    registered meanwhile."""
    site = tmp_path / "site"
    package = site / "fake_ship_flows"
    package.mkdir(parents=True)
    original = registry._entry_points_files

    def only_fakes() -> list[tuple[str, str]]:
        return [(dist, path) for dist, path in original() if path.startswith(str(site))]

    monkeypatch.setattr(registry, "_entry_points_files", only_fakes)
    monkeypatch.syspath_prepend(str(site))
    dist = site / "fake_ship_flows-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake_ship_flows\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[flowtasks.domains]\nship = fake_ship_flows\n")
    (package / "environments.toml").write_text(ENVIRONMENTS)
    domain = ShipDomain(package, "fake_ship_flows")
    domain.write(SHIP_FLOWS)
    yield domain
    sys.modules.pop("fake_ship_flows", None)
    registry.clear_cache()


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def flow_task(capsys: pytest.CaptureFixture[str]) -> Run:
    """``flow_task("synth", "--domain", ...)`` -> (exit code, stdout, stderr)."""
    from flowtasks.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
