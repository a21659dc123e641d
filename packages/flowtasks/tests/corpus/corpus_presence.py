"""Where the real-world ASL corpus lives, and what its absence means for the corpus tests.

The corpus is not part of the repository: it lives in ``../shared/asl-examples``, beside the
checkout, as sessions and CI lay it out. A test module that reads it calls `require_corpus` after
its imports: without the corpus the module is skipped, with one reason; with
``FLOWTASKS_REQUIRE_CORPUS=1`` (set by ``.ci/run``) its collection fails instead, so a CI that
should have the corpus cannot pass by skipping it. In GitHub Actions, which has no folder beside
the checkout, a skip is never silent: it adds a warning to the job's summary
(``$GITHUB_STEP_SUMMARY``) and a ``::warning`` annotation, once per test run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

CORPUS_DIR = Path(__file__).resolve().parents[4].parent / "shared" / "asl-examples"
"""``shared/asl-examples``, beside the monorepo checkout."""

REQUIRE_ENV = "FLOWTASKS_REQUIRE_CORPUS"
"""Set to ``1`` to make a missing corpus fail the corpus tests instead of skipping them."""


def missing_corpus(corpus_dir: Path = CORPUS_DIR) -> str | None:
    """None when the corpus folder exists, else why the corpus tests cannot run."""
    if corpus_dir.is_dir():
        return None
    return (
        "../shared/asl-examples not found: the real-world ASL corpus lives beside the repository "
        f"(looked for {corpus_dir}), as sessions and CI lay it out; put it there to run the "
        f"corpus tests ({REQUIRE_ENV}=1 makes its absence fail them)"
    )


def corpus_required(environ: Mapping[str, str] = os.environ) -> bool:
    """True when the environment asks for a missing corpus to fail the tests."""
    return environ.get(REQUIRE_ENV) == "1"


def require_corpus() -> None:
    """Skip the calling test module when the corpus is missing; fail its collection instead
    when ``FLOWTASKS_REQUIRE_CORPUS=1``. Call it at module level, after the imports."""
    reason = missing_corpus()
    if reason is None:
        return
    if corpus_required():
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
    report_skip(reason)
    pytest.skip(reason, allow_module_level=True)


SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
"""The file GitHub Actions shows as the job's summary (Markdown), when set."""

_reported: list[str] = []


def report_skip(reason: str, environ: Mapping[str, str] = os.environ) -> None:
    """Make a skipped corpus visible in GitHub Actions (once per process): a warning in the
    job summary, and (`annotation`, printed by this folder's conftest at the end of the run) a
    ``::warning`` annotation. Does nothing elsewhere."""
    summary = environ.get(SUMMARY_ENV)
    if not summary or _reported:
        return
    _reported.append(reason)
    with open(summary, "a", encoding="utf-8") as stream:
        stream.write(
            "### ⚠️ Corpus tests skipped\n\n"
            "The real-world ASL corpus tests (`packages/flowtasks/tests/corpus`) did not run in "
            f"this job: {reason}.\n\n"
            "`.ci/run`, which has the corpus beside the checkout, runs them with "
            f"`{REQUIRE_ENV}=1`.\n"
        )


def annotation() -> str | None:
    """The GitHub Actions ``::warning`` line for a skip `report_skip` reported, if any."""
    return f"::warning title=Corpus tests skipped::{_reported[0]}" if _reported else None
