"""Runs of the LocalStack corpus files match what real AWS recorded for the same input.

Each ``expected/<file>.json`` holds, for one corpus file, what the LocalStack test suite
recorded against AWS (``.snapshot.json`` next to the test, named in its ``source``): the input,
the Task behaviour the test set up (its Lambda function), and the final status and output, and
where useful the sequence of history event types. Values that differ per execution were replaced
by LocalStack's snapshot transformers (ARNs, dates, uuids); `normalise` applies the same
replacements to the local run before comparing, and nothing else.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from corpus_presence import require_corpus
from corpus_responses import lambda_invoke
from corpus_scenarios import SCENARIOS, EngineLacksFeature, check_supported, load

from flowtasks.testing import FlowRun, TaskError, run_flow

require_corpus()

EXPECTED_DIR = Path(__file__).resolve().parent / "expected"
AWS_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
"""Timestamps in the context object, per LocalStack's AWS-validated test_execution_dateformat."""
ARN = "arn:aws:states:<region>:111111111111"
"""How the snapshots of test_query_context_object_values write the start of a states ARN."""
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

STACK_TRACE = [
    '  File "/var/task/handler.py", line 2, in handler\n'
    '    raise Exception("Some exception was raised.")\n'
]


def _lambda_exception(separators: tuple[str, str]) -> Callable[[Any], Any]:
    """LocalStack's raise_exception.py Lambda: its error JSON becomes the Cause. The
    lambda:invoke integration writes it compact; a Lambda function ARN as Resource writes it
    with spaces (as the recorded snapshots show)."""

    def handler(_: Any) -> Any:
        error = {
            "errorMessage": "Some exception was raised.",
            "errorType": "Exception",
            "requestId": str(uuid.uuid4()),
            "stackTrace": STACK_TRACE,
        }
        raise TaskError("Exception", json.dumps(error, separators=separators))

    return handler


DIVERGENCES: dict[tuple[str, str], str] = {}
"""Where the engine does not yet match AWS: (file, check) -> what differs."""

BEHAVIOURS: dict[str, Callable[[Any], Any]] = {
    "identity": lambda payload: payload,
    "lambda_invoke_identity": lambda request: lambda_invoke(request["Payload"]),
    "lambda_invoke_raise_exception": _lambda_exception((",", ":")),
    "lambda_raise_exception": _lambda_exception((", ", ": ")),
}


def _cases(check: str = "result") -> list[Any]:
    cases = []
    for path in sorted(EXPECTED_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        name = path.stem
        lacks = SCENARIOS[name].xfail
        reason = lacks or DIVERGENCES.get((name, check))
        raises = EngineLacksFeature if lacks else None
        for index, recorded in enumerate(data["runs"]):
            if check == "events" and "event_types" not in recorded:
                continue
            marks = [pytest.mark.xfail(strict=True, reason=reason, raises=raises)] if reason else []
            cases.append(pytest.param(name, index, marks=marks, id=f"{name}[{recorded['name']}]"))
    return cases


def expected(name: str, index: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXPECTED_DIR / f"{name}.json").read_text("utf-8"))
    run: dict[str, Any] = data["runs"][index]
    return run


def run_recorded(name: str, recorded: dict[str, Any]) -> FlowRun:
    mocks = {
        state: BEHAVIOURS[spec] if isinstance(spec, str) else spec["result"]
        for state, spec in recorded["tasks"].items()
    }
    definition = load(name, recorded.get("substitutions"))
    return run_flow(definition, recorded["input"], mocks=mocks, skip_waits=True)


def normalise(value: Any, run: FlowRun, how: str | None) -> Any:
    """Replace per-execution values the way LocalStack's snapshot transformers did."""
    if how == "context_object":
        return _context_placeholders(value, run)
    if how == "uuids":
        seen: dict[str, str] = {}

        def number(match: re.Match[str]) -> str:
            return seen.setdefault(match.group(0), f"<uuid:{len(seen) + 1}>")

        return _map_strings(value, lambda text: UUID.sub(number, text))
    return value


def _context_placeholders(value: Any, run: FlowRun) -> Any:
    execution = run.execution
    started = run.history[0].get("executionStartedEventDetails", {})
    machine_name = execution.state_machine_arn.rsplit(":", 1)[-1]
    exact = {
        execution.execution_arn: f"{ARN}:execution:<ArnPart_0idx>:<ExecArnPart_0idx>",
        execution.state_machine_arn: f"{ARN}:stateMachine:<ArnPart_0idx>",
        execution.name: "<ExecArnPart_0idx>",
        machine_name: "<ArnPart_0idx>",
        started.get("roleArn", ""): "snf_role_arn",
    }
    by_key = {
        "StartTime": "start-time",
        "execution_starttime": "start-time",
        "EnteredTime": "entered-time",
        "state_enteredtime": "entered-time",
    }

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if key in by_key and isinstance(node, str):
            assert AWS_DATE.match(node), f"{key} {node!r} is not formatted as AWS formats it"
            return by_key[key]
        if isinstance(node, str) and node in exact:
            return exact[node]
        return node

    return walk(value)


def _map_strings(node: Any, change: Callable[[str], str]) -> Any:
    if isinstance(node, dict):
        return {k: _map_strings(v, change) for k, v in node.items()}
    if isinstance(node, list):
        return [_map_strings(v, change) for v in node]
    return change(node) if isinstance(node, str) else node


def check_assigned_variables(run: FlowRun, state: str, variables: dict[str, Any]) -> None:
    """The variables `state` assigned, as its StateExited event records them (JSON text each).

    The snapshots show JSON objects decoded and every other value as its JSON text.
    """
    exits = [
        event["stateExitedEventDetails"]
        for event in run.history
        if event.get("stateExitedEventDetails", {}).get("name") == state
    ]
    assert exits, f"{state!r} never exited\n{run.describe()}"
    assigned = exits[0].get("assignedVariables", {})
    assert sorted(assigned) == sorted(variables)
    for key, value in variables.items():
        ours = normalise(json.loads(assigned[key]), run, "uuids")
        assert ours == (value if isinstance(value, dict) else json.loads(value)), key


@pytest.mark.parametrize(("name", "index"), _cases())
def test_matches_aws_recording(name: str, index: int) -> None:
    recorded = expected(name, index)
    run = run_recorded(name, recorded)
    how = recorded.get("normalize")
    check_supported(run)
    if "status" in recorded:
        assert run.status == recorded["status"], run.describe()
    if "output" in recorded:
        assert normalise(run.output, run, how) == recorded["output"], run.describe()
    if "error" in recorded:
        assert run.error == recorded["error"], run.describe()
    if "cause" in recorded:
        # numbered in order of appearance over the whole history, as the snapshot numbers them
        events = normalise(run.history, run, how)
        final = events[-1][next(key for key in events[-1] if key.endswith("EventDetails"))]
        assert json.loads(final["cause"]) == recorded["cause"], run.describe()
    for state, variables in recorded.get("assigned_variables", {}).items():
        check_assigned_variables(run, state, variables)
    for state in recorded.get("states", []):
        assert run.state_input(state["name"]) == state["input"]
        assert run.state_output(state["name"]) == state["output"]
        after = run.path[run.path.index(state["name"]) + 1]
        assert after == state["next"], run.describe()


@pytest.mark.parametrize(("name", "index"), _cases("events"))
def test_history_event_types_match_aws(name: str, index: int) -> None:
    recorded = expected(name, index)
    run = run_recorded(name, recorded)
    check_supported(run)
    assert run.event_types == recorded["event_types"]
