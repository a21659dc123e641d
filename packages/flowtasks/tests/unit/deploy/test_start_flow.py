"""Flows that start flows: StartFlow compiles to startExecution(.sync:2), and the local engine
runs the child from its compiled ASL as a child execution, shaped as AWS records it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowtasks.dsl import Flow, StartFlow, Succeed
from flowtasks.local import run
from flowtasks.registry import compiled_definition

EXTRA = """
Failing = Flow(
    "Failing",
    StartFlow("RunCheck", Check, catch=Catch(["States.TaskFailed"], Pass("Caught"),
                                             result_path="$.error")),
)
Nowhere = Flow("Nowhere", StartFlow("RunMissing", "other.Missing"))
__all__ = ["Check", "Greet", "Parent", "Failing", "Nowhere"]
"""


def test_start_flow_compiles_to_the_start_execution_integrations(ship: Any) -> None:
    states = compiled_definition("ship.Parent")["States"]
    assert states["RunGreet"]["Resource"] == "arn:aws:states:::states:startExecution.sync:2"
    assert states["RunGreet"]["Parameters"] == {
        "StateMachineArn": "${StartFlow_ship_Greet}",
        "Input": {"name.$": "$.name"},
    }
    assert states["TellCheck"]["Resource"] == "arn:aws:states:::states:startExecution"
    with pytest.raises(TypeError, match=r"flow must be a Flow or 'domain\.Flow'"):
        StartFlow("Bad", "NoDomain")
    assert Flow("F", StartFlow("S", "x.Y") >> Succeed("Done")).name == "F"


def test_the_engine_runs_child_flows_in_process_as_aws_records_them(ship: Any) -> None:
    execution = run(compiled_definition("ship.Parent"), {"name": "ada"}, skip_waits=True)
    assert execution.status == "SUCCEEDED", execution.cause
    waited = execution.output
    assert waited["Status"] == "SUCCEEDED"
    assert waited["Output"] == {"greeting": "hello ada"}  # parsed: .sync:2
    assert waited["Input"] == {"name": "ada"}
    assert isinstance(waited["StartDate"], int)
    assert waited["ExecutionArn"].startswith("arn:aws:states:")
    assert set(waited["told"]) == {"ExecutionArn", "StartDate"}  # fire and forget
    children = {c["flow"]: c for c in execution.children}
    assert set(children) == {"ship.Greet", "ship.Check"}
    assert children["ship.Greet"]["execution_arn"] == waited["ExecutionArn"]
    assert children["ship.Check"]["status"] == "SUCCEEDED"
    assert next(e["type"] for e in children["ship.Greet"]["history"]) == "ExecutionStarted"
    submitted = [e for e in execution.history if e["type"] == "TaskSubmitted"]
    assert [e["taskSubmittedEventDetails"]["resource"] for e in submitted] == [
        "startExecution.sync:2",
        "startExecution",
    ]


def test_a_failed_child_fails_the_state_with_states_task_failed(ship: Any) -> None:
    from pathlib import Path

    source = (Path(ship.package) / "__init__.py").read_text()
    ship.write(source.replace("__all__", "from flowtasks import Catch\n__all__", 1) + EXTRA)
    execution = run(compiled_definition("ship.Failing"), {"ok": False}, skip_waits=True)
    assert execution.status == "SUCCEEDED"
    error = execution.output["error"]
    assert error["Error"] == "States.TaskFailed"
    cause = json.loads(error["Cause"])
    assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "Check.Broken", "not ok")
    missing = run(compiled_definition("ship.Nowhere"), {}, skip_waits=True)
    assert missing.status == "FAILED"
    assert missing.error == "StepFunctions.StateMachineDoesNotExistException"
    assert "${StartFlow_other_Missing}" in str(missing.cause)


def test_a_handler_for_the_state_replaces_the_child(ship: Any) -> None:
    execution = run(
        compiled_definition("ship.Parent"),
        {"name": "ada"},
        handlers={"RunGreet": lambda _: {"Output": {"mocked": True}}, "TellCheck": lambda _: {}},
    )
    assert execution.output["Output"] == {"mocked": True}
    assert execution.children == []
