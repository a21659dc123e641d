"""flowtasks.testing.assert_matches_golden: compare, and update runs that can never pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowtasks.testing import assert_matches_golden
from flowtasks.testing.golden import describe_change


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    path = tmp_path / "golden" / "Flow.asl.json"
    path.parent.mkdir()
    path.write_text('{\n  "StartAt": "A"\n}\n', encoding="utf-8")
    return path


def test_the_same_text_passes(golden: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLOWTASKS_UPDATE_GOLDEN", raising=False)
    assert_matches_golden('{\n  "StartAt": "A"\n}\n', golden)


def test_a_difference_fails_with_a_diff_and_the_command_to_rerun(
    golden: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLOWTASKS_UPDATE_GOLDEN", raising=False)
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "domains/x/tests/test_flows.py::test_g[f] (call)")
    with pytest.raises(AssertionError) as failure:
        assert_matches_golden('{\n  "StartAt": "B"\n}\n', golden)
    message = str(failure.value)
    assert message.startswith(f"{golden} differs:\n--- Flow.asl.json (before)\n")
    assert '-  "StartAt": "A"\n+  "StartAt": "B"' in message
    assert message.endswith(
        "If this is intended, write it with: FLOWTASKS_UPDATE_GOLDEN=1 scripts/test "
        "'domains/x/tests/test_flows.py::test_g[f]'"
    )
    assert golden.read_text(encoding="utf-8") == '{\n  "StartAt": "A"\n}\n'  # untouched


def test_a_missing_file_fails_and_is_not_written(tmp_path: Path) -> None:
    missing = tmp_path / "None.asl.json"
    with pytest.raises(AssertionError, match=r"there is no golden file .*None\.asl\.json"):
        assert_matches_golden("{}\n", missing)
    assert not missing.exists()


def test_an_update_run_writes_the_file_and_still_fails_listing_the_change(
    golden: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWTASKS_UPDATE_GOLDEN", "1")
    with pytest.raises(AssertionError) as failure:
        assert_matches_golden('{\n  "StartAt": "B"\n}\n', golden)
    message = str(failure.value)
    assert message.startswith(f"updated the golden file {golden} (FLOWTASKS_UPDATE_GOLDEN is set)")
    assert '+  "StartAt": "B"' in message
    assert golden.read_text(encoding="utf-8") == '{\n  "StartAt": "B"\n}\n'
    assert_matches_golden('{\n  "StartAt": "B"\n}\n', golden)  # nothing left to change: passes


def test_an_update_run_writes_a_missing_file_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWTASKS_UPDATE_GOLDEN", "1")
    path = tmp_path / "new" / "New.asl.json"
    with pytest.raises(AssertionError, match=r"New\.asl\.json is new \(2 lines\)"):
        assert_matches_golden("{\n}\n", path)
    assert path.read_text(encoding="utf-8") == "{\n}\n"


def test_zero_is_not_an_update_request(golden: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWTASKS_UPDATE_GOLDEN", "0")
    with pytest.raises(AssertionError, match="differs"):
        assert_matches_golden("{}\n", golden)
    assert golden.read_text(encoding="utf-8") != "{}\n"


def test_a_long_diff_is_cut() -> None:
    old = "\n".join(str(n) for n in range(200))
    text = describe_change(old, old.replace("\n", "\n-"), "big")
    assert len(text.splitlines()) == 61
    assert text.splitlines()[-1].endswith("more diff lines")
