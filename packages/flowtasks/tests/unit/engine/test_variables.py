"""Workflow variables (``Assign``, ``$name``) in JSONPath states.

Expected values come from the AWS developer guide page "Passing data between states with
variables" (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html, cited
as VARIABLES) and from LocalStack's AWS-validated tests
(tests/aws/services/stepfunctions/v2/assign/, their templates in
tests/aws/services/stepfunctions/templates/assign/ and the recorded *.snapshot.json), cited by
test and template name.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowtasks.asl.validate import validate_definition
from flowtasks.errors import DefinitionError, TaskError
from flowtasks.local import Execution, redrive, run

VARIABLES = "https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:f"


def machine(states: dict[str, Any], start: str | None = None) -> dict[str, Any]:
    return {"StartAt": start or next(iter(states)), "States": states}


def assigned(execution: Execution) -> list[tuple[str, dict[str, Any]]]:
    """(state, {name: value}) of every StateExited event that records assignments."""
    found = []
    for event in execution.history:
        details = event.get("stateExitedEventDetails") or {}
        if "assignedVariables" in details:
            assert details["assignedVariablesDetails"] == {"truncated": False}
            values = {k: json.loads(v) for k, v in details["assignedVariables"].items()}
            found.append((details["name"], values))
    return found


def test_assign_from_result_and_read_in_a_later_state() -> None:
    # LocalStack test_assign_from_value[BASE_ASSIGN_FROM_RESULT]: "$" in a Pass state's Assign
    # is its Result; the output is unchanged by Assign. VARIABLES: "$name" reads a variable.
    definition = machine(
        {
            "State0": {
                "Type": "Pass",
                "Result": {"answer": 42},
                "Assign": {"theAnswer.$": "$.answer"},
                "Next": "State1",
            },
            "State1": {
                "Type": "Pass",
                "Parameters": {"value.$": "$theAnswer", "input.$": "$"},
                "End": True,
            },
        }
    )
    execution = run(definition, {})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {"value": 42, "input": {"answer": 42}}
    assert assigned(execution) == [("State0", {"theAnswer": 42})]


def test_assign_from_the_context_object() -> None:
    # LocalStack test_base_cases[BASE_PATHS] (recorded): "$$" assigns the context object
    # (Execution, StateMachine, State {Name, EnteredTime}); "$$.Execution.Id" its ARN.
    definition = machine(
        {
            "State0": {
                "Type": "Pass",
                "Assign": {"root.$": "$$", "id.$": "$$.Execution.Id"},
                "Next": "State1",
            },
            "State1": {
                "Type": "Pass",
                "Parameters": {"c.$": "$root"},
                "ResultPath": "$.r",
                "Next": "State2",
            },
            "State2": {"Type": "Pass", "ResultPath": "$.r.c.extra", "End": True},
        }
    )
    execution = run(definition, {"input_value": "v"}, name="exec-1")
    assert execution.status == "SUCCEEDED", execution.cause
    values = assigned(execution)[0][1]
    assert values["id"] == execution.execution_arn
    assert values["root"]["Execution"]["Id"] == execution.execution_arn
    assert values["root"]["State"] == {
        "Name": "State0",
        "EnteredTime": values["root"]["State"]["EnteredTime"],
    }
    assert execution.output["r"]["c"]["extra"]["input_value"] == "v"


def test_assign_from_parameters() -> None:
    # LocalStack test_assign_from_value[BASE_ASSIGN_FROM_PARAMETERS]: without Result, "$" is the
    # Parameters output; a later state's "$.input" reads its own input.
    definition = machine(
        {
            "State0": {
                "Type": "Pass",
                "Parameters": {"input": "PENDING"},
                "Assign": {"result.$": "$.input"},
                "Next": "State1",
            },
            "State1": {
                "Type": "Pass",
                "Assign": {"result": "SUCCESS", "originalResult.$": "$.input"},
                "End": True,
            },
        }
    )
    execution = run(definition, {})
    assert execution.output == {"input": "PENDING"}
    assert assigned(execution) == [
        ("State0", {"result": "PENDING"}),
        ("State1", {"result": "SUCCESS", "originalResult": "PENDING"}),
    ]


def test_values_without_dollar_suffix_are_literals() -> None:
    # LocalStack test_base_cases[BASE_CONSTANT_LITERALS] / [BASE_VAR]: strings that look like
    # paths, intrinsics or JSONata are kept as they are unless the key ends with ".$".
    literal = {
        "path": "$.no.such.path",
        "var": "$noSuchVar",
        "context": "$$.Execution.Id",
        "func": "States.Format('{}', $varname)",
        "jsonata": "{% $varname %}",
        "nested": {"in": ["$", {"constant": 0}]},
    }
    definition = machine({"P": {"Type": "Pass", "Assign": literal, "End": True}})
    execution = run(definition, {"a": 1})
    assert execution.output == {"a": 1}
    assert assigned(execution) == [("P", literal)]


def test_nested_dynamic_keys_and_intrinsics_in_assign() -> None:
    # LocalStack test_assign_from_value[BASE_ASSIGN_FROM_INTRINSIC_FUNCTION]: ".$" keys at any
    # depth take paths or intrinsic functions; the variable is the object built.
    definition = machine(
        {
            "P": {
                "Type": "Pass",
                "Assign": {
                    "ops": {
                        "sum.$": "States.MathAdd($.a, $.b)",
                        "text.$": "States.Format('{} and {}', $.a, $.b)",
                    }
                },
                "Next": "Q",
            },
            "Q": {"Type": "Pass", "OutputPath": "$ops", "End": True},
        }
    )
    execution = run(definition, {"a": 5, "b": 3})
    assert execution.output == {"sum": 8, "text": "5 and 3"}


def test_history_records_assigned_values_as_json_text() -> None:
    # LocalStack test_base_cases[BASE_PATHS] snapshot: stateExitedEventDetails.assignedVariables
    # maps each name to the JSON text of its value ("\"input_value_literal\"" for a string), with
    # assignedVariablesDetails {"truncated": false}; states without Assign have neither key.
    definition = machine(
        {
            "State0": {
                "Type": "Pass",
                "Assign": {"str_path.$": "$.input_value", "n": 0.1, "flag": True},
                "Next": "State1",
            },
            "State1": {"Type": "Pass", "End": True},
        }
    )
    execution = run(definition, {"input_value": "input_value_literal"})
    exits = [
        e["stateExitedEventDetails"] for e in execution.history if "stateExitedEventDetails" in e
    ]
    assert exits[0]["assignedVariables"] == {
        "str_path": '"input_value_literal"',
        "n": "0.1",
        "flag": "true",
    }
    assert "assignedVariables" not in exits[1]


def test_an_empty_assign_records_nothing() -> None:
    # LocalStack test_base_cases[BASE_EMPTY] (recorded): "Assign": {} leaves no
    # assignedVariables in the PassStateExited event, in either query language.
    for language in ("JSONPath", "JSONata"):
        definition = machine(
            {"State0": {"QueryLanguage": language, "Type": "Pass", "Assign": {}, "End": True}}
        )
        execution = run(definition, {"input_value": "input_value_literal"})
        assert execution.output == {"input_value": "input_value_literal"}
        assert assigned(execution) == []


def test_assign_sees_variables_as_they_were_when_the_state_was_entered() -> None:
    # VARIABLES, "Variable evaluation order": every value of Assign is evaluated before any is
    # set, so {"x": "$y", "y": "$x"} swaps them.
    definition = machine(
        {
            "Init": {"Type": "Pass", "Assign": {"x": 3, "y": 6}, "Next": "Swap"},
            "Swap": {"Type": "Pass", "Assign": {"x.$": "$y", "y.$": "$x"}, "Next": "Show"},
            "Show": {"Type": "Pass", "Parameters": {"x.$": "$x", "y.$": "$y"}, "End": True},
        }
    )
    assert run(definition).output == {"x": 6, "y": 3}


def test_output_path_reads_the_variables_from_before_the_assignment() -> None:
    # LocalStack test_state_assign_evaluation_order[BASE_EVALUATION_ORDER_PASS_STATE] (recorded):
    # InputPath and OutputPath "$answer" read 42 while the same state assigns "<omitted>".
    definition = machine(
        {
            "State0": {
                "Type": "Pass",
                "Result": {"theQuestion": "What is the answer?"},
                "Assign": {"question.$": "$.theQuestion", "answer": 42},
                "Next": "State1",
            },
            "State1": {
                "Type": "Pass",
                "InputPath": "$answer",
                "ResultPath": "$.theAnswer",
                "OutputPath": "$answer",
                "Assign": {"answer": "<omitted>"},
                "End": True,
            },
        }
    )
    execution = run(definition, {})
    assert execution.output == 42
    assert assigned(execution)[1] == ("State1", {"answer": "<omitted>"})


def test_task_assign_reads_the_raw_result_before_result_selector() -> None:
    # LocalStack (AWS-validated) ExecutionState evaluates Assign on the task's result before
    # ResultSelector and ResultPath; VARIABLES: Assign and the output are evaluated in parallel.
    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "ResultSelector": {"picked.$": "$.Payload.value"},
                "ResultPath": "$.result",
                "Assign": {"raw.$": "$.Payload", "status.$": "$.StatusCode"},
                "Next": "Show",
            },
            "Show": {
                "Type": "Pass",
                "Parameters": {"raw.$": "$raw", "s.$": "$status"},
                "End": True,
            },
        }
    )
    handler = {"T": lambda event: {"Payload": {"value": 7}, "StatusCode": 200}}
    execution = run(definition, {"in": 1}, handlers=handler)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {"raw": {"value": 7}, "s": 200}
    task_exit = next(e for e in execution.history if e["type"] == "TaskStateExited")
    output = json.loads(task_exit["stateExitedEventDetails"]["output"])
    assert output == {"in": 1, "result": {"picked": 7}}


def test_variables_feed_task_parameters_and_timeout_path() -> None:
    # LocalStack test_variables_in_lambda_task[BASE_ASSIGN_FROM_LAMBDA_TASK_RESULT]:
    # Parameters "Payload.$": "$inputData" and "TimeoutSecondsPath": "$timeout".
    definition = machine(
        {
            "Pass": {
                "Type": "Pass",
                "Assign": {"inputData": {"foo": "oof"}, "timeout": 300},
                "Next": "Task",
            },
            "Task": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "TimeoutSecondsPath": "$timeout",
                "Parameters": {"Payload.$": "$inputData", "FunctionName": "f"},
                "Assign": {"result.$": "$.Payload"},
                "OutputPath": "$.Payload",
                "End": True,
            },
        }
    )
    execution = run(definition, {}, handlers={"Task": lambda req: {"Payload": req["Payload"]}})
    assert execution.output == {"foo": "oof"}
    scheduled = next(e for e in execution.history if e["type"] == "TaskScheduled")
    assert scheduled["taskScheduledEventDetails"]["timeoutInSeconds"] == 300
    assert assigned(execution)[-1] == ("Task", {"result": {"foo": "oof"}})


@pytest.mark.parametrize(
    ("value", "status", "guess"),
    [(42, "CORRECT", None), ("42", "INCORRECT", "42"), (None, "UNKNOWN", None)],
)
def test_choice_rule_assign_or_state_assign_for_default(
    value: Any, status: str, guess: Any
) -> None:
    # LocalStack test_assign_in_choice_state (BASE_ASSIGN_IN_CHOICE; recorded for "42" and "0":
    # the Default is taken and the state's Assign applies, guess = the input value). VARIABLES:
    # the matched rule's Assign is used; the state-level Assign when no rule matches.
    definition = machine(
        {
            "CheckInputState": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Variable": "$.input_value",
                        "IsPresent": False,
                        "Assign": {"status": "UNKNOWN"},
                        "Next": "FinalState",
                    },
                    {
                        "Variable": "$.input_value",
                        "NumericEquals": 42,
                        "Assign": {"status": "CORRECT"},
                        "Next": "FinalState",
                    },
                ],
                "Assign": {"status": "INCORRECT", "guess.$": "$.input_value"},
                "Default": "FinalState",
            },
            "FinalState": {"Type": "Pass", "Parameters": {"result.$": "$status"}, "End": True},
        }
    )
    execution = run(definition, {} if value is None else {"input_value": value})
    assert execution.output == {"result": status}
    expected = {"status": status} if guess is None else {"status": status, "guess": guess}
    assert assigned(execution) == [("CheckInputState", expected)]


def test_choice_reads_variables_in_variable_and_path_operands() -> None:
    # LocalStack test_reference_assign[BASE_REFERENCE_IN_CHOICE] (recorded: WrongAnswer, then
    # CorrectAnswer once guess was re-assigned).
    definition = machine(
        {
            "Setup": {
                "Type": "Pass",
                "Assign": {"guess": "the_guess", "answer": "the_answer"},
                "Next": "CheckAnswer",
            },
            "CheckAnswer": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "Correct"}
                ],
                "Default": "Wrong",
            },
            "Correct": {"Type": "Pass", "Result": {"state": "CORRECT"}, "End": True},
            "Wrong": {
                "Type": "Pass",
                "Assign": {"guess.$": "$answer"},
                "Result": {"state": "WRONG"},
                "Next": "CheckAnswer",
            },
        }
    )
    execution = run(definition, {})
    assert execution.output == {"state": "CORRECT"}
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in execution.history
        if "stateEnteredEventDetails" in e
    ]
    assert entered == ["Setup", "CheckAnswer", "Wrong", "CheckAnswer", "Correct"]


def test_wait_assign_and_seconds_path_from_a_variable() -> None:
    # LocalStack test_assign_in_wait_state (recorded: WaitStateExited assigns foo = "oof").
    definition = machine(
        {
            "Init": {"Type": "Pass", "Assign": {"delay": 0}, "Next": "WaitState"},
            "WaitState": {
                "Type": "Wait",
                "SecondsPath": "$delay",
                "Assign": {"foo": "oof"},
                "End": True,
            },
        }
    )
    execution = run(definition, {}, skip_waits=True)
    assert execution.status == "SUCCEEDED", execution.cause
    assert assigned(execution)[-1] == ("WaitState", {"foo": "oof"})


def test_catch_assign_reads_the_error_output() -> None:
    # LocalStack test_assign_in_catch_state (recorded): the catcher's Assign sees the error
    # output {"Error", "Cause"} and is recorded on the TaskStateExited event; the state's own
    # Assign does not apply when the task failed.
    definition = machine(
        {
            "Task": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Assign": {"result": "SUCCESS"},
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {"result.$": "$", "error.$": "$.Error"},
                        "ResultPath": "$.caught",
                        "Next": "Fallback",
                    }
                ],
                "End": True,
            },
            "Fallback": {
                "Type": "Pass",
                "Parameters": {"r.$": "$result", "e.$": "$error"},
                "End": True,
            },
        }
    )

    def fail(_: Any) -> Any:
        raise TaskError("Boom", "it broke")

    execution = run(definition, {}, handlers={"Task": fail})
    error = {"Error": "Boom", "Cause": "it broke"}
    assert execution.output == {"r": error, "e": "Boom"}
    assert assigned(execution) == [("Task", {"result": error, "error": "Boom"})]


def test_map_iterations_read_outer_variables_and_keep_their_own() -> None:
    # LocalStack test_base_cases[BASE_SCOPE_MAP] (recorded: ItemsPath "$items", each iteration
    # assigns innerX = 42 from the outer x). VARIABLES, "Variable scope": inner assignments
    # are not visible outside.
    definition = machine(
        {
            "State0": {"Type": "Pass", "Assign": {"x": 42, "items": [1, 2, 3]}, "Next": "State1"},
            "State1": {
                "Type": "Map",
                "ItemsPath": "$items",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Inner",
                    "States": {
                        "Inner": {"Type": "Pass", "Assign": {"innerX.$": "$x"}, "End": True}
                    },
                },
                "Next": "State2",
            },
            "State2": {"Type": "Pass", "Assign": {"final.$": "$x"}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$innerX", "IsPresent": True, "Next": "Leaked"}],
                "Default": "Done",
            },
            "Leaked": {"Type": "Fail", "Error": "Leaked"},
            "Done": {"Type": "Succeed"},
        }
    )
    execution = run(definition, {"input_value": "v"})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == [1, 2, 3]
    assert assigned(execution)[1:4] == [("Inner", {"innerX": 42})] * 3


def test_map_item_selector_and_map_assign_from_its_result() -> None:
    # LocalStack test_reference_in_map_state[MAP_STATE_REFERENCE_IN_ITEM_SELECTOR]; a Map
    # state's Assign reads its result (the iterations' outputs).
    definition = machine(
        {
            "Start": {"Type": "Pass", "Assign": {"bucket": "test-name"}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemSelector": {
                    "bucketName.$": "$bucket",
                    "literal": "$bucket",
                    "value.$": "$$.Map.Item.Value",
                },
                "ItemProcessor": {
                    "StartAt": "H",
                    "States": {"H": {"Type": "Pass", "End": True}},
                },
                "Assign": {"count.$": "States.ArrayLength($)"},
                "Next": "Show",
            },
            "Show": {
                "Type": "Pass",
                "Parameters": {"n.$": "$count", "first.$": "$[0]"},
                "End": True,
            },
        }
    )
    execution = run(definition, [1, 2])
    assert execution.output == {
        "n": 2,
        "first": {"bucketName": "test-name", "literal": "$bucket", "value": 1},
    }


def test_parallel_branches_read_outer_variables() -> None:
    # LocalStack test_base_parallel_cases[BASE_SCOPE_PARALLEL] (recorded: each branch assigns
    # innerX = 42 from the outer x and value = its input {}).
    def branch(name: str) -> dict[str, Any]:
        assign = {"innerX.$": "$x", "value.$": "$"}
        return {"StartAt": name, "States": {name: {"Type": "Pass", "Assign": assign, "End": True}}}

    definition = machine(
        {
            "State0": {"Type": "Pass", "Assign": {"x": 42}, "Next": "State1"},
            "State1": {
                "Type": "Parallel",
                "Branches": [branch("Branch1"), branch("Branch21")],
                "End": True,
            },
        }
    )
    execution = run(definition, {})
    assert execution.output == [{}, {}]
    assert [values for _, values in assigned(execution)[1:]] == [{"innerX": 42, "value": {}}] * 2


def test_catch_assign_of_a_parallel_state_sets_an_outer_variable() -> None:
    # VARIABLES: a Catch on a Parallel or Map state assigns in the scope of that state.
    failing = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad", "Cause": "c"}}}
    definition = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [failing],
                "Catch": [
                    {"ErrorEquals": ["Bad"], "Assign": {"failed.$": "$.Error"}, "Next": "After"}
                ],
                "End": True,
            },
            "After": {"Type": "Pass", "OutputPath": "$failed", "End": True},
        }
    )
    assert run(definition).output == "Bad"


def test_inner_scope_cannot_assign_an_outer_variable() -> None:
    # VARIABLES, "Variable scope": a Parallel branch or Map iteration cannot assign a variable
    # of an outer scope (names are unique across nested scopes): the definition is refused.
    definition = machine(
        {
            "Init": {"Type": "Pass", "Assign": {"x": 1}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "I",
                    "States": {"I": {"Type": "Pass", "Assign": {"x.$": "$"}, "End": True}},
                },
                "End": True,
            },
        }
    )
    with pytest.raises(DefinitionError) as caught:
        run(definition, [1])
    assert "$x" in str(caught.value)
    assert "States.M > ItemProcessor > States.I > Assign" in str(caught.value)


def test_sibling_branches_may_assign_the_same_variable() -> None:
    # VARIABLES: variables of different branches / iterations are isolated from each other.
    # (State names, unlike variables, are unique across the whole machine: ASL spec "States".)
    branches = [
        {"StartAt": b, "States": {b: {"Type": "Pass", "Assign": {"v": 1}, "End": True}}}
        for b in ("B1", "B2")
    ]
    definition = machine({"P": {"Type": "Parallel", "Branches": branches, "End": True}})
    assert run(definition, {}).status == "SUCCEEDED"


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("states", "reserved"),
        ("x.y", "sub-path"),
        ("a" * 81, "80 characters"),
        ("x[0]", "sub-path"),
    ],
)
def test_invalid_variable_names_are_refused(key: str, fragment: str) -> None:
    # VARIABLES: $states is reserved; a name has at most 80 characters; Assign sets whole
    # variables ({"x.y": ...} and {"x[2]": ...} are invalid).
    definition = machine({"P": {"Type": "Pass", "Assign": {key: 1}, "End": True}})
    with pytest.raises(DefinitionError, match=fragment):
        run(definition)


def test_distributed_map_children_do_not_see_outer_variables() -> None:
    # VARIABLES: "Distributed Map states cannot reference variables in outer scopes"; the
    # Map state itself reads them (LocalStack test_reference_in_map_state
    # [MAP_STATE_REFERENCE_IN_TOLERATED_FAILURE_PATH], recorded: the string "1" is accepted).
    definition = machine(
        {
            "Start": {
                "Type": "Pass",
                "Assign": {"limit": "1", "x": 5},
                "Result": {"Values": [1, 2]},
                "Next": "M",
            },
            "M": {
                "Type": "Map",
                "ItemsPath": "$.Values",
                "ToleratedFailureCountPath": "$limit",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "H",
                    "States": {"H": {"Type": "Pass", "Parameters": {"x.$": "$x"}, "End": True}},
                },
                "End": True,
            },
        }
    )
    execution = run(definition, {})
    assert execution.status == "FAILED"
    assert execution.error == "States.ExceedToleratedFailureThreshold"
    types = [e["type"] for e in execution.history]
    assert types[3:8] == [
        "MapStateEntered",
        "MapStateStarted",
        "MapRunStarted",
        "MapRunFailed",
        "MapStateFailed",
    ]


def test_undefined_variable_fails_the_state() -> None:
    definition = machine({"P": {"Type": "Pass", "Parameters": {"v.$": "$nope"}, "End": True}})
    execution = run(definition, {})
    assert execution.error == "States.Runtime"
    assert "$nope" in (execution.cause or "")


def test_a_variable_over_256_kib_fails_the_state() -> None:
    # VARIABLES, limits: 256 KiB for one variable and for one Assign. (The page does not name
    # the error; the engine uses States.DataLimitExceeded, as for payloads.)
    big = "x" * 150_000
    two = machine({"P": {"Type": "Pass", "Assign": {"a.$": "$.big", "b.$": "$.big"}, "End": True}})
    execution = run(two, {"big": big})
    assert execution.error == "States.DataLimitExceeded"
    assert "values assigned by state 'P'" in (execution.cause or "")
    one = machine({"P": {"Type": "Pass", "Assign": {"a.$": "$.big"}, "End": True}})
    assert run(one, {"big": big}).status == "SUCCEEDED"
    doubled = machine(
        {
            "P": {
                "Type": "Pass",
                "Parameters": {"a.$": "$.big", "b.$": "$.big"},
                "Assign": {"v.$": "$"},
                "End": True,
            }
        }
    )
    execution = run(doubled, {"big": big})
    assert execution.error == "States.DataLimitExceeded"
    assert "The variable $v assigned by state 'P'" in (execution.cause or "")


def test_variables_stored_are_limited_to_10_mib() -> None:
    # VARIABLES, limits: at most 10 MiB of variables stored; 42 variables of 250,002 bytes
    # pass it with the 42nd.
    count = 42
    states = {
        f"P{i}": {
            "Type": "Pass",
            "Assign": {f"v{i}.$": "$.big"},
            **({"Next": f"P{i + 1}"} if i < count - 1 else {"End": True}),
        }
        for i in range(count)
    }
    execution = run(machine(states), {"big": "x" * 250_000})
    assert execution.error == "States.DataLimitExceeded"
    assert "After state 'P41'" in (execution.cause or "")


def test_redrive_restores_the_variables_of_the_failed_scope() -> None:
    # redrive-executions.html: the execution continues from the failed state; the variables
    # set before it are still there.
    definition = machine(
        {
            "Init": {"Type": "Pass", "Assign": {"x": "kept"}, "Next": "T"},
            "T": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"x.$": "$x"}, "End": True},
        }
    )
    broken = {"fixed": False}

    def handler(event: Any) -> Any:
        if not broken["fixed"]:
            raise TaskError("Flaky", "")
        return event

    failed = run(definition, {}, handlers={"T": handler})
    assert failed.status == "FAILED"
    broken["fixed"] = True
    saved = Execution.from_dict(json.loads(json.dumps(failed.to_dict())))
    again = redrive(saved, handlers={"T": handler})
    assert again.status == "SUCCEEDED", again.cause
    assert again.output == {"x": "kept"}


def test_jsonata_assignments_are_recorded_in_the_history() -> None:
    # VARIABLES (JSONata states): Assign, recorded as in JSONPath states
    # (LocalStack test_assign_in_catch_state snapshot shows a JSONata state's assignedVariables).
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Assign": {"n": "{% 1 + 1 %}"}, "End": True}},
    }
    assert assigned(run(definition)) == [("P", {"n": 2})]


def test_jsonpath_state_reads_a_variable_assigned_by_a_jsonata_state() -> None:
    # LocalStack test_mixed_query_language: variables cross query languages.
    definition = machine(
        {
            "A": {
                "QueryLanguage": "JSONata",
                "Type": "Pass",
                "Assign": {"answer": 42},
                "Next": "B",
            },
            "B": {"Type": "Pass", "Parameters": {"a.$": "$answer"}, "End": True},
        }
    )
    assert run(definition).output == {"a": 42}


def test_fail_error_and_cause_paths_read_variables() -> None:
    # LocalStack test_reference_assign[BASE_REFERENCE_IN_FAIL]: ErrorPath "$errorVar",
    # CausePath "$causeVar".
    definition = machine(
        {
            "Pass": {
                "Type": "Pass",
                "Assign": {"errorVar": "Exception", "causeVar": "An Exception was encountered"},
                "Next": "Fail",
            },
            "Fail": {"Type": "Fail", "CausePath": "$causeVar", "ErrorPath": "$errorVar"},
        }
    )
    execution = run(definition, {})
    assert (execution.error, execution.cause) == ("Exception", "An Exception was encountered")


def test_intrinsic_in_item_selector_and_max_concurrency_path_read_variables() -> None:
    # LocalStack test_reference_in_map_state[MAP_STATE_REFERENCE_IN_INTRINSIC_FUNCTION] and
    # [..._MAX_CONCURRENCY_PATH] (recorded outputs; "1" as a string is accepted).
    definition = machine(
        {
            "Start": {
                "Type": "Pass",
                "Assign": {"AnswerTemplate": "It's {}!", "Question": "Who?", "limit": "1"},
                "Result": ["Charizard", "Pikachu"],
                "Next": "M",
            },
            "M": {
                "Type": "Map",
                "MaxConcurrencyPath": "$limit",
                "ItemSelector": {
                    "AnnouncePokemon.$": "States.Format($AnswerTemplate, $$.Map.Item.Value)"
                },
                "ItemProcessor": {
                    "StartAt": "Pass",
                    "States": {
                        "Pass": {
                            "Type": "Pass",
                            "Parameters": {
                                "Question.$": "$Question",
                                "Answer.$": "$.AnnouncePokemon",
                            },
                            "End": True,
                        }
                    },
                },
                "End": True,
            },
        }
    )
    assert run(definition, {}).output == [
        {"Question": "Who?", "Answer": "It's Charizard!"},
        {"Question": "Who?", "Answer": "It's Pikachu!"},
    ]


def test_the_validator_judges_variable_names_as_run_does() -> None:
    # The two copies disagreed: validate_definition accepted Assign {"x.y": 1}, which run()
    # refused. Now the validator is the one judge, and run() reports its problem.
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Assign": {"x.y": 1}, "End": True}},
    }
    (problem,) = validate_definition(definition)
    assert problem.where == "definition > States.P > Assign"
    assert "x.y" in problem.message
    with pytest.raises(DefinitionError) as caught:
        run(definition)
    assert caught.value.problems == (problem,)
