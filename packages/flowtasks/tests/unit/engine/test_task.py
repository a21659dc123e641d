"""The Task state: handlers, the JSON boundary, task errors, timeouts and heartbeats.

AWS pages: https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html (Task fields,
TimeoutSeconds, HeartbeatSeconds), https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
(States.Timeout for timeouts and missed heartbeats, States.DataLimitExceeded).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from flowtasks.errors import TaskError
from flowtasks.local import FakeClock, heartbeat, run

LAMBDA = "arn:aws:states:::lambda:invoke"


def task(**fields: Any) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, **fields}}}


def test_handler_by_state_name_and_by_resource() -> None:
    assert run(task(End=True), {"a": 1}, handlers={"T": lambda e: e["a"] + 1}).output == 2
    assert run(task(End=True), {"a": 1}, handlers={LAMBDA: lambda e: e["a"] + 2}).output == 3


def test_handler_gets_a_fresh_copy_of_its_input() -> None:
    def mutate(event: Any) -> Any:
        event["items"].append("x")
        return None

    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": LAMBDA, "ResultPath": None, "End": True},
        },
    }
    execution = run(definition, {"items": []}, handlers={"T": mutate})
    assert execution.output == {"items": []}


def test_task_without_handler_fails_clearly() -> None:
    execution = run(task(End=True))
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert "No handler for Task state 'T'" in (execution.cause or "")


def test_task_error_keeps_its_names() -> None:
    def fail(_: Any) -> Any:
        raise TaskError("Vendor.NotReady", "file not uploaded")

    execution = run(task(End=True), handlers={"T": fail})
    assert (execution.error, execution.cause) == ("Vendor.NotReady", "file not uploaded")
    failed = [e for e in execution.history if e["type"] == "TaskFailed"]
    assert failed[0]["taskFailedEventDetails"] == {
        "resourceType": "lambda",
        "resource": "invoke",
        "error": "Vendor.NotReady",
        "cause": "file not uploaded",
    }


def test_other_exception_gives_class_name_and_message() -> None:
    def fail(_: Any) -> Any:
        raise KeyError("missing")

    execution = run(task(End=True), handlers={"T": fail})
    assert (execution.error, execution.cause) == ("KeyError", "'missing'")


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (dt.datetime(2024, 1, 1), "TypeError"),
        ({1, 2}, "TypeError"),
        (b"bytes", "TypeError"),
        (math.nan, "TypeError"),
    ],
)
def test_result_that_json_cannot_carry_fails_the_task(value: Any, error: str) -> None:
    # The result crosses the JSON boundary (SendTaskSuccess takes JSON text): the serialiser's
    # failure is the task's failure, catchable like any task error.
    execution = run(task(End=True), handlers={"T": lambda _: {"v": value}})
    assert execution.status == "FAILED"
    assert execution.error == error
    definition = task(Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Ok"}], End=True)
    definition["States"]["Ok"] = {"Type": "Succeed"}
    caught = run(definition, handlers={"T": lambda _: {"v": value}})
    assert caught.status == "SUCCEEDED"


def test_result_over_256_kib_is_data_limit_exceeded() -> None:
    # LocalStack's AWS-recorded tests/aws/services/stepfunctions/v2/error_handling/
    # test_states_errors.py::test_service_task_lambada_data_limit_exceeded_on_large_utf8_response
    # and ..._catch_state_all_...: the oversized result of arn:aws:states:::lambda:invoke is a
    # TaskFailed (States.DataLimitExceeded, cause naming the resource type 'lambda') that a
    # catcher on ["States.DataLimitExceeded"] and one on ["States.ALL"] both catch (although
    # concepts-error-handling.html says States.ALL does not: the recorded runs show it does).
    big = "x" * 262_145
    cause = (
        "The state/task 'lambda' returned a result with a size exceeding the maximum number of "
        "bytes service limit."
    )
    for errors in (["States.DataLimitExceeded"], ["States.ALL"]):
        definition = task(Catch=[{"ErrorEquals": errors, "Next": "Ok"}], End=True)
        definition["States"]["Ok"] = {"Type": "Pass", "End": True}
        execution = run(definition, handlers={"T": lambda _: big})
        assert execution.status == "SUCCEEDED"
        assert execution.output == {"Error": "States.DataLimitExceeded", "Cause": cause}
        failed = [e for e in execution.history if e["type"] == "TaskFailed"]
        assert failed[0]["taskFailedEventDetails"]["error"] == "States.DataLimitExceeded"
    uncaught = run(task(End=True), handlers={"T": lambda _: big})
    assert (uncaught.status, uncaught.error, uncaught.cause) == (
        "FAILED",
        "States.DataLimitExceeded",
        cause,
    )


def test_legacy_lambda_result_over_256_kib_names_the_function() -> None:
    # test_states_errors.py::test_task_lambda_catch_state_all_data_limit_exceeded_... (AWS-
    # recorded): with a Lambda function ARN as Resource, LambdaFunctionFailed names the ARN.
    arn = "arn:aws:lambda:us-east-1:111111111111:function:big"
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": arn,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Ok"}],
                "End": True,
            },
            "Ok": {"Type": "Pass", "End": True},
        },
    }
    execution = run(definition, handlers={"T": lambda _: "x" * 262_145})
    assert execution.output["Cause"] == (
        f"The state/task '{arn}' returned a result with a size exceeding the maximum number of "
        "bytes service limit."
    )
    assert "LambdaFunctionFailed" in [e["type"] for e in execution.history]


def test_input_over_256_kib_after_parameters_is_data_limit_exceeded() -> None:
    # concepts-error-handling.html, States.DataLimitExceeded is reported when "the input to a
    # state is larger than the payload size quota, after Parameters processing"; a terminal
    # error that States.ALL does not catch. Here a 200 KB input is doubled by Parameters.
    definition = task(
        Parameters={"a.$": "$.x", "b.$": "$.x"},
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Ok"}],
        End=True,
    )
    definition["States"]["Ok"] = {"Type": "Succeed"}
    calls: list[Any] = []
    execution = run(definition, {"x": "y" * 200_000}, handlers={"T": calls.append})
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert calls == []
    assert "TaskScheduled" not in [e["type"] for e in execution.history]


def test_multibyte_payload_size_counts_utf8_bytes() -> None:
    # 256 KiB is measured in bytes: 70,000 three-byte characters (210,000 bytes) fit, 90,000
    # (270,000 bytes) do not, though both are under 262,144 characters.
    fits = run(task(End=True), handlers={"T": lambda _: "€" * 70_000})
    assert fits.status == "SUCCEEDED"
    too_big = run(task(End=True), handlers={"T": lambda _: "€" * 90_000})
    assert too_big.error == "States.DataLimitExceeded"


def test_timeout_seconds() -> None:
    # state-task.html: a task running longer than TimeoutSeconds fails with States.Timeout.
    clock = FakeClock()

    def slow(_: Any) -> Any:
        clock.sleep(11)
        return "late"

    execution = run(task(TimeoutSeconds=10, End=True), handlers={"T": slow}, clock=clock)
    assert execution.error == "States.Timeout"
    assert "TaskTimedOut" in [e["type"] for e in execution.history]


def test_timeout_seconds_path() -> None:
    clock = FakeClock()

    def slow(_: Any) -> Any:
        clock.sleep(6)
        return "late"

    definition = task(TimeoutSecondsPath="$.limit", End=True)
    execution = run(definition, {"limit": 5}, handlers={"T": slow}, clock=clock)
    assert execution.error == "States.Timeout"
    ok = run(definition, {"limit": 60}, handlers={"T": slow}, clock=clock)
    assert ok.output == "late"


def test_heartbeat_timeout_without_heartbeats() -> None:
    # state-task.html says a missed heartbeat is "a States.HeartbeatTimeout error name", but AWS
    # reports States.Timeout with no cause (LocalStack's AWS-recorded test_heartbeats.py::
    # test_heartbeat_timeout: TaskTimedOut and ExecutionFailed carry {"error": "States.Timeout"}).
    clock = FakeClock()

    def silent(_: Any) -> Any:
        clock.sleep(30)
        return 1

    def chatty(_: Any) -> Any:
        for _ in range(6):
            clock.sleep(5)
            heartbeat()
        return 2

    definition = task(HeartbeatSeconds=10, TimeoutSeconds=100, End=True)
    timed_out = run(definition, handlers={"T": silent}, clock=clock)
    assert (timed_out.error, timed_out.cause) == ("States.Timeout", None)
    [event] = [e for e in timed_out.history if e["type"] == "TaskTimedOut"]
    assert "cause" not in event["taskTimedOutEventDetails"]
    assert run(definition, handlers={"T": chatty}, clock=clock).output == 2


def test_task_events_in_order() -> None:
    # GetExecutionHistory for a Lambda task: TaskStateEntered, TaskScheduled, TaskStarted,
    # TaskSucceeded, TaskStateExited.
    execution = run(task(End=True), {"k": 1}, handlers={"T": lambda e: e})
    types = [e["type"] for e in execution.history]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = execution.history[2]["taskScheduledEventDetails"]
    assert scheduled["resourceType"] == "lambda"
    assert scheduled["parameters"] == '{"k":1}'


def test_context_object_task_token_and_state() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
    definition = task(
        Parameters={
            "token.$": "$$.Task.Token",
            "state.$": "$$.State.Name",
            "retry.$": "$$.State.RetryCount",
            "machine.$": "$$.StateMachine.Name",
            "execution.$": "$$.Execution.Name",
            "input.$": "$$.Execution.Input",
        },
        End=True,
    )
    execution = run(
        definition, {"a": 1}, handlers={"T": lambda e: e}, name="run-1", state_machine_name="SM"
    )
    output = execution.output
    assert isinstance(output["token"], str)
    assert output["token"]
    assert output["state"] == "T"
    assert output["retry"] == 0
    assert output["machine"] == "SM"
    assert output["execution"] == "run-1"
    assert output["input"] == {"a": 1}
    assert execution.execution_arn.endswith(":execution:SM:run-1")


def test_lambda_function_arn_records_lambda_function_events() -> None:
    # AWS-recorded history (LocalStack snapshot test_base_scenarios::test_retry_interval_features,
    # recorded against AWS): a Task whose Resource is a Lambda function ARN records
    # LambdaFunctionScheduled / LambdaFunctionStarted / LambdaFunctionFailed.
    function = "arn:aws:lambda:us-east-1:123456789012:function:work"

    def fail(_: Any) -> Any:
        raise TaskError("Exception", "Some exception was raised.")

    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": function,
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                "End": True,
            }
        },
    }
    execution = run(definition, {"k": 1}, handlers={"T": fail}, skip_waits=True)
    assert [e["type"] for e in execution.history] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionFailed",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionFailed",
        "ExecutionFailed",
    ]
    scheduled = execution.history[2]["lambdaFunctionScheduledEventDetails"]
    assert scheduled["resource"] == function
    assert scheduled["input"] == '{"k":1}'
    assert execution.history[4]["lambdaFunctionFailedEventDetails"] == {
        "error": "Exception",
        "cause": "Some exception was raised.",
    }
