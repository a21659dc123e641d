"""Golden files: a test compares the text it produces with a file checked in beside it.

::

    from flowtasks.asl import compile_flow
    from flowtasks.testing import assert_matches_golden

    assert_matches_golden(compile_flow(flow, "demo").to_json(), GOLDEN / "MyFlow.asl.json")

A missing file or a difference fails with a diff and the command that regenerates the file.
With ``FLOWTASKS_UPDATE_GOLDEN=1`` a differing or missing file is written, and the test still
fails, listing what it changed: an update run can never pass silently. Review the change
(``git diff``), then run the tests again without the variable.
"""

from __future__ import annotations

import difflib
import os
import shlex
from pathlib import Path

__all__ = ["UPDATE_GOLDEN_ENV", "assert_matches_golden", "describe_change", "update_requested"]

UPDATE_GOLDEN_ENV = "FLOWTASKS_UPDATE_GOLDEN"
"""Set to 1 to (re)write golden files that differ."""

_DIFF_LINES = 60


def update_requested(variable: str = UPDATE_GOLDEN_ENV) -> bool:
    """True when `variable` is set to anything but empty or ``0``."""
    return os.environ.get(variable, "") not in ("", "0")


def describe_change(old: str | None, new: str, label: str) -> str:
    """A unified diff of `old` -> `new` (at most 60 lines), or a note that `label` is new."""
    if old is None:
        return f"{label} is new ({len(new.splitlines())} lines)"
    diff = list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), f"{label} (before)", f"{label} (now)", lineterm=""
        )
    )
    cut = len(diff) - _DIFF_LINES
    shown = diff[:_DIFF_LINES] + ([f"... and {cut} more diff lines"] if cut > 0 else [])
    return "\n".join(shown)


def _rerun(variable: str) -> str:
    """The command that re-runs the current pytest test with `variable` set."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    target = shlex.quote(current) if current else "<the test>"
    return f"{variable}=1 scripts/test {target}"


def assert_matches_golden(text: str, path: Path, *, variable: str = UPDATE_GOLDEN_ENV) -> None:
    """Pass when `path` holds exactly `text`; otherwise raise AssertionError saying why.

    With `variable` (default ``FLOWTASKS_UPDATE_GOLDEN``) set, write `text` to `path` first when
    it differs or is missing, then raise AssertionError listing the change (never pass).
    """
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old == text:
        return
    change = describe_change(old, text, path.name)
    if update_requested(variable):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        raise AssertionError(
            f"updated the golden file {path} ({variable} is set):\n{change}\n"
            f"Review it (git diff), then run the tests again without {variable}."
        )
    what = f"there is no golden file {path}" if old is None else f"{path} differs"
    raise AssertionError(
        f"{what}:\n{change}\nIf this is intended, write it with: {_rerun(variable)}"
    )
