"""`flow-task run`, `runs` and `graph --run`: local runs on the engine, saved on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowtasks.cli import main
from flowtasks.runs import list_runs

Capture = pytest.CaptureFixture[str]


def run_cli(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_id_of(err: str) -> str:
    first = err.splitlines()[0]
    assert first.startswith(("run ", "redriving run "))
    return first.split()[-2].rstrip(":") if first.startswith("run ") else first.split()[2]


def write_asl(tmp_path: Path, definition: dict[str, Any], name: str = "machine") -> str:
    path = tmp_path / f"{name}.asl.json"
    path.write_text(json.dumps(definition))
    return str(path)


def test_run_a_flow_prints_output_progress_and_saves_the_run(
    shop: Path, capsys: Capture, runs_folder: Path
) -> None:
    code, out, err = run_cli(capsys, "run", "shop.Orders", "--input", '{"items": [1, 2]}')
    assert code == 0
    assert json.loads(out) == {"items": [1, 2], "count": 2}
    lines = err.splitlines()
    assert lines[0].startswith("run ")
    assert lines[0].endswith(": shop.Orders")
    assert "  ▸ Count" in lines
    assert any(line.startswith("  ✓ Count ") and line.endswith("s") for line in lines)
    assert "  ▸ Some" in lines
    assert lines[-1].startswith("SUCCEEDED  run ")
    run_id = run_id_of(err)
    saved = runs_folder / run_id
    meta = json.loads((saved / "meta.json").read_text())
    assert meta["flow"] == "shop.Orders"
    assert meta["status"] == "SUCCEEDED"
    assert json.loads((saved / "input.json").read_text()) == {"items": [1, 2]}
    assert json.loads((saved / "output.json").read_text()) == {"items": [1, 2], "count": 2}
    assert json.loads((saved / "history.json").read_text())[0]["type"] == "ExecutionStarted"
    assert json.loads((saved / "definition.asl.json").read_text())["StartAt"] == "Count"


def test_mock_replaces_a_task_result(shop: Path, capsys: Capture, runs_folder: Path) -> None:
    code, out, err = run_cli(
        capsys, "run", "shop.Orders", "--mock", 'Count={"count": 0, "mocked": true}'
    )
    assert code == 0
    assert json.loads(out) == {"count": 0, "mocked": True}
    history = json.loads((runs_folder / run_id_of(err) / "history.json").read_text())
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e
    ]
    assert entered == ["Count", "Any", "None", "Empty"]


def test_mocked_error_fails_the_state_and_graph_run_marks_outcomes(
    shop: Path, capsys: Capture, runs_folder: Path
) -> None:
    code, out, err = run_cli(
        capsys,
        "run",
        "shop.Orders",
        "--mock",
        'Count={"Error": "Shop.Exploded", "Cause": "mocked"}',
    )
    assert (code, out) == (1, "")
    assert "  ✗ Count Shop.Exploded: mocked" in err.splitlines()
    assert err.splitlines()[-2:] == [
        f"FAILED  run {run_id_of(err)} saved in {runs_folder / run_id_of(err)}",
        "  Error: Shop.Exploded",
    ]
    run_id = run_id_of(err)
    code, out, _ = run_cli(capsys, "graph", "shop.Orders", "--run", run_id)
    assert code == 0
    assert "    class s_Count caught" in out
    assert "    class s_Exploded failed" in out
    not_run = next(
        line for line in out.splitlines() if line.endswith(" not_run") and "class" in line
    )
    assert "s_Any" in not_run
    code, out, _ = run_cli(capsys, "graph", "--run", "latest", "--format", "dot")
    assert 's_Count [label="Count", fillcolor="#fff3cd"' in out
    code, _, err = run_cli(capsys, "graph", "shop.Weird", "--run", run_id)
    assert code == 2
    assert err == f"flow-task: error: run {run_id} is a run of shop.Orders, not of shop.Weird\n"


@pytest.mark.parametrize(
    ("mock", "message"),
    [
        ("Nope=1", "--mock: no Task state 'Nope'. Task states: Count"),
        ("Cont=1", "--mock: no Task state 'Cont'. Did you mean 'Count'? Task states: Count"),
        ("Any=1", "--mock: 'Any' is a Choice state, not a Task state; Task states: Count"),
        ("Count={bad", "--mock Count is not valid JSON"),
        ("Count", "--mock 'Count': expected STATE=JSON"),
    ],
)
def test_bad_mocks_are_usage_errors(shop: Path, capsys: Capture, mock: str, message: str) -> None:
    code, out, err = run_cli(capsys, "run", "shop.Orders", "--mock", mock)
    assert (code, out) == (2, "")
    assert message in err


def test_run_needs_exactly_one_source(shop: Path, capsys: Capture, tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "run")
    assert code == 2
    assert "run needs exactly one of FLOW, --asl PATH or --redrive RUN_ID" in err
    asl = write_asl(tmp_path, {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    assert run_cli(capsys, "run", "shop.Orders", "--asl", asl)[0] == 2


def test_run_any_asl_file_with_mocked_tasks(capsys: Capture, tmp_path: Path) -> None:
    asl = write_asl(
        tmp_path,
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:x",
                    "ResultPath": "$.r",
                    "End": True,
                }
            },
        },
    )
    code, out, _ = run_cli(
        capsys, "run", "--asl", asl, "--input", '{"a": 1}', "--mock", 'Call="hi"'
    )
    assert code == 0
    assert json.loads(out) == {"a": 1, "r": "hi"}
    code, out, _ = run_cli(capsys, "run", "--asl", asl, "--mock", "arn:aws:lambda:x=7")
    assert (code, json.loads(out)) == (0, {"r": 7})


def test_unmocked_foreign_tasks_are_all_listed_before_anything_runs(
    capsys: Capture, tmp_path: Path
) -> None:
    branch = {
        "StartAt": "Inner",
        "States": {"Inner": {"Type": "Task", "Resource": "y", "End": True}},
    }
    asl = write_asl(
        tmp_path,
        {
            "StartAt": "Call",
            "States": {
                "Call": {"Type": "Task", "Resource": "x", "Next": "Both"},
                "Both": {"Type": "Parallel", "Branches": [branch], "Next": "Save"},
                "Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                         "End": True},
            },
        },
    )  # fmt: skip
    code, out, err = run_cli(capsys, "run", "--asl", asl, "--mock", "Save={}")
    assert (code, out) == (2, "")
    # every one at once, with the arguments to add; the CLI's advice, not the API's (handlers=)
    assert err == (
        "flow-task: error: 2 Task states cannot run locally (not a flow's task) and have no "
        "--mock:\n"
        "  Call   x\n"
        "  Inner  y\n"
        "Give each its result, or a failure; for example add:\n"
        "  --mock 'Call={}' --mock 'Inner={}'\n"
        '  (or --mock \'Call={"Error": "Boom"}\' to fail it)\n'
    )
    assert not list(Path(tmp_path / "runs").glob("*"))  # no run was started or saved
    code, out, err = run_cli(
        capsys, "run", "--asl", asl, "--mock", "Call={}", "--mock", "y=1", "--mock", "Save={}"
    )
    assert code == 0, err


def test_a_mock_is_refused_before_anything_runs(capsys: Capture, tmp_path: Path) -> None:
    asl = write_asl(
        tmp_path,
        {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "x", "End": True}}},
    )
    code, out, err = run_cli(capsys, "run", "--asl", asl, "--mock", "call={}")
    assert (code, out) == (2, "")
    assert err == (
        "flow-task: error: --mock: no Task state 'call'. Did you mean 'Call'? Task states: Call\n"
    )
    assert not list(Path(tmp_path / "runs").glob("*"))  # no run was started or saved


def test_ctrl_c_during_a_run_aborts_it_exit_4(
    fake_domain: Any, capsys: Capture, runs_folder: Path
) -> None:
    # docs/cli.md: Ctrl-C during `run` stops the execution, saved as ABORTED (exit 4), not 130.
    fake_domain(
        "intr",
        """
        from typing import Any
        from flowtasks import Flow, task

        @task
        def wait_for_user(event: dict[str, Any]) -> dict[str, Any]:
            raise KeyboardInterrupt

        Stop = Flow("Stop", wait_for_user)
        """,
    )
    code, out, err = run_cli(capsys, "run", "intr.Stop")
    assert (code, out) == (4, "")
    assert "ABORTED  run " in err
    meta = json.loads(next(runs_folder.glob("*/meta.json")).read_text())
    assert meta["status"] == "ABORTED"


def test_ctrl_c_in_other_commands_exits_130(
    shop: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowtasks import registry

    def interrupted() -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(registry, "load_all", interrupted)
    code, out, err = run_cli(capsys, "list")
    assert (code, out, err) == (130, "", "flow-task: interrupted\n")


def test_progress_shows_a_runtime_failure_and_the_retry_delays(
    capsys: Capture, tmp_path: Path
) -> None:
    # Retry delays: IntervalSeconds x BackoffRate^n (https://states-language.net/spec.html#retrying-after-error);
    # a Choice whose Variable path selects nothing fails with States.Runtime
    # (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
    asl = write_asl(
        tmp_path,
        {
            "StartAt": "ListFiles",
            "States": {
                "ListFiles": {
                    "Type": "Task",
                    "Resource": "x",
                    "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "MaxAttempts": 2}],
                    "Next": "HasFiles",
                },
                "HasFiles": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.missing", "NumericGreaterThan": 0, "Next": "Y"}],
                    "Default": "Y",
                },
                "Y": {"Type": "Succeed"},
            },
        },
    )
    code, _, err = run_cli(
        capsys, "run", "--asl", asl, "--mock", 'ListFiles={"Error": "Busy"}', "--skip-waits"
    )
    assert code == 1
    lines = err.splitlines()
    assert lines[1:7] == [
        "  ▸ ListFiles",
        "  ✗ ListFiles Busy",
        "  ↻ ListFiles retrying, 2s wait skipped (retry 1 of 2)",
        "  ✗ ListFiles Busy",
        "  ↻ ListFiles retrying, 4s wait skipped (retry 2 of 2)",
        "  ✗ ListFiles Busy",
    ]
    code, _, err = run_cli(capsys, "run", "--asl", asl, "--mock", "ListFiles={}")
    assert code == 1
    lines = err.splitlines()
    assert lines[3] == "  ▸ HasFiles"
    assert lines[4].startswith("  ✗ HasFiles States.Runtime: ")
    assert "$.missing" in lines[4]


def test_invalid_asl_is_refused_with_every_problem(capsys: Capture, tmp_path: Path) -> None:
    asl = write_asl(tmp_path, {"StartAt": "Missing", "States": {"A": {"Type": "Pass"}}})
    code, out, err = run_cli(capsys, "run", "--asl", asl)
    assert (code, out) == (1, "")
    assert err.startswith("flow-task: error: ")
    assert "Missing" in err
    code, _, err = run_cli(capsys, "run", "--asl", str(tmp_path / "none.json"))
    assert code == 2
    assert "cannot read" in err


def test_a_timed_out_run_exits_3(capsys: Capture, tmp_path: Path) -> None:
    # TimeoutSeconds of the state machine: https://states-language.net/spec.html#toplevelfields
    asl = write_asl(
        tmp_path,
        {
            "TimeoutSeconds": 1,
            "StartAt": "W",
            "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}},
        },
    )
    code, out, err = run_cli(capsys, "run", "--asl", asl)
    assert (code, out) == (3, "")
    assert "TIMED_OUT  run " in err
    assert "Error: States.Timeout" in err


def test_redrive_resumes_a_failed_run_under_the_same_id(
    capsys: Capture, tmp_path: Path, runs_folder: Path
) -> None:
    asl = write_asl(
        tmp_path,
        {
            "StartAt": "First",
            "States": {
                "First": {
                    "Type": "Task",
                    "Resource": "a",
                    "ResultPath": "$.first",
                    "Next": "Second",
                },
                "Second": {"Type": "Task", "Resource": "b", "ResultPath": "$.second", "End": True},
            },
        },
    )
    code, _, err = run_cli(
        capsys, "run", "--asl", asl, "--mock", "First=1", "--mock", 'Second={"Error": "Flaky"}'
    )
    assert code == 1
    run_id = run_id_of(err)
    code, out, err = run_cli(capsys, "run", "--redrive", run_id, "--mock", "Second=2")
    assert code == 0
    assert json.loads(out) == {"first": 1, "second": 2}
    assert err.splitlines()[0].startswith(f"redriving run {run_id}")
    assert "▸ First" not in err  # what succeeded is not run again
    meta = json.loads((runs_folder / run_id / "meta.json").read_text())
    assert meta["status"] == "SUCCEEDED"
    assert meta["mocks"] == {"First": 1, "Second": 2}
    code, _, err = run_cli(capsys, "run", "--redrive", run_id)
    assert code == 2
    assert "succeeded; only a failed run can be redriven" in err
    assert run_cli(capsys, "run", "--redrive", "no-such-run")[0] == 2


def _failed_run(capsys: Capture, tmp_path: Path) -> str:
    asl = write_asl(
        tmp_path,
        {
            "StartAt": "First",
            "States": {
                "First": {"Type": "Task", "Resource": "a", "ResultPath": "$.a", "Next": "Second"},
                "Second": {"Type": "Task", "Resource": "b", "End": True},
            },
        },
    )
    code, _, err = run_cli(
        capsys, "run", "--asl", asl, "--mock", "First=1", "--mock", 'Second={"Error": "Flaky"}'
    )
    assert code == 1
    return run_id_of(err)


def _drop_name(data: dict[str, Any]) -> None:
    del data["name"]


def _history_not_a_list(data: dict[str, Any]) -> None:
    data["history"] = {"events": 3}


def _count_as_text(data: dict[str, Any]) -> None:
    data["redrive_count"] = "1"


def _resume_without_state(data: dict[str, Any]) -> None:
    data["redrive_data"]["resume"] = {"": {"input": {}}}


def _resume_unknown_state(data: dict[str, Any]) -> None:
    data["redrive_data"]["resume"] = {"": {"state": "Gone", "input": {}}}


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (_drop_name, "field 'name' is missing"),
        (_history_not_a_list, "field 'history' should be list, not dict"),
        (_count_as_text, "field 'redrive_count' should be int, not str"),
        (_resume_without_state, "resume[''] should be an object with a 'state' name"),
        (_resume_unknown_state, "resume[''] names 'Gone', not a state of the definition"),
    ],
)
def test_redrive_of_a_damaged_saved_run_is_a_usage_error_naming_file_and_field(
    capsys: Capture,
    tmp_path: Path,
    runs_folder: Path,
    damage: Any,
    expected: str,
) -> None:
    run_id = _failed_run(capsys, tmp_path)
    path = runs_folder / run_id / "execution.json"
    data = json.loads(path.read_text())
    damage(data)
    path.write_text(json.dumps(data))
    code, out, err = run_cli(capsys, "run", "--redrive", run_id, "--mock", "Second=2")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1, err  # one line, no traceback, no "internal error"
    assert err.startswith(f"flow-task: error: run {run_id!r}: {path} is damaged: ")
    assert expected in err


def test_redrive_of_a_saved_run_that_is_not_an_object(
    capsys: Capture, tmp_path: Path, runs_folder: Path
) -> None:
    run_id = _failed_run(capsys, tmp_path)
    (runs_folder / run_id / "execution.json").write_text("[1, 2]")
    code, _, err = run_cli(capsys, "run", "--redrive", run_id)
    assert code == 2
    assert "is damaged: expected a JSON object, got list" in err


def test_runs_lists_recent_runs(shop: Path, capsys: Capture) -> None:
    assert run_cli(capsys, "runs") == (0, "", "")
    run_cli(capsys, "run", "shop.Orders")
    code, out, _ = run_cli(capsys, "runs")
    assert code == 0
    assert out.split()[1:] == ["SUCCEEDED", "shop.Orders"]
    code, out, _ = run_cli(capsys, "runs", "--json")
    assert json.loads(out)[0]["flow"] == "shop.Orders"


@pytest.mark.parametrize("limit", ["-1", "x"])
def test_runs_limit_must_be_a_whole_number(shop: Path, capsys: Capture, limit: str) -> None:
    code, out, err = run_cli(capsys, "runs", "--limit", limit)
    assert (code, out) == (2, "")
    assert f"expected a whole number >= 0, not {limit!r}" in err


def test_a_large_map_shows_a_progress_bar_not_every_state(capsys: Capture, tmp_path: Path) -> None:
    asl = write_asl(
        tmp_path,
        {
            "StartAt": "Fan",
            "States": {
                "Fan": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "ItemProcessor": {
                        "StartAt": "One",
                        "States": {"One": {"Type": "Pass", "End": True}},
                    },
                    "End": True,
                }
            },
        },
    )
    items = json.dumps({"items": list(range(50))})
    code, out, err = run_cli(capsys, "run", "--asl", asl, "--input", items)
    assert code == 0
    assert json.loads(out) == list(range(50))
    lines = err.splitlines()
    assert "▸ One" not in err
    bars = [line for line in lines if line.startswith("  Fan [")]
    assert bars[-1] == "  Fan [" + "█" * 30 + "] 50/50"
    assert 2 <= len(bars) <= 12  # every 10 % without a TTY


def test_parallel_shows_its_branch_count(capsys: Capture, tmp_path: Path) -> None:
    branches = [{"StartAt": b, "States": {b: {"Type": "Pass", "End": True}}} for b in ("B", "C")]
    asl = write_asl(
        tmp_path,
        {
            "StartAt": "P",
            "States": {"P": {"Type": "Parallel", "Branches": branches, "End": True}},
        },
    )
    code, _, err = run_cli(capsys, "run", "--asl", asl)
    assert code == 0
    assert "  ▸ P (2 branches)" in err.splitlines()
    assert err.count("    ▸ B") == 1
    assert err.count("    ▸ C") == 1


@pytest.mark.parametrize(
    ("file_name", "label"),
    [
        ("samt--nodejs20.x-app.json", "samt--nodejs20.x-app"),
        ("order.asl.json", "order"),
        ("v1.2.yaml", "v1.2"),
        ("plain", "plain"),
    ],
)
def test_an_asl_file_s_run_keeps_its_whole_name(
    capsys: Capture, tmp_path: Path, runs_folder: Path, file_name: str, label: str
) -> None:
    path = tmp_path / file_name
    path.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    code, _, err = run_cli(capsys, "run", "--asl", str(path))
    assert code == 0, err
    assert f": {label}\n" in err  # the progress header: "run <id>: <label>"
    (saved,) = list_runs(directory=runs_folder)
    assert saved.meta["flow"] == label
    arn = saved.meta["execution_arn"]
    assert arn.split(":")[-2] == label  # the state machine's name in the execution ARN


def test_a_start_execution_task_needs_no_mock(capsys: Capture, tmp_path: Path) -> None:
    # the engine runs startExecution itself (a child execution), so it is not "foreign"
    start = {
        "Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:nope.Nope"},
        "End": True,
    }
    asl = write_asl(tmp_path, {"StartAt": "Start", "States": {"Start": start}})
    code, _, err = run_cli(capsys, "run", "--asl", asl)
    assert code == 1, err  # it ran, and failed as AWS would: no such state machine
    assert "StateMachineDoesNotExist" in err
