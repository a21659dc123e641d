"""The installed `flow-task` console script: starts, stays light, exits with the right codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
FLOW_TASK = VENV_BIN / "flow-task"

HEAVY = (
    "boto3",
    "botocore",
    "pydantic",
    "flowtasks.asl.compiler",
    "flowtasks.local",
    "flowtasks.expressions.jsonpath",
    "flowtasks.dsl",
)


def test_importing_the_cli_imports_nothing_heavy() -> None:
    code = f"import sys, flowtasks.cli\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_parsing_arguments_imports_no_command_module() -> None:
    # each command's module (flowtasks.cli.<module>) is imported only when that command runs
    code = (
        "import sys\n"
        "from flowtasks.cli.parser import build_parser\n"
        "build_parser().parse_args(['run', '--asl', 'x.json'])\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(sorted(m for m in sys.modules if m.startswith('flowtasks.cli.')), heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert (
        result.stdout.strip()
        == "['flowtasks.cli.app', 'flowtasks.cli.io', 'flowtasks.cli.parser'] []"
    )


def test_console_script_help_and_usage_error() -> None:
    ok = subprocess.run([str(FLOW_TASK), "--help"], capture_output=True, text=True)
    assert ok.returncode == 0
    assert ok.stdout.startswith("usage: flow-task")
    bad = subprocess.run([str(FLOW_TASK), "asl"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "the following arguments are required: FLOW" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_console_script_lists_the_demo_flows_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    # Other domains (a team's own) may be installed too: here one more, beside the demo.
    site = tmp_path / "site"
    (site / "zz_other_flows").mkdir(parents=True)
    (site / "zz_other_flows" / "__init__.py").write_text(
        "from flowtasks import Flow, Pass\nOther = Flow('Other', Pass('P'))\n"
    )
    (site / "zz_other_flows-1.0.dist-info").mkdir()
    (site / "zz_other_flows-1.0.dist-info" / "entry_points.txt").write_text(
        "[flowtasks.domains]\nzz_other = zz_other_flows\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    listed = subprocess.run(
        [str(FLOW_TASK), "list"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert listed.returncode == 0, listed.stderr
    names = set(listed.stdout.splitlines())
    assert {"demo.DailyReport", "demo.VendorIngest", "zz_other.Other"} <= names
    unknown = subprocess.run(
        [str(FLOW_TASK), "asl", "demo.NoSuchFlow"], capture_output=True, text=True, cwd=tmp_path
    )
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("flow-task: error: unknown flow 'demo.NoSuchFlow'.")
    assert unknown.stderr.count("\n") == 1
