"""`flow-task new domain` / `new flow`: scaffolding into a temporary copy of the monorepo root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from flowtasks import registry, scaffold
from flowtasks.cli import main
from flowtasks.errors import UsageError
from flowtasks.scaffold import find_root, flow_names, new_domain

REPO = Path(__file__).resolve().parents[5]
VENV_BIN = Path(sys.executable).parent

# The scaffolded domains are named so that no real domain can clash with them: the docs tell users
# to create `billing`, which may well be installed in the environment running these tests.


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """A temporary monorepo root: the real root pyproject, an empty domains/ and a .venv folder."""
    root = tmp_path / "repo"
    (root / "domains").mkdir(parents=True)
    (root / ".venv").mkdir()
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def register(root: Path, domain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the scaffolded domain importable and discoverable (what pip install -e does)."""
    layout = scaffold.DomainLayout(root, domain)
    site = tmp_path / "site"
    dist = site / f"{layout.package}-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "entry_points.txt").write_text(
        f"[flowtasks.domains]\n{domain} = {layout.package}.flows\n"
    )
    src = str(layout.path / "src")
    monkeypatch.syspath_prepend(src)
    monkeypatch.syspath_prepend(str(site))
    original = registry._entry_points_files
    monkeypatch.setattr(
        registry,
        "_entry_points_files",
        lambda: [(d, p) for d, p in original() if p.startswith(str(site))],
    )
    registry.clear_cache()
    return site


@pytest.fixture
def forget_modules() -> object:
    before = set(sys.modules)
    yield None
    for name in set(sys.modules) - before:
        if name.startswith(("zz_scaffold_probe_flows", "shop2_flows")):
            del sys.modules[name]
    registry.clear_cache()


@pytest.mark.parametrize(
    ("name", "flow", "module"),
    [
        ("OrderSync", "OrderSync", "order_sync"),
        ("order-sync", "OrderSync", "order_sync"),
        ("order_sync", "OrderSync", "order_sync"),
        ("S3Export", "S3Export", "s3_export"),
        ("loadHTTPData", "LoadHTTPData", "load_http_data"),
    ],
)
def test_flow_names(name: str, flow: str, module: str) -> None:
    assert flow_names(name) == (flow, module)


def test_new_domain_writes_a_registered_package(
    monorepo: Path, forget_modules: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = new_domain("zz_scaffold_probe", root=monorepo, install=False)

    assert path == monorepo / "domains" / "zz-scaffold-probe-flows"
    files = sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())
    assert files == [
        "poetry.toml",
        "pyproject.toml",
        "src/zz_scaffold_probe_flows/__init__.py",
        "src/zz_scaffold_probe_flows/flows/__init__.py",
        "src/zz_scaffold_probe_flows/flows/hello_items.py",
        "src/zz_scaffold_probe_flows/tasks/__init__.py",
        "tests/golden/HelloItems.asl.json",
        "tests/test_flows.py",
        "tests/test_hello_items.py",
    ]
    from flowtasks.asl import compile_flow

    monkeypatch.syspath_prepend(str(path / "src"))
    from zz_scaffold_probe_flows.flows import hello_items  # type: ignore[import-not-found]

    golden = (path / "tests/golden/HelloItems.asl.json").read_text(encoding="utf-8")
    assert golden == compile_flow(hello_items, "zz_scaffold_probe").to_json()
    project = tomllib.loads((path / "pyproject.toml").read_text())
    assert project["project"]["name"] == "zz-scaffold-probe-flows"
    assert project["project"]["entry-points"]["flowtasks.domains"] == {
        "zz_scaffold_probe": "zz_scaffold_probe_flows.flows"
    }
    assert project["tool"]["poetry"]["dependencies"]["flowtasks"] == {
        "path": "../../packages/flowtasks",
        "develop": True,
    }
    root = tomllib.loads((monorepo / "pyproject.toml").read_text())
    assert root["tool"]["poetry"]["dependencies"]["zz-scaffold-probe-flows"] == {
        "path": "domains/zz-scaffold-probe-flows",
        "develop": True,
    }
    assert root["tool"]["poetry"]["dependencies"]["demo-flows"]["path"] == "domains/demo-flows"
    assert "zz_scaffold_probe_flows" in root["tool"]["ruff"]["lint"]["isort"]["known-first-party"]
    assert os.readlink(path / ".venv") == "../../.venv"
    assert (path / ".venv").resolve() == (monorepo / ".venv").resolve()


def test_the_scaffolded_domain_validates_draws_lints_and_passes_its_own_tests(
    monorepo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    forget_modules: object,
) -> None:
    path = new_domain("zz_scaffold_probe", root=monorepo, install=False)
    site = register(monorepo, "zz_scaffold_probe", tmp_path, monkeypatch)
    new_flow_argv = ["new", "flow", "zz_scaffold_probe", "order-sync", "--root", str(monorepo)]
    assert main(new_flow_argv) == 0
    assert f"wrote {path / 'tests/golden/OrderSync.asl.json'}" in capsys.readouterr().err

    assert main(["list"]) == 0
    assert capsys.readouterr().out == "zz_scaffold_probe.HelloItems\nzz_scaffold_probe.OrderSync\n"
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == (
        "ok      zz_scaffold_probe.HelloItems\nok      zz_scaffold_probe.OrderSync\n"
    )
    assert main(["graph", "zz_scaffold_probe.HelloItems"]) == 0
    line = 's_HasItems -->|"$.count #gt; 0"| s_Done'
    assert line in capsys.readouterr().out
    assert f"`{line}`" in (REPO / "docs" / "cli.md").read_text()  # the doc shows the real text

    lint = subprocess.run(
        [str(VENV_BIN / "ruff"), "check", str(path)], cwd=monorepo, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run(
        [str(VENV_BIN / "ruff"), "format", "--check", str(path)],
        cwd=monorepo,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout

    # Other installed domains, even a broken one, must not disturb the new domain's own tests.
    decoy = tmp_path / "decoy"
    (decoy / "zz_decoy-0.1.0.dist-info").mkdir(parents=True)
    (decoy / "zz_decoy-0.1.0.dist-info" / "entry_points.txt").write_text(
        "[flowtasks.domains]\nzz_decoy = zz_decoy_flows_missing.flows\n"
    )
    paths = [str(site), str(path / "src"), str(decoy)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path / "tests")],
        cwd=monorepo,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "12 passed" in tests.stdout  # 4 + 4 for the flows' own tests, 2 x 2 in test_flows


def test_a_new_flow_in_the_demo_domain_passes_every_demo_test_untouched(tmp_path: Path) -> None:
    # The README's own example, `flow-task new flow demo my-flow`, on a copy of the demo domain
    # (first on PYTHONPATH, so it shadows the installed one), then the demo's tests of it.
    root = tmp_path / "repo"
    shutil.copytree(
        REPO / "domains" / "demo-flows",
        root / "domains" / "demo-flows",
        ignore=shutil.ignore_patterns(".venv", "__pycache__"),
    )
    for name in ("pyproject.toml", "conftest.py"):
        shutil.copy(REPO / name, root / name)
    (root / "node_modules").symlink_to(REPO / "node_modules")
    env = {**os.environ, "PYTHONPATH": str(root / "domains" / "demo-flows" / "src")}
    argv = [str(VENV_BIN / "flow-task"), "new", "flow", "demo", "my-flow", "--root", str(root)]
    created = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    assert created.returncode == 0, created.stderr
    assert "tests/golden/MyFlow.asl.json" in created.stderr

    # every test about the new flow: its own file, and each check the domain makes of every
    # flow (golden file, warnings, determinism, asl-validator), selected by the flow's id
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
         "domains/demo-flows/tests/test_my_flow.py", "domains/demo-flows/tests/test_flows.py",
         "-k", "my_flow or exports or required_state"],
        cwd=root, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "test_flow_matches_its_golden_file[my_flow] PASSED" in tests.stdout
    assert "test_flow_passes_asl_validator[my_flow] PASSED" in tests.stdout
    assert " 4 passed" not in tests.stdout  # more than the flow's own 4 tests ran


def test_new_flow_writes_and_exports_without_overwriting(
    monorepo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    forget_modules: object,
) -> None:
    new_domain("zz_scaffold_probe", root=monorepo, install=False)
    register(monorepo, "zz_scaffold_probe", tmp_path, monkeypatch)

    code = main(["new", "flow", "zz_scaffold_probe", "invoice-export", "--root", str(monorepo)])
    assert code == 0
    source = monorepo / "domains/zz-scaffold-probe-flows/src/zz_scaffold_probe_flows"
    assert (source / "flows/invoice_export.py").is_file()
    assert (monorepo / "domains/zz-scaffold-probe-flows/tests/test_invoice_export.py").is_file()
    assert (source / "flows/__init__.py").read_text() == (
        '"""The flows of the zz_scaffold_probe domain, one file a flow.\n\n'
        'Every Flow listed in __all__ is registered (entry point `flowtasks.domains`).\n"""\n'
        "\n"
        "from zz_scaffold_probe_flows.flows.hello_items import hello_items\n"
        "from zz_scaffold_probe_flows.flows.invoice_export import invoice_export\n"
        "\n"
        "__all__ = [\n"
        '    "hello_items",\n'
        '    "invoice_export",\n'
        "]\n"
    )
    capsys.readouterr()
    assert main(["validate"]) == 0
    assert (
        capsys.readouterr().out
        == "ok      zz_scaffold_probe.HelloItems\nok      zz_scaffold_probe.InvoiceExport\n"
    )

    code = main(["new", "flow", "zz_scaffold_probe", "InvoiceExport", "--root", str(monorepo)])
    assert code == 2
    assert "already exists; not overwriting it" in capsys.readouterr().err


def test_export_keeps_existing_imports_sorted(tmp_path: Path) -> None:
    init = tmp_path / "__init__.py"
    init.write_text(
        '"""Flows."""\n\n'
        "from shop_flows.flows.zebra import Zebra\n"
        "from shop_flows.flows.alpha import Alpha\n\n"
        '__all__ = ["Zebra", "Alpha"]\n'
    )
    scaffold._export(init, "shop_flows", "middle", "Middle")
    assert init.read_text() == (
        '"""Flows."""\n\n'
        "from shop_flows.flows.alpha import Alpha\n"
        "from shop_flows.flows.middle import Middle\n"
        "from shop_flows.flows.zebra import Zebra\n\n"
        "__all__ = [\n"
        '    "Alpha",\n'
        '    "Middle",\n'
        '    "Zebra",\n'
        "]\n"
    )
    with pytest.raises(UsageError, match="already exports 'Middle'"):
        scaffold._export(init, "shop_flows", "middle", "Middle")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["new", "domain", "Bad-Name"], "domain name 'Bad-Name'"),
        (["new", "flow", "zz_scaffold_probe", "9lives"], "flow name '9lives'"),
        (["new", "flow", "nowhere", "Flow"], "no domain 'nowhere'"),
        (
            ["new", "flow", "zz_scaffold_probe", "count-items"],
            "clashes with the template's own names",
        ),
    ],
)
def test_bad_names_are_usage_errors(
    monorepo: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
    forget_modules: object,
) -> None:
    new_domain("zz_scaffold_probe", root=monorepo, install=False)
    capsys.readouterr()
    assert main([*argv, "--root", str(monorepo)]) == 2
    assert message in capsys.readouterr().err


def test_an_existing_domain_is_not_overwritten(
    monorepo: Path, capsys: pytest.CaptureFixture[str], forget_modules: object
) -> None:
    argv = ["new", "domain", "zz_scaffold_probe", "--root", str(monorepo), "--no-install"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "created domain zz_scaffold_probe in" in err
    path = monorepo / "domains" / "zz-scaffold-probe-flows"
    assert err.splitlines()[-1] == (
        "next: install it (not done, --no-install) with scripts/bootstrap, or with "
        f"`pip install -e {path}` in the environment; then `flow-task list` shows "
        "zz_scaffold_probe.HelloItems"
    )
    assert main(argv) == 2
    assert "already exists" in capsys.readouterr().err


def test_new_domain_refuses_a_root_that_is_not_the_monorepo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["new", "domain", "zz_scaffold_probe", "--root", str(tmp_path / "nowhere")]
    assert main(argv) == 2
    assert "is not the monorepo root" in capsys.readouterr().err


def test_find_root_walks_up_to_the_monorepo_root(monorepo: Path, tmp_path: Path) -> None:
    deep = monorepo / "domains" / "x" / "y"
    deep.mkdir(parents=True)
    assert find_root(deep) == monorepo.resolve()
    with pytest.raises(UsageError, match="no monorepo root above"):
        find_root(tmp_path / "elsewhere" if (tmp_path / "elsewhere").mkdir() is None else tmp_path)


def test_install_runs_pip_editable_without_dependencies(
    monorepo: Path, monkeypatch: pytest.MonkeyPatch, forget_modules: object
) -> None:
    calls: list[list[str]] = []

    def fake_run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(scaffold.subprocess, "run", fake_run)
    messages: list[str] = []
    new_domain("zz_scaffold_probe", root=monorepo, install=True, log=messages.append)
    path = str(monorepo / "domains" / "zz-scaffold-probe-flows")
    assert calls[0][:3] == [sys.executable, "-m", "pip"]
    assert calls[0][-3:] == ["--no-deps", "-e", path]
    assert calls[1][:3] == [sys.executable, "-m", "compileall"]
    assert messages[0].startswith("installing zz-scaffold-probe-flows into ")


def test_a_failed_install_is_reported(monorepo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 1, "", "ERROR: no network\n")

    monkeypatch.setattr(scaffold.subprocess, "run", fake_run)
    from flowtasks.errors import FlowtasksError

    with pytest.raises(FlowtasksError, match=r"pip could not install .*\nERROR: no network"):
        new_domain("zz_scaffold_probe", root=monorepo, install=True)
