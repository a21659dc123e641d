"""Predefined error names raised by the engine itself, as "Error handling in Step Functions"
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html) lists them.
"""

from __future__ import annotations

import re
from typing import Any

from flowtasks.local import FakeClock, run
from flowtasks.local.clock import Clock, RealClock

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def caught(state: dict[str, Any], error: str) -> dict[str, Any]:
    """`state` with a Catch for `error` leading to a Succeed state."""
    catch = [{"ErrorEquals": [error], "ResultPath": "$.caught", "Next": "Done"}]
    return {
        "StartAt": "S",
        "States": {"S": {**state, "Catch": catch, "End": True}, "Done": {"Type": "Succeed"}},
    }


def test_result_path_match_failure_is_catchable() -> None:
    # "States.ResultPathMatchFailure: ... a state's ResultPath field cannot be applied to the
    # input the state received" (here: the input is a string, not an object).
    task = {"Type": "Task", "Resource": LAMBDA, "ResultPath": "$.r"}
    definition = {"StartAt": "S", "States": {"S": {**task, "End": True}}}
    uncaught = run(definition, "text", handlers={"S": lambda e: 1})
    assert uncaught.error == "States.ResultPathMatchFailure"
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]
    definition = {
        "StartAt": "S",
        "States": {"S": {**task, "Catch": catch, "End": True}, "Done": {"Type": "Succeed"}},
    }
    execution = run(definition, "text", handlers={"S": lambda e: 1})
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "States.ResultPathMatchFailure"


def test_intrinsic_failure_is_catchable() -> None:
    # "States.IntrinsicFailure: ... an intrinsic function ... failed."
    state = {
        "Type": "Task",
        "Resource": LAMBDA,
        "Parameters": {"x.$": "States.ArrayGetItem($.list, 5)"},
    }
    execution = run(caught(state, "States.IntrinsicFailure"), {"list": [1]}, handlers={"S": str})
    assert execution.status == "SUCCEEDED"
    assert execution.output["caught"]["Error"] == "States.IntrinsicFailure"


def test_heartbeat_seconds_path() -> None:
    clock = FakeClock()

    def silent(_: Any) -> Any:
        clock.sleep(20)
        return 1

    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "HeartbeatSecondsPath": "$.beat",
                "End": True,
            }
        },
    }
    execution = run(definition, {"beat": 5}, handlers={"T": silent}, clock=clock)
    # as recorded against AWS: LocalStack's test_heartbeats.py::test_heartbeat_path_timeout
    assert (execution.error, execution.cause) == ("States.Timeout", None)


def test_execution_input_over_256_kib() -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    execution = run(definition, {"big": "x" * 262_144})
    assert execution.error == "States.DataLimitExceeded"


def test_state_output_over_256_kib_is_not_caught_by_states_all() -> None:
    # 200 KB of input + a 100 KB result at ResultPath: the state output passes 256 KiB.
    state = {"Type": "Task", "Resource": LAMBDA, "ResultPath": "$.result"}
    execution = run(
        caught(state, "States.ALL"),
        {"input": "x" * 200_000},
        handlers={"S": lambda _: "y" * 100_000},
    )
    assert execution.status == "FAILED"
    assert execution.error == "States.DataLimitExceeded"


def test_interrupted_run_is_aborted() -> None:
    def interrupt(_: Any) -> Any:
        raise KeyboardInterrupt

    definition = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}},
    }
    execution = run(definition, handlers={"T": interrupt})
    assert execution.status == "ABORTED"
    assert execution.history[-1]["type"] == "ExecutionAborted"


def test_context_start_time_format() -> None:
    # input-output-contextobject.html: "StartTime": "2019-03-26T20:14:13.192Z"
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Parameters": {
                    "start.$": "$$.Execution.StartTime",
                    "entered.$": "$$.State.EnteredTime",
                },
                "End": True,
            }
        },
    }
    output = run(definition, clock=FakeClock(start=1_553_631_253.192)).output
    assert output["start"] == "2019-03-26T20:14:13.192Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", output["entered"])


def test_clocks() -> None:
    fake = FakeClock(start=100.0)
    fake.sleep(2.5)
    fake.advance(1)
    assert fake.now() == 103.5
    assert fake.sleeps == [2.5]
    assert isinstance(fake, Clock)
    assert isinstance(RealClock(), Clock)


def test_pass_result_over_256_kib_fails_the_execution() -> None:
    # LocalStack's AWS-recorded test_states_errors.py::test_start_large_input: a Pass whose
    # Result passes 256 KiB fails the execution right after PassStateEntered.
    definition = {
        "StartAt": "State_1",
        "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "a" * 257 * 1024}, "End": True}},
    }
    execution = run(definition, {})
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert execution.cause == (
        "The state/task 'State_1' returned a result with a size exceeding the maximum number of "
        "bytes service limit."
    )
    assert [e["type"] for e in execution.history] == [
        "ExecutionStarted",
        "PassStateEntered",
        "ExecutionFailed",
    ]
