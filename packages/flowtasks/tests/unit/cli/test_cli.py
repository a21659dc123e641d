"""`flow-task` commands, run in-process through `flowtasks.cli.main` (exit codes in docs/cli.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowtasks.cli import main

Capture = pytest.CaptureFixture[str]


def run_cli(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- list / asl / validate / graph -------------------------------------------------------------


def test_list_prints_one_flow_a_line(shop: Path, capsys: Capture) -> None:
    assert run_cli(capsys, "list") == (0, "shop.Orders\nshop.Weird\n", "")


def test_list_json_adds_states_tasks_description_and_triggers(shop: Path, capsys: Capture) -> None:
    code, out, _ = run_cli(capsys, "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert rows[0] == {
        "name": "shop.Orders",
        "domain": "shop",
        "description": "Counts orders.",
        "states": ["Count", "Exploded", "Any", "Some", "None", "Empty"],
        "tasks": ["Count"],
        "triggers": [],
    }
    assert [row["name"] for row in rows] == ["shop.Orders", "shop.Weird"]


def test_asl_prints_the_canonical_compiled_definition(shop: Path, capsys: Capture) -> None:
    from flowtasks.asl.canonical import to_json
    from flowtasks.registry import compiled_definition

    code, out, err = run_cli(capsys, "asl", "shop.Orders")
    assert (code, err) == (0, "")
    assert out == to_json(compiled_definition("shop.Orders"))
    definition = json.loads(out)
    assert definition["StartAt"] == "Count"
    command = definition["States"]["Count"]["Parameters"]["Overrides"]["ContainerOverrides"][0]
    assert command["Command"] == ["flow-task", "state", "shop.Orders", "Count"]


def test_validate_all_flows_ok(shop: Path, capsys: Capture) -> None:
    code, out, err = run_cli(capsys, "validate")
    assert code == 0
    assert out == "ok      shop.Orders\nok      shop.Weird\n"
    assert err == "2 flows checked, 0 invalid\n"


BAD_DOMAIN = """
from flowtasks.dsl import Choice, Flow, Pass, Var
Good = Flow("Good", Pass("P"))
Bad = Flow("Bad", Pass("P") >> Choice("C").when(Var("$.x").is_present(True), "Nowhere"))
"""


def test_validate_lists_every_problem_and_exits_1(fake_domain: Any, capsys: Capture) -> None:
    fake_domain("mixed", BAD_DOMAIN)
    code, out, err = run_cli(capsys, "validate")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "invalid mixed.Bad"
    assert lines[1].startswith("  error: ")
    assert "Nowhere" in out
    assert "ok      mixed.Good" in lines
    assert err == "2 flows checked, 1 invalid\n"
    assert run_cli(capsys, "validate", "mixed.Good")[0] == 0


def test_validate_unknown_flow_is_a_usage_error(shop: Path, capsys: Capture) -> None:
    code, out, err = run_cli(capsys, "validate", "shop.Nope")
    assert (code, out) == (2, "")
    assert err.startswith("flow-task: error: unknown flow 'shop.Nope'.")
    assert err.count("\n") == 1


def test_graph_of_a_flow_in_both_formats(shop: Path, capsys: Capture) -> None:
    code, out, _ = run_cli(capsys, "graph", "shop.Orders")
    assert code == 0
    assert out.startswith("flowchart TD\n")
    assert 's_Any -->|"$.count #gt; 0"| s_Some' in out
    assert 's_Count -.->|"Shop.Exploded"| s_Exploded' in out
    code, out, _ = run_cli(capsys, "graph", "shop.Orders", "--format", "dot")
    assert code == 0
    assert 's_Any -> s_Some [label="$.count > 0"];' in out


def test_graph_of_an_asl_file(tmp_path: Path, capsys: Capture) -> None:
    path = tmp_path / "m.asl.json"
    path.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    code, out, _ = run_cli(capsys, "graph", "--asl", str(path))
    assert code == 0
    assert "_start --> s_A" in out


def test_graph_refuses_an_invalid_asl_file_like_run(tmp_path: Path, capsys: Capture) -> None:
    path = tmp_path / "bad.asl.json"
    path.write_text(
        json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}, "B": {}}})
    )
    code, out, err = run_cli(capsys, "graph", "--asl", str(path))
    assert (code, out) == (1, "")
    from flowtasks.asl.validate import validate_definition
    from flowtasks.errors import DefinitionError

    problems = validate_definition(json.loads(path.read_text()))
    assert len(problems) >= 2
    assert err.startswith(f"flow-task: error: the state machine definition in {path} is invalid")
    for problem in problems:
        assert f"  - {problem}" in err
    assert DefinitionError.exit_code == code
    run_code, _, run_err = run_cli(capsys, "run", "--asl", str(path))
    assert (run_code, run_err) == (code, err)


def test_graph_rejects_an_unknown_format(shop: Path, capsys: Capture) -> None:
    code, _, err = run_cli(capsys, "graph", "shop.Orders", "--format", "svg")
    assert code == 2
    assert "invalid choice: 'svg'" in err


def test_graph_needs_something_to_draw(capsys: Capture) -> None:
    code, _, err = run_cli(capsys, "graph")
    assert code == 2
    assert err == "flow-task: error: graph needs a FLOW, --asl PATH or --run RUN_ID\n"


# --- state -------------------------------------------------------------------------------------


def test_state_runs_one_task_and_prints_its_result(shop: Path, capsys: Capture) -> None:
    code, out, err = run_cli(
        capsys, "state", "shop.Orders", "Count", "--input", '{"items": [1, 2]}'
    )
    assert (code, err) == (0, "")
    assert json.loads(out) == {"items": [1, 2], "count": 2}


def test_state_reads_the_input_from_a_file_or_the_environment(
    shop: Path, tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "in.json"
    path.write_text('{"items": ["a"]}')
    code, out, _ = run_cli(capsys, "state", "shop.Orders", "Count", "--input-file", str(path))
    assert (code, json.loads(out)["count"]) == (0, 1)
    monkeypatch.setenv("FLOWTASKS_INPUT", '{"items": [1, 2, 3]}')
    code, out, _ = run_cli(capsys, "state", "shop.Orders", "Count")
    assert (code, json.loads(out)["count"]) == (0, 3)


def test_state_failure_prints_the_asl_error_and_cause(shop: Path, capsys: Capture) -> None:
    code, out, err = run_cli(capsys, "state", "shop.Orders", "Count", "--input", '{"explode": 1}')
    assert (code, out) == (1, "")
    source = (shop / "__init__.py").read_text().splitlines()
    line = next(n for n, text in enumerate(source, 1) if 'raise TaskError("Shop.Exploded"' in text)
    at = f"{shop / '__init__.py'}:{line}"  # where the task's own code raised
    assert err == (
        "flow-task: state shop.Orders Count failed\n"
        "  Error: Shop.Exploded\n"
        "  Cause: asked to explode\n"
        f"  At:    {at}  (FLOWTASKS_DEBUG=1 shows the traceback)\n"
    )
    code, _, err = run_cli(capsys, "state", "shop.Orders", "Count", "--input", '{"bad": 1}')
    assert code == 1
    assert "  Error: ValueError\n  Cause: bad input\n" in err


def test_state_result_that_json_cannot_carry_fails_like_in_aws(shop: Path, capsys: Capture) -> None:
    code, _, err = run_cli(capsys, "state", "shop.Weird", "Weird")
    assert code == 1
    assert "  Error: TypeError\n" in err
    assert "not JSON" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["state", "shop.Orders", "Nope"],
            "flow 'shop.Orders' has no state 'Nope'. States: Count.",
        ),
        (
            ["state", "shop.Orders", "count"],
            "flow 'shop.Orders' has no state 'count'. Did you mean 'Count'? States: Count.",
        ),
        (["state", "shop.Nope", "Count"], "unknown flow 'shop.Nope'."),
        (["state", "shop.Orders", "Count", "--input", "{nope"], "--input is not valid JSON"),
        (["state", "shop.Orders", "Count", "--input-file", "/no/such/file"], "cannot read"),
    ],
)
def test_state_usage_errors_are_one_line_and_exit_2(
    shop: Path, capsys: Capture, argv: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert (code, out) == (2, "")
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


# --- errors in general -------------------------------------------------------------------------


def test_no_command_and_unknown_command_exit_2(capsys: Capture) -> None:
    code, _, err = run_cli(capsys)
    assert code == 2
    assert "usage: flow-task" in err
    code, _, err = run_cli(capsys, "explode")
    assert code == 2
    assert "invalid choice: 'explode'" in err


def test_every_argument_and_option_has_a_help_text() -> None:
    import argparse

    from flowtasks.cli.parser import build_parser

    missing = []

    def visit(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if not action.help:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    visit(sub, f"{path} {name}")

    visit(build_parser(), "flow-task")
    assert missing == []


def test_help_exits_0(capsys: Capture) -> None:
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    for command in ("list", "asl", "validate", "graph", "state", "run", "runs", "new"):
        assert command in out


def test_a_broken_domain_is_one_line_not_a_traceback(fake_domain: Any, capsys: Capture) -> None:
    package = fake_domain("broken", "raise RuntimeError('oops at import')\n")
    code, out, err = run_cli(capsys, "list")
    assert (code, out) == (1, "")
    assert err == (
        "flow-task: error: domain 'broken' (fake_broken_flows) cannot be loaded: "
        f"RuntimeError: oops at import ({package / '__init__.py'}:1)\n"
    )


BROKEN = "import not_a_module_anywhere\n"


def test_list_and_validate_report_a_broken_domain_and_show_the_others(
    shop: Path, fake_domain: Any, capsys: Capture
) -> None:
    fake_domain("broken", BROKEN)
    code, out, err = run_cli(capsys, "list")
    assert (code, out) == (1, "shop.Orders\nshop.Weird\n")
    assert err.startswith("flow-task: error: domain 'broken' (fake_broken_flows) cannot be loaded")
    code, out, _ = run_cli(capsys, "list", "--json")
    assert code == 1
    assert [row["name"] for row in json.loads(out)] == ["shop.Orders", "shop.Weird"]

    code, out, err = run_cli(capsys, "validate")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "invalid domain broken"
    assert lines[1].startswith("  error: domain 'broken' (fake_broken_flows) cannot be loaded: ")
    assert "ModuleNotFoundError: No module named 'not_a_module_anywhere'" in lines[1]
    assert lines[2:] == ["ok      shop.Orders", "ok      shop.Weird"]
    assert err == "2 flows checked, 0 invalid, 1 domain not loaded\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["asl", "shop.Orders"],
        ["graph", "shop.Orders"],
        ["validate", "shop.Orders"],
        ["run", "shop.Orders", "--input", '{"items": [1]}'],
        ["state", "shop.Orders", "Count", "--input", '{"items": [1]}'],
        ["asl", "Orders"],  # a bare name still resolves among the domains that load
    ],
)
def test_a_broken_domain_does_not_block_the_others(
    shop: Path, fake_domain: Any, capsys: Capture, argv: list[str]
) -> None:
    fake_domain("broken", BROKEN)
    code, _, err = run_cli(capsys, *argv)
    assert code == 0, err
    assert "cannot be loaded" not in err


def test_a_flow_of_the_broken_domain_names_its_error(
    shop: Path, fake_domain: Any, capsys: Capture
) -> None:
    fake_domain("broken", BROKEN)
    code, out, err = run_cli(capsys, "run", "broken.Anything")
    assert (code, out) == (1, "")
    assert err.startswith("flow-task: error: domain 'broken' (fake_broken_flows) cannot be loaded")
    code, _, err = run_cli(capsys, "asl", "shop.Nope")
    assert code == 2
    assert "Known flows: shop.Orders, shop.Weird." in err
    assert "Domains that cannot be loaded: broken." in err


def test_flowtasks_debug_shows_the_traceback(
    fake_domain: Any, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_domain("broken", "raise RuntimeError('oops at import')\n")
    monkeypatch.setenv("FLOWTASKS_DEBUG", "1")
    from flowtasks.registry import DomainLoadError

    with pytest.raises(DomainLoadError):
        main(["list"])


def test_state_on_a_state_that_is_not_a_task(shop: Path, capsys: Capture) -> None:
    code, out, err = run_cli(capsys, "state", "shop.Orders", "Any")
    assert (code, out) == (2, "")
    assert err == (
        "flow-task: error: 'Any' is a Choice state, not a Task state; "
        "Task states of shop.Orders: Count.\n"
    )
    code, _, err = run_cli(capsys, "state", "shop.Orders", "Nope")
    assert code == 2
    assert "flow 'shop.Orders' has no state 'Nope'" in err


def test_state_with_malformed_input_in_the_environment(
    shop: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWTASKS_INPUT", "{not json")
    code, out, err = run_cli(capsys, "state", "shop.Orders", "Count")
    assert (code, out) == (2, "")
    assert err.startswith("flow-task: error: the task input in the environment is not valid JSON")
    assert "FLOWTASKS_INPUT: Expecting" in err  # names the variable


def test_state_names_the_malformed_parameter_without_echoing_its_value(
    shop: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLOWTASKS_INPUT", raising=False)
    monkeypatch.setenv("FLOWTASKS_PARAM_a", "1")
    monkeypatch.setenv("FLOWTASKS_PARAM_token", "s3cr3t-not-json")
    code, out, err = run_cli(capsys, "state", "shop.Orders", "Count")
    assert (code, out) == (2, "")
    assert "not valid JSON: FLOWTASKS_PARAM_token: Expecting value" in err
    assert "s3cr3t" not in err
