"""docs/adding-a-new-workflow.md, run for real: its edited flow, its tests and its commands.

The page's example domain ``billing`` does not exist, so the generic docs test only executes the
flow's code; here that code becomes the flows module of a fake ``billing`` domain, and the page's
test file and ``flow-task`` commands for ``billing.InvoiceExport`` run against it.
"""

from __future__ import annotations

import re
import shlex
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from flowtasks.cli import main

FakeDomain = Callable[..., Path]

REPO = Path(__file__).resolve().parents[5]
GUIDE = REPO / "docs" / "adding-a-new-workflow.md"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def _blocks(language: str) -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return [m.group(2) for m in FENCE.finditer(text) if m.group(1) == language]


def _flow_code() -> str:
    (code,) = [b for b in _blocks("python") if "invoice_export = Flow(" in b]
    return code


def _commands() -> list[list[str]]:
    """The page's ``flow-task`` commands about billing.InvoiceExport, in order."""
    found = []
    for block in _blocks("console"):
        for line in block.splitlines():
            line = line.removeprefix("$ ").removeprefix("poetry run ").strip()
            if line.startswith("flow-task ") and "billing.InvoiceExport" in line:
                found.append(shlex.split(line)[1:])
    return found


@pytest.fixture
def billing(fake_domain: FakeDomain) -> Path:
    """The fake domain ``billing`` whose flows module is the page's edited flow file."""
    return fake_domain("billing", _flow_code())


def test_the_edit_is_a_real_change_of_the_generated_flow() -> None:
    from flowtasks.scaffold import templates

    code = _flow_code()
    assert "count_items" in templates.FLOW.template
    assert "count_items" not in code
    for added in ("Retry(LedgerBusy", "Catch([LedgerRejected]", "Fail(", "Choice("):
        assert added in code


def test_the_edited_flow_validates_and_runs(
    billing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "billing.InvoiceExport"]) == 0
    assert capsys.readouterr().out == "ok      billing.InvoiceExport\n"
    month = '{"month": "2026-01", "invoices": [{"id": 1, "amount": 7}, {"id": 2, "amount": -9}]}'
    assert main(["run", "billing.InvoiceExport", "--input", month]) == 1
    err = capsys.readouterr().err
    assert "✗ ExportToLedger LedgerRejected: a negative total (-2.0) for 2026-01" in err
    assert "  ▸ Rejected" in err


def test_the_page_test_file_passes(billing: Path) -> None:
    (code,) = [b for b in _blocks("python") if "def test_" in b]
    code = code.replace("billing_flows.flows.invoice_export", billing.name)
    module = types.ModuleType("guide_tests")
    exec(compile(code, str(GUIDE), "exec"), module.__dict__)
    tests = [value for name, value in vars(module).items() if name.startswith("test_")]
    assert len(tests) == 4
    for test in tests:
        test()


def test_the_page_commands_work(billing: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commands = _commands()
    assert [argv[0] for argv in commands] == ["validate", "graph", "run", "run", "graph"]
    for argv in commands:
        code = main(argv)
        _, err = capsys.readouterr()
        expected = 1 if any('"Error"' in arg for arg in argv) else 0  # a mocked failure
        assert code == expected, f"flow-task {shlex.join(argv)}:\n{err}"
        if "--skip-waits" in argv:
            assert "↻ ExportToLedger retrying, 5s wait skipped (retry 1 of 3)" in err
            assert "↻ ExportToLedger retrying, 20s wait skipped (retry 3 of 3)" in err
