"""docs/asl-support.md names a test for every feature: each reference must name a real test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[2]
DOC = TESTS.parents[2] / "docs" / "asl-support.md"
REFERENCE = re.compile(r"`((?:unit|integration|corpus)/[\w/]+\.py)::(\w+)(\[[^`]*\])?`")


def references() -> list[tuple[str, str]]:
    return sorted({(m.group(1), m.group(2)) for m in REFERENCE.finditer(DOC.read_text("utf-8"))})


def recorded_cases() -> list[str]:
    """The corpus files named in `test_recorded.py::...[<file>[<run>]]` references."""
    text = DOC.read_text("utf-8")
    return sorted(
        {
            m.group(3)[1:].split("[", 1)[0]
            for m in REFERENCE.finditer(text)
            if m.group(1) == "corpus/test_recorded.py" and m.group(3)
        }
    )


def test_the_page_references_tests() -> None:
    assert len(references()) > 50


@pytest.mark.parametrize(("path", "name"), references())
def test_each_referenced_test_exists(path: str, name: str) -> None:
    source = TESTS / path
    assert source.is_file(), f"docs/asl-support.md names a missing file {path}"
    assert re.search(rf"^\s*def {name}\(", source.read_text("utf-8"), re.MULTILINE), (
        f"docs/asl-support.md names {path}::{name}, which does not exist"
    )


@pytest.mark.parametrize("name", recorded_cases())
def test_each_referenced_recording_exists(name: str) -> None:
    assert (TESTS / "corpus" / "expected" / f"{name}.json").is_file(), name
