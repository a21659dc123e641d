"""Pass, Choice, Wait, Succeed, Fail and the I/O pipeline.

Expected values come from the ASL specification (https://states-language.net/spec.html) and the
AWS developer guide pages cited on each test.
"""

from __future__ import annotations

from typing import Any

import pytest

from flowtasks.asl.validate import validate_definition
from flowtasks.errors import DefinitionError
from flowtasks.local import FakeClock, run


def machine(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    return {"StartAt": start or next(iter(states)), "States": states, **top}


def test_pass_result_replaces_input_by_default() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html: Result is passed
    # as the output; ResultPath "$" (default) replaces the input.
    execution = run(machine({"P": {"Type": "Pass", "Result": {"x": 1}, "End": True}}), {"a": 1})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"x": 1}


def test_pass_without_result_passes_input_through() -> None:
    # state-pass.html: "If you don't specify Result, the Pass state passes its input to output."
    execution = run(machine({"P": {"Type": "Pass", "End": True}}), {"a": [1, 2]})
    assert execution.output == {"a": [1, 2]}


def test_io_pipeline_order() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html:
    # InputPath -> Parameters -> ResultSelector -> ResultPath -> OutputPath; ResultPath writes
    # into the *state input* (not the InputPath-filtered one).
    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "InputPath": "$.payload",
                "Parameters": {"value.$": "$.v", "fixed": "yes"},
                "ResultSelector": {"doubled.$": "$.double"},
                "ResultPath": "$.result",
                "OutputPath": "$.result",
                "End": True,
            }
        }
    )
    seen: list[Any] = []

    def handler(event: Any) -> Any:
        seen.append(event)
        return {"double": event["value"] * 2, "noise": True}

    execution = run(definition, {"payload": {"v": 21}, "other": 1}, handlers={"T": handler})
    assert seen == [{"value": 21, "fixed": "yes"}]
    assert execution.output == {"doubled": 42}


def test_result_path_null_discards_result() -> None:
    # concepts-input-output-filtering.html / spec "ResultPath": null discards the result and
    # passes the input through.
    definition = machine({"P": {"Type": "Pass", "Result": 5, "ResultPath": None, "End": True}})
    assert run(definition, {"keep": True}).output == {"keep": True}


def test_input_path_null_gives_empty_object() -> None:
    # spec "InputPath": a value of null means the input is discarded and the effective input is {}.
    definition = machine({"P": {"Type": "Pass", "InputPath": None, "End": True}})
    assert run(definition, {"dropped": 1}).output == {}


def test_output_path_null_gives_empty_object() -> None:
    # spec "OutputPath": null means the output is {}.
    definition = machine({"P": {"Type": "Pass", "OutputPath": None, "End": True}})
    assert run(definition, {"dropped": 1}).output == {}


def test_choice_default_and_no_match() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html: without a match
    # the Default is taken; without Default the state fails with States.NoChoiceMatched.
    choices = [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}]
    states: dict[str, dict[str, Any]] = {
        "C": {"Type": "Choice", "Choices": choices, "Default": "Small"},
        "Big": {"Type": "Pass", "Result": "big", "End": True},
        "Small": {"Type": "Pass", "Result": "small", "End": True},
    }
    assert run(machine(states), {"n": 11}).output == "big"
    assert run(machine(states), {"n": 1}).output == "small"
    del states["C"]["Default"]
    del states["Small"]
    failed = run(machine(states), {"n": 1})
    assert failed.status == "FAILED"
    assert failed.error == "States.NoChoiceMatched"


def test_choice_output_is_its_input() -> None:
    # state-choice.html: a Choice state passes its input through (InputPath/OutputPath apply).
    states = {
        "C": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "End"}],
        },
        "End": {"Type": "Succeed"},
    }
    assert run(machine(states), {"ok": True, "x": 1}).output == {"ok": True, "x": 1}


def test_wait_seconds_sleeps_on_the_clock() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html: Seconds.
    clock = FakeClock()
    execution = run(
        machine({"W": {"Type": "Wait", "Seconds": 7, "End": True}}), {"a": 1}, clock=clock
    )
    assert execution.output == {"a": 1}
    assert clock.sleeps == [7]


def test_wait_seconds_path_and_timestamp_path() -> None:
    # state-wait.html: SecondsPath / TimestampPath read the (effective) input.
    clock = FakeClock(start=1_700_000_000.0)  # 2023-11-14T22:13:20Z
    states = {
        "A": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "B"},
        "B": {"Type": "Wait", "TimestampPath": "$.until", "End": True},
    }
    run(machine(states), {"delay": 3, "until": "2023-11-14T22:13:33Z"}, clock=clock)
    assert clock.sleeps == [3, 10]


def test_wait_timestamp_in_the_past_does_not_wait() -> None:
    # state-wait.html: "a time in the past" -> the state does not wait.
    clock = FakeClock(start=1_700_000_000.0)
    states = {"W": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "End": True}}
    assert run(machine(states), clock=clock).status == "SUCCEEDED"
    assert clock.sleeps == []


def test_skip_waits_records_but_does_not_sleep() -> None:
    clock = FakeClock()
    execution = run(
        machine({"W": {"Type": "Wait", "Seconds": 3600, "End": True}}), skip_waits=True, clock=clock
    )
    types = [e["type"] for e in execution.history]
    assert "WaitStateEntered" in types
    assert "WaitStateExited" in types
    assert clock.sleeps == []


def test_fail_state_error_and_cause() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
    execution = run(machine({"F": {"Type": "Fail", "Error": "MyError", "Cause": "because"}}))
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "MyError", "because")
    assert [e["type"] for e in execution.history][-2:] == ["FailStateEntered", "ExecutionFailed"]


def test_fail_state_error_path_and_cause_path() -> None:
    # state-fail.html: ErrorPath / CausePath take a reference path or an intrinsic function.
    states = {
        "F": {
            "Type": "Fail",
            "ErrorPath": "$.err",
            "CausePath": "States.Format('item {} broke', $.id)",
        }
    }
    execution = run(machine(states), {"err": "Bad.Item", "id": 7})
    assert execution.error == "Bad.Item"
    assert execution.cause == "item 7 broke"


def test_succeed_state_applies_paths() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html
    states = {"S": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}}
    assert run(machine(states), {"a": {"b": 2}}).output == 2


def test_parameters_path_not_found_is_runtime_error() -> None:
    # Parameters selecting a missing path fails the execution with States.Runtime (AWS:
    # "The JSONPath ... could not be found in the input").
    states = {"P": {"Type": "Pass", "Parameters": {"x.$": "$.missing"}, "End": True}}
    execution = run(machine(states), {"a": 1})
    assert execution.error == "States.Runtime"
    assert execution.cause is not None
    assert execution.cause.startswith("An error occurred while executing the state 'P'")


def test_invalid_definition_raises_with_every_problem() -> None:
    with pytest.raises(DefinitionError) as info:
        run({"StartAt": "Missing", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}})
    assert len(info.value.problems) >= 2


def test_definition_as_json_text() -> None:
    text = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": true}}}'
    assert run(text).output == 1


def test_none_input_is_empty_object() -> None:
    assert run(machine({"P": {"Type": "Pass", "End": True}})).output == {}


@pytest.mark.parametrize(
    ("suffix", "ok"),
    [
        ("Z", True),
        (".000000Z", True),
        (".00Z", True),
        (".0000000Z", True),
        ("", False),
        (".000000", False),
        (".000", False),
    ],
)
def test_wait_timestamp_path_needs_a_time_zone(suffix: str, ok: bool) -> None:
    # LocalStack's AWS-recorded tests/aws/services/stepfunctions/v2/base/test_wait.py
    # ::test_wait_timestamppath (snapshot test_wait.snapshot.json): with Z the Wait succeeds
    # (any number of fractional digits); without it AWS fails with States.Runtime "The
    # TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time
    # format string: $.start_at == <timestamp>". state-wait.html: RFC3339 with an uppercase Z.
    stamp = f"2016-03-14T01:59:00{suffix}"
    states = {"State_1": {"Type": "Wait", "TimestampPath": "$.start_at", "End": True}}
    execution = run(machine(states), {"start_at": stamp}, clock=FakeClock(start=1_700_000_000.0))
    if ok:
        assert execution.status == "SUCCEEDED"
    else:
        assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
        assert execution.cause == (
            "An error occurred while executing the state 'State_1' (entered at the event id #2)."
            " The TimestampPath parameter does not reference a valid ISO-8601 extended offset"
            f" date-time format string: $.start_at == {stamp}"
        )


@pytest.mark.parametrize(
    "stamp",
    ["20260131T120000Z", "2026-01-31t12:00:00z", "2026-01-31T12:00Z", "2026-01-31 12:00:00Z"],
)
def test_the_engine_and_the_validator_share_one_timestamp_rule(stamp: str) -> None:
    # The two copies disagreed: the engine's Wait took ISO 8601's basic format (and more) that
    # the validator's Choice rules refused. AWS's rule decides: "a valid ISO-8601 *extended*
    # offset date-time" (the cause above), RFC 3339 with an uppercase T and Z (state-wait.html).
    states = {"State_1": {"Type": "Wait", "TimestampPath": "$.start_at", "End": True}}
    execution = run(machine(states), {"start_at": stamp}, clock=FakeClock())
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    problems = validate_definition(
        machine({"W": {"Type": "Wait", "Timestamp": stamp, "End": True}})
    )
    assert any("Timestamp" in problem.where for problem in problems)
