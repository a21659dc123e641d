"""Without ``../shared/asl-examples`` the corpus test modules skip with one reason, or fail when
``FLOWTASKS_REQUIRE_CORPUS=1``; with the corpus they run.

Each case runs pytest on a copy of this folder's conftest and `corpus_presence` in a layout of its
own, where the corpus folder beside the "repository" is absent or present. These tests need no
corpus, so they do not call `require_corpus`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

READS_CORPUS = """
import pytest
from corpus_presence import require_corpus

require_corpus()


def test_reads_the_corpus():
    pass


@pytest.mark.xfail(strict=True, reason="the engine lacks a feature")
def test_known_gap():
    raise AssertionError("gap")
"""

NEEDS_NO_CORPUS = """
def test_without_the_corpus():
    pass
"""


def pytest_run(
    tmp_path: Path, *, present: bool, require: str | None, summary: Path | None = None
) -> tuple[int, str]:
    repo = tmp_path / "repo"
    tests = repo / "packages" / "flowtasks" / "tests" / "corpus"
    tests.mkdir(parents=True)
    for name in ("conftest.py", "corpus_presence.py"):
        shutil.copy(HERE / name, tests / name)
    (tests / "test_one.py").write_text(READS_CORPUS, encoding="utf-8")
    (tests / "test_two.py").write_text(READS_CORPUS, encoding="utf-8")
    (tests / "test_other.py").write_text(NEEDS_NO_CORPUS, encoding="utf-8")
    if present:
        (tmp_path / "shared" / "asl-examples").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "FLOWTASKS_REQUIRE_CORPUS"}
    if require is not None:
        env["FLOWTASKS_REQUIRE_CORPUS"] = require
    env.pop("GITHUB_STEP_SUMMARY", None)
    if summary is not None:
        env["GITHUB_STEP_SUMMARY"] = str(summary)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tests)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("require", [None, "0"])
def test_a_missing_corpus_skips_with_one_reason(tmp_path: Path, require: str | None) -> None:
    code, out = pytest_run(tmp_path, present=False, require=require)
    assert code == 0, out
    assert "1 passed, 2 skipped" in out
    [skipped] = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    assert skipped.startswith("SKIPPED [2] "), out  # both modules, one reason, one line
    assert (
        "../shared/asl-examples not found: the real-world ASL corpus lives beside the repository"
        in skipped
    )
    assert str(tmp_path / "shared" / "asl-examples") in skipped


def test_a_required_missing_corpus_fails_loudly(tmp_path: Path) -> None:
    code, out = pytest_run(tmp_path, present=False, require="1")
    assert code != 0, out
    assert "2 errors" in out
    assert "passed" not in out.splitlines()[-1]
    assert out.count("FLOWTASKS_REQUIRE_CORPUS=1 but ../shared/asl-examples not found") >= 2


def test_a_present_corpus_runs_the_tests(tmp_path: Path) -> None:
    code, out = pytest_run(tmp_path, present=True, require="1")
    assert code == 0, out
    assert "3 passed, 2 xfailed" in out


def test_in_github_actions_a_skipped_corpus_is_in_the_job_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps' summary\n", encoding="utf-8")
    code, out = pytest_run(tmp_path, present=False, require=None, summary=summary)
    assert code == 0, out
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier steps' summary\n### ⚠️ Corpus tests skipped\n")
    assert text.count("Corpus tests skipped") == 1  # two modules skipped, one report
    assert "../shared/asl-examples not found" in text
    assert out.count("::warning title=Corpus tests skipped::../shared/asl-examples") == 1


def test_a_present_corpus_adds_nothing_to_the_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    code, out = pytest_run(tmp_path, present=True, require=None, summary=summary)
    assert code == 0, out
    assert not summary.exists()
    assert "::warning" not in out
