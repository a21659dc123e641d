"""A Fail state without Error or Cause leaves them absent, not empty, as AWS records it.

Sources (LocalStack snapshots recorded against AWS, ``tests/aws/services/stepfunctions/v2/``):

- ``base/test_base.py::test_state_fail_empty``: ``ExecutionFailed`` has
  ``executionFailedEventDetails: {}``, and DescribeExecution has no ``error``/``cause``;
- ``scenarios/test_base_scenarios.py::test_parallel_state_fail`` (Error only),
  ``::test_fail_error_jsonata`` (Error only), ``::test_fail_cause_jsonata`` and
  ``assign/test_assign_base.py::test_assign_in_choice[CONDITION_FALSE]`` (Cause only): only the
  given key is in the details;
- ``scenarios/test_base_scenarios.py::test_map_state_catch_empty_fail``: an error-less failure
  is matched by no named catcher ("Internal Error", "State.ALL"), and the whole history;
- ``callback/test_callback.py::test_sqs_failure_in_wait_for_task_tok_no_error_field
  [SQS_WAIT_FOR_TASK_TOKEN_CATCH]``: ``States.ALL`` catches an error-less failure, and the
  catcher's ResultPath receives ``{"Error": null, "Cause": null}``.
"""

from __future__ import annotations

from typing import Any

import pytest

from flowtasks.local import run


def failed_details(execution: Any) -> dict[str, Any]:
    [event] = [e for e in execution.history if e["type"] == "ExecutionFailed"]
    details: dict[str, Any] = event["executionFailedEventDetails"]
    return details


def test_a_fail_state_without_error_or_cause_fails_with_neither() -> None:
    # base/test_base.py::test_state_fail_empty
    execution = run({"StartAt": "FailState", "States": {"FailState": {"Type": "Fail"}}}, {})
    assert execution.status == "FAILED"
    assert execution.error is None
    assert execution.cause is None
    assert failed_details(execution) == {}
    assert [e["type"] for e in execution.history] == [
        "ExecutionStarted",
        "FailStateEntered",
        "ExecutionFailed",
    ]


@pytest.mark.parametrize(
    ("definition", "execution_input", "details"),
    [
        pytest.param(
            {
                "StartAt": "ParallelState",
                "States": {
                    "ParallelState": {
                        "Type": "Parallel",
                        "End": True,
                        "Branches": [
                            {
                                "StartAt": "Branch1",
                                "States": {"Branch1": {"Type": "Fail", "Error": "FailureType"}},
                            }
                        ],
                    }
                },
            },
            {},
            {"error": "FailureType"},
            id="test_parallel_state_fail",
        ),
        pytest.param(
            {
                "QueryLanguage": "JSONata",
                "StartAt": "FailState",
                "States": {"FailState": {"Type": "Fail", "Error": "{% $states.input.error %}"}},
            },
            {"error": "Exception"},
            {"error": "Exception"},
            id="test_fail_error_jsonata",
        ),
        pytest.param(
            {
                "QueryLanguage": "JSONata",
                "StartAt": "FailState",
                "States": {"FailState": {"Type": "Fail", "Cause": "{% $states.input.cause %}"}},
            },
            {"cause": "This failed to due an Exception."},
            {"cause": "This failed to due an Exception."},
            id="test_fail_cause_jsonata",
        ),
        pytest.param(
            {
                "QueryLanguage": "JSONata",
                "StartAt": "ChoiceState",
                "States": {
                    "ChoiceState": {
                        "Type": "Choice",
                        "Choices": [
                            {"Condition": "{% $states.input.condition %}", "Next": "ConditionTrue"}
                        ],
                        "Default": "DefaultState",
                    },
                    "ConditionTrue": {"Type": "Pass", "End": True},
                    "DefaultState": {"Type": "Fail", "Cause": "Condition is false"},
                },
            },
            {"condition": False},
            {"cause": "Condition is false"},
            id="test_assign_in_choice[CONDITION_FALSE]",
        ),
    ],
)
def test_only_the_given_error_or_cause_is_recorded(
    definition: dict[str, Any], execution_input: Any, details: dict[str, str]
) -> None:
    execution = run(definition, execution_input)
    assert failed_details(execution) == details
    assert execution.error == details.get("error")
    assert execution.cause == details.get("cause")


def test_an_error_less_failure_is_not_caught_by_named_catchers() -> None:
    # scenarios/test_base_scenarios.py::test_map_state_catch_empty_fail (its template, and the
    # whole recorded history: event types, their details and previous event ids).
    definition = {
        "StartAt": "StartState",
        "States": {
            "StartState": {
                "Type": "Pass",
                "Result": [1],
                "ResultPath": "$.arr",
                "Next": "MapState",
            },
            "MapState": {
                "Type": "Map",
                "ResultPath": None,
                "InputPath": "$.arr",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "HandleItemFail",
                    "States": {"HandleItemFail": {"Type": "Fail"}},
                },
                "Catch": [
                    {"ErrorEquals": ["Internal Error"], "Next": "CaughtInternalError"},
                    {"ErrorEquals": ["State.ALL"], "Next": "CaughtStatesALL"},
                ],
                "Next": "CaughtNone",
            },
            "CaughtInternalError": {"Type": "Pass", "End": True},
            "CaughtStatesALL": {"Type": "Pass", "End": True},
            "CaughtNone": {"Type": "Pass", "End": True},
        },
    }
    execution = run(definition, {})
    recorded = [
        (1, 0, "ExecutionStarted", None),
        (2, 0, "PassStateEntered", None),
        (3, 2, "PassStateExited", None),
        (4, 3, "MapStateEntered", None),
        (5, 4, "MapStateStarted", {"length": 1}),
        (6, 5, "MapIterationStarted", {"index": 0, "name": "MapState"}),
        (7, 6, "FailStateEntered", None),
        (8, 7, "MapIterationFailed", {"index": 0, "name": "MapState"}),
        (9, 7, "MapStateFailed", None),
        (10, 9, "ExecutionFailed", {}),
    ]
    got = []
    for event in execution.history:
        details = [v for k, v in event.items() if k.endswith("EventDetails")]
        shown = details[0] if details and event["type"] not in _ENTERED_OR_EXITED else None
        got.append((event["id"], event["previousEventId"], event["type"], shown))
    assert got == recorded
    assert (execution.error, execution.cause) == (None, None)


_ENTERED_OR_EXITED = {
    "ExecutionStarted",
    "PassStateEntered",
    "PassStateExited",
    "MapStateEntered",
    "FailStateEntered",
}


@pytest.mark.parametrize("container", ["Parallel", "Map"])
def test_states_all_catches_an_error_less_failure_as_nulls(container: str) -> None:
    # callback/test_callback.py::test_sqs_failure_in_wait_for_task_tok_no_error_field
    # [SQS_WAIT_FOR_TASK_TOKEN_CATCH]: the catcher's ResultPath gets {"Error": null, "Cause": null}.
    inner = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail"}}}
    state: dict[str, Any] = {"Type": container, "Next": "Done"}
    if container == "Parallel":
        state["Branches"] = [inner]
    else:
        state.update(ItemProcessor=inner, ItemsPath="$.items")
    state["Catch"] = [
        {"ErrorEquals": ["States.Runtime"], "ResultPath": "$.runtime", "Next": "Runtime"},
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.states_all_error", "Next": "All"},
    ]
    definition = {
        "StartAt": "S",
        "States": {
            "S": state,
            "Runtime": {"Type": "Pass", "End": True},
            "All": {"Type": "Pass", "End": True},
            "Done": {"Type": "Succeed"},
        },
    }
    execution = run(definition, {"items": [1], "Message": "m"})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {
        "items": [1],
        "Message": "m",
        "states_all_error": {"Error": None, "Cause": None},
    }
    assert [e["type"] for e in execution.history][-3:] == [
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_the_error_output_of_a_jsonata_catcher_has_nulls_too() -> None:
    # The same error output is $states.errorOutput in a JSONata Catch (workflow-variables.html).
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "Boom", "States": {"Boom": {"Type": "Fail"}}}],
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": "{% $states.errorOutput %}",
                        "Next": "Done",
                    }
                ],
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        },
    }
    assert run(definition, {}).output == {"Error": None, "Cause": None}
