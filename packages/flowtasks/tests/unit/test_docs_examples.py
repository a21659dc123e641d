"""Every example in README.md and docs/*.md runs, so the docs cannot drift from the code.

- Each ```python block runs in a fresh module namespace (registered in sys.modules, so tasks it
  defines are importable by name as the compiler requires), with a temporary folder as cwd.
  A block right after ``<!-- docs-test: skip -->`` is not run (fragments that cannot run alone).
- Each ``flow-task list|asl|validate|graph|synth`` line (optionally after ``$ `` and ``poetry run``)
  in a ```console / ```bash / ```shell block runs through `flowtasks.cli.main` and must exit 0
  (except ``graph --run``, which needs a saved run; and blocks after the skip marker, e.g. those
  showing a hypothetical domain).
- A ```mermaid block right after ``<!-- graph: FLOW -->`` must equal ``flow-task graph FLOW``
  (``FLOWTASKS_UPDATE_DOCS=1`` rewrites it, then fails listing the change, so that an update
  run never passes silently).
"""

from __future__ import annotations

import re
import shlex
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from flowtasks.cli import main
from flowtasks.testing.golden import describe_change, update_requested

REPO = Path(__file__).resolve().parents[4]
DOC_FILES = [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md"]
UPDATE_DOCS_ENV = "FLOWTASKS_UPDATE_DOCS"
CHECKED_COMMANDS = {"list", "asl", "validate", "graph", "synth"}
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    language: str
    code: str
    marker: str  # the HTML comment right before the block, if any

    @property
    def id(self) -> str:
        shown = self.path.relative_to(REPO) if self.path.is_relative_to(REPO) else self.path
        return f"{shown}:{self.line}"


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip().splitlines()
        marker = before[-1].strip() if before and before[-1].strip().startswith("<!--") else ""
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(path, line, match.group(1).lower(), match.group(2), marker))
    return found


ALL_BLOCKS = [block for path in DOC_FILES if path.exists() for block in blocks(path)]
PYTHON = [
    b for b in ALL_BLOCKS if b.language in ("python", "py") and "docs-test: skip" not in b.marker
]
SHELL = [
    b
    for b in ALL_BLOCKS
    if b.language in ("console", "bash", "shell", "sh") and "docs-test: skip" not in b.marker
]
GRAPHS = [b for b in ALL_BLOCKS if b.language == "mermaid" and b.marker.startswith("<!-- graph:")]


def flow_task_commands(block: Block) -> list[list[str]]:
    """The checked `flow-task` commands of a shell block, as argv lists."""
    commands = []
    for raw in re.sub(r"\\\n\s*", " ", block.code).splitlines():  # join continued lines
        line = raw.strip().removeprefix("$ ").strip()
        line = line.removeprefix("poetry run ").strip()
        if not line.startswith("flow-task "):
            continue
        try:
            argv = shlex.split(line.split(" #", 1)[0])[1:]
        except ValueError as exc:
            raise ValueError(f"{block.id}: cannot parse {line!r}: {exc}") from None
        if argv and argv[0] in CHECKED_COMMANDS and not {"|", ">", "&&", "--run"} & set(argv):
            commands.append(argv)
    return commands


@pytest.mark.parametrize("block", PYTHON, ids=[b.id for b in PYTHON])
def test_python_example_runs(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOWTASKS_RUNS_DIR", str(tmp_path / "runs"))
    name = "docs_example_" + re.sub(r"\W", "_", block.id)
    module = types.ModuleType(name)
    module.__file__ = str(block.path)
    monkeypatch.setitem(sys.modules, name, module)
    code = compile("\n" * (block.line) + block.code, str(block.path), "exec")
    exec(code, module.__dict__)


SHELL_COMMANDS = [(b, argv) for b in SHELL for argv in flow_task_commands(b)]


@pytest.mark.parametrize(
    ("block", "argv"),
    SHELL_COMMANDS,
    ids=[f"{b.id}:{' '.join(argv)}" for b, argv in SHELL_COMMANDS],
)
def test_documented_command_succeeds(
    block: Block,
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLOWTASKS_RUNS_DIR", str(tmp_path / "runs"))
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == 0, f"flow-task {' '.join(argv)} (documented at {block.id}) failed:\n{err}"


@pytest.mark.parametrize("block", GRAPHS, ids=[b.id for b in GRAPHS])
def test_embedded_diagram_is_current(block: Block, capsys: pytest.CaptureFixture[str]) -> None:
    flow = block.marker.removeprefix("<!-- graph:").removesuffix("-->").strip()
    assert main(["graph", flow, "--format", "mermaid"]) == 0
    current = capsys.readouterr().out
    if current != block.code and update_requested(UPDATE_DOCS_ENV):
        text = block.path.read_text(encoding="utf-8")
        old = f"{block.marker}\n```mermaid\n{block.code}```"
        assert old in text, f"cannot locate the diagram at {block.id} to update it"
        new = f"{block.marker}\n```mermaid\n{current}```"
        block.path.write_text(text.replace(old, new, 1), encoding="utf-8")
        pytest.fail(
            f"updated the diagram of {flow} at {block.id} ({UPDATE_DOCS_ENV} is set):\n"
            f"{describe_change(block.code, current, block.id)}\n"
            f"Review it (git diff), then run the tests again without {UPDATE_DOCS_ENV}."
        )
    assert block.code == current, (
        f"the diagram of {flow} at {block.id} is stale:\n"
        f"{describe_change(block.code, current, block.id)}\nrun "
        f"{UPDATE_DOCS_ENV}=1 scripts/test {Path(__file__).relative_to(REPO)}"
    )


def test_the_docs_have_examples_of_each_kind() -> None:
    # The README and docs/cli.md show the commands; adding-a-new-workflow embeds a diagram.
    assert any(argv[0] == "list" for _, argv in SHELL_COMMANDS)
    assert any(argv[0] == "graph" for _, argv in SHELL_COMMANDS)
    assert any(b.path.name == "adding-a-new-workflow.md" for b in GRAPHS)


def test_an_update_run_rewrites_a_stale_diagram_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.md"
    marker = "<!-- graph: demo.DailyReport -->"
    page.write_text(f"# Page\n\n{marker}\n```mermaid\nflowchart TD\n```\n", encoding="utf-8")
    (stale,) = [b for b in blocks(page) if b.marker == marker]
    monkeypatch.setenv(UPDATE_DOCS_ENV, "1")

    with pytest.raises(pytest.fail.Exception, match=r"updated the diagram of demo\.DailyReport"):
        test_embedded_diagram_is_current(stale, capsys)

    (fresh,) = [b for b in blocks(page) if b.marker == marker]
    assert fresh.code.startswith("flowchart TD\n    _start((")
    test_embedded_diagram_is_current(fresh, capsys)  # now current: passes, even with the variable
