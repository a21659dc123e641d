"""Where a task's code failed: ``at file:line`` in the progress line and at the end of the run,
the full traceback in the saved run (``flow-task runs RUN_ID``), ``FLOWTASKS_DEBUG=1`` to print
it during the run; and ``flow-task state`` says when it runs on the default input ``{}``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowtasks.cli import main
from flowtasks.origin import location, origin_of

Capture = pytest.CaptureFixture[str]

RATES_FLOWS = '''
"""A domain whose task has a bug, and one whose bug is deep in a library call."""

import json
from typing import Any

from flowtasks.dsl import Flow, task


def _lookup(event: dict[str, Any]) -> Any:
    return event["rates"]  # BUG: no such key


@task
def export_rates(event: dict[str, Any]) -> dict[str, Any]:
    return {"rates": _lookup(event)}


@task
def parse_feed(event: dict[str, Any]) -> Any:
    return json.loads(event.get("feed", "{not json"))  # the library raises, here is our line


Rates = Flow("Rates", export_rates, description="Exports rates.")
Feed = Flow("Feed", parse_feed, description="Parses a feed.")

__all__ = ["Feed", "Rates"]
'''


def run_cli(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def line_of(path: Path, needle: str) -> str:
    """``path:N`` of the first line of `path` containing `needle`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return f"{path}:{next(n for n, text in enumerate(lines, 1) if needle in text)}"


@pytest.fixture
def rates(fake_domain: object) -> Path:
    return fake_domain("rates", RATES_FLOWS) / "__init__.py"  # type: ignore[operator]


def test_the_progress_line_and_the_summary_say_where_the_task_failed(
    rates: Path, capsys: Capture, runs_folder: Path
) -> None:
    code, _, err = run_cli(capsys, "run", "rates.Rates")
    at = line_of(rates, "BUG: no such key")  # the innermost frame of the user's code
    assert code == 1
    assert f"  ✗ ExportRates KeyError: 'rates'  at {at}" in err.splitlines()
    run_id = err.splitlines()[0].split()[1].rstrip(":")
    assert err.splitlines()[-5:] == [
        f"FAILED  run {run_id} saved in {runs_folder / run_id}",
        "  Error: KeyError",
        "  Cause: 'rates'",
        f"  At:    {at}",
        f"  Traceback: flow-task runs {run_id} (or run again with FLOWTASKS_DEBUG=1)",
    ]

    # the saved run keeps the whole traceback, with the engine's frames left out
    history = json.loads((runs_folder / run_id / "history.json").read_text())
    (failed,) = [event for event in history if event["type"] == "TaskFailed"]
    origin = failed["flowtasks"]["origin"]
    assert origin["location"] == at
    assert origin["function"] == "_lookup"
    assert origin["traceback"].startswith("Traceback (most recent call last):\n")
    assert 'return {"rates": _lookup(event)}' in origin["traceback"]
    assert origin["traceback"].endswith("KeyError: 'rates'")
    assert "local/state_task.py" not in origin["traceback"]


def test_flow_task_runs_shows_a_saved_run_s_failures_with_their_tracebacks(
    rates: Path, capsys: Capture
) -> None:
    run_cli(capsys, "run", "rates.Rates")
    code, out, _ = run_cli(capsys, "runs", "latest")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("run ")
    assert lines[0].endswith("  FAILED  rates.Rates")
    assert "  Error: KeyError" in lines
    at = line_of(rates, "BUG: no such key")
    index = lines.index("failed attempts:")
    assert lines[index + 1 : index + 4] == [
        "  ExportRates (attempt 1): KeyError: 'rates'",
        f"    at {at}",
        "    Traceback (most recent call last):",
    ]
    assert lines[-1] == "    KeyError: 'rates'"

    code, out, _ = run_cli(capsys, "runs", "latest", "--json")
    (failure,) = json.loads(out)["failures"]
    assert failure["location"] == at
    assert failure["traceback"].endswith("KeyError: 'rates'")


def test_flowtasks_debug_prints_the_traceback_under_the_failure(
    rates: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWTASKS_DEBUG", "1")
    code, _, err = run_cli(capsys, "run", "rates.Rates")
    assert code == 1
    lines = err.splitlines()
    failed = next(i for i, line in enumerate(lines) if line.startswith("  ✗ ExportRates"))
    assert lines[failed + 1] == "      Traceback (most recent call last):"
    assert "      KeyError: 'rates'" in lines[failed + 2 :]


def test_a_library_s_error_points_at_the_user_s_line_that_called_it(
    rates: Path, capsys: Capture
) -> None:
    code, _, err = run_cli(capsys, "run", "rates.Feed")
    assert code == 1
    at = line_of(rates, "the library raises, here is our line")
    (line,) = [line for line in err.splitlines() if line.startswith("  ✗ ParseFeed")]
    assert line.startswith("  ✗ ParseFeed JSONDecodeError: Expecting property name")
    assert line.endswith(f"  at {at}")


def test_a_mocked_failure_has_no_location(rates: Path, capsys: Capture) -> None:
    mock = 'ExportRates={"Error": "Down", "Cause": "mocked"}'
    code, _, err = run_cli(capsys, "run", "rates.Rates", "--mock", mock)
    assert code == 1
    assert "  ✗ ExportRates Down: mocked" in err.splitlines()
    assert "  At:" not in err
    assert "Traceback" not in err


def test_flow_task_state_says_where_and_when_it_runs_on_the_default_input(
    rates: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("FLOWTASKS_INPUT", "FLOWTASKS_PARAM_RATES"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run_cli(capsys, "state", "rates.Rates", "ExportRates")
    assert code == 1
    assert err.splitlines()[0] == (
        "flow-task: no --input, --input-file, FLOWTASKS_INPUT or FLOWTASKS_PARAM_*: "
        "running the task on the input {}"
    )
    at = line_of(rates, "BUG: no such key")
    assert f"  At:    {at}  (FLOWTASKS_DEBUG=1 shows the traceback)" in err.splitlines()

    code, _, err = run_cli(capsys, "state", "rates.Rates", "ExportRates", "--input", "{}")
    assert "running the task on the input {}" not in err
    monkeypatch.setenv("FLOWTASKS_INPUT", '{"rates": [1]}')
    code, out, err = run_cli(capsys, "state", "rates.Rates", "ExportRates")
    assert (code, json.loads(out), err) == (0, {"rates": [1]}, "")


def test_location_skips_flowtasks_and_library_frames() -> None:
    def user_code() -> None:
        json.loads("{")  # the user's line

    with pytest.raises(ValueError) as caught:
        user_code()
    here = Path(__file__).relative_to(Path.cwd())
    assert location(caught.value) == f"{here}:{user_code.__code__.co_firstlineno + 1}"
    origin = origin_of(caught.value)
    assert origin is not None
    assert origin["function"] == "user_code"
    assert origin["traceback"].splitlines()[-1].startswith("json.decoder.JSONDecodeError")

    with pytest.raises(TypeError) as raised:  # flowtasks' and json's frames are skipped
        raise_through_flowtasks()
    line = raise_through_flowtasks.__code__.co_firstlineno + 3
    assert location(raised.value) == f"{here}:{line}"


def raise_through_flowtasks() -> None:
    from flowtasks.runner.execute import encode_result

    encode_result({1})  # encode_result -> json.dumps raises
