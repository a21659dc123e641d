"""scripts/changed-domains, run as GitHub Actions runs it, on a real git repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[5] / "scripts" / "changed-domains"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def changed(repo: Path, *args: str) -> tuple[int, object, str]:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(repo), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    value = json.loads(result.stdout) if result.returncode == 0 else None
    return result.returncode, value, result.stderr


def commit(repo: Path, *paths: str) -> str:
    for path in paths:
        file = repo / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(file.read_text() + "x\n" if file.exists() else "x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", f"change {' '.join(paths)}")
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with domains demo (domains/demo-flows) and billing (domains/bills-flows)."""
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    for folder, name in (("demo-flows", "demo"), ("bills-flows", "billing")):
        pyproject = tmp_path / "domains" / folder / "pyproject.toml"
        pyproject.parent.mkdir(parents=True)
        pyproject.write_text(
            f'[project]\nname = "{folder}"\n\n'
            f'[project.entry-points."flowtasks.domains"]\n{name} = "{name}_flows.flows"\n'
        )
    commit(tmp_path, "packages/flowtasks/src/x.py", "README.md")
    return tmp_path


def test_a_change_in_one_domain_selects_only_that_domain(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, "domains/bills-flows/src/billing_flows/flows/x.py")
    assert changed(repo, "--base", base) == (0, ["billing"], "")


@pytest.mark.parametrize(
    "path",
    ["packages/flowtasks/src/x.py", "docker/Dockerfile", "pyproject.toml", "scripts/build-image"],
)
def test_a_change_every_image_holds_selects_every_domain(repo: Path, path: str) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, path)
    assert changed(repo, "--base", base) == (0, ["billing", "demo"], "")


def test_docs_only_changes_select_nothing(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, "README.md", "docs/x.md")
    assert changed(repo, "--base", base) == (0, [], "")


def test_an_unknown_or_zero_base_selects_everything(repo: Path) -> None:
    assert changed(repo, "--base", "0" * 40)[1] == ["billing", "demo"]
    assert changed(repo, "--base", "deadbeef" * 5)[1] == ["billing", "demo"]


def test_manual_dispatch_picks_one_existing_domain(repo: Path) -> None:
    assert changed(repo, "--only", "demo") == (0, ["demo"], "")
    code, _, err = changed(repo, "--only", "nope")
    assert code == 2
    assert "no domain 'nope'; domains: billing, demo" in err
    assert changed(repo, "--all")[1] == ["billing", "demo"]
