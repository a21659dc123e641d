"""JSONata states and workflow variables.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html (Arguments, Output,
$states, Condition, the added functions $partition, $range, $hash, $uuid, $parse, $random,
States.QueryEvaluationError) and
https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html (Assign, scope).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flowtasks.errors import TaskError
from flowtasks.local import FakeClock, run

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def jsonata(states: dict[str, Any], start: str | None = None) -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states}


def test_pass_output_with_states_input_and_context() -> None:
    definition = jsonata(
        {
            "P": {
                "Type": "Pass",
                "Output": {
                    "sum": "{% $states.input.a + $states.input.b %}",
                    "state": "{% $states.context.State.Name %}",
                    "literal": "plain text",
                },
                "End": True,
            }
        }
    )
    assert run(definition, {"a": 1, "b": 2}).output == {
        "sum": 3,
        "state": "P",
        "literal": "plain text",
    }


def test_task_arguments_output_and_result() -> None:
    # transforming-data.html: Arguments is the task's input; Output defaults to
    # $states.result, and may use $states.input and $states.result.
    seen: list[Any] = []

    def handler(event: Any) -> Any:
        seen.append(event)
        return {"value": event["n"] * 10}

    definition = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Arguments": {"n": "{% $states.input.n %}"},
                "Output": {"in": "{% $states.input.n %}", "out": "{% $states.result.value %}"},
                "End": True,
            }
        }
    )
    assert run(definition, {"n": 4}, handlers={"T": handler}).output == {"in": 4, "out": 40}
    assert seen == [{"n": 4}]
    default = jsonata({"T": {"Type": "Task", "Resource": LAMBDA, "End": True}})
    assert run(default, {"n": 4}, handlers={"T": handler}).output == {"value": 40}


def test_assign_then_read_in_a_later_state() -> None:
    # workflow-variables.html: Assign stores variables; later states read them as $name;
    # Output and Assign of one state see the variables as they were before that state.
    definition = jsonata(
        {
            "First": {
                "Type": "Pass",
                "Assign": {"x": "{% $states.input.start %}", "label": "first"},
                "Next": "Second",
            },
            "Second": {
                "Type": "Pass",
                "Assign": {"x": "{% $x + 1 %}"},
                "Output": {"before": "{% $x %}", "label": "{% $label %}"},
                "Next": "Third",
            },
            "Third": {"Type": "Pass", "Output": "{% $x %}", "End": True},
        }
    )
    execution = run(definition, {"start": 10})
    assert execution.output == 11
    history = [e for e in execution.history if e["type"] == "PassStateExited"]
    assert history[1]["stateExitedEventDetails"]["output"] == '{"before":10,"label":"first"}'


def test_choice_condition_and_default() -> None:
    definition = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.n > 5 %}", "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {"Type": "Pass", "Output": "big", "End": True},
            "Small": {"Type": "Pass", "Output": "small", "End": True},
        }
    )
    assert run(definition, {"n": 6}).output == "big"
    assert run(definition, {"n": 1}).output == "small"


def test_map_items_item_selector_and_iteration_scope() -> None:
    # workflow-variables.html: an iteration reads outer variables; its assignments stay inside.
    definition = jsonata(
        {
            "Init": {"Type": "Pass", "Assign": {"factor": 3}, "Next": "M"},
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.values %}",
                "ItemSelector": {
                    "v": "{% $states.context.Map.Item.Value %}",
                    "i": "{% $states.context.Map.Item.Index %}",
                },
                "ItemProcessor": {
                    "StartAt": "Times",
                    "States": {
                        "Times": {
                            "Type": "Pass",
                            "Assign": {"inner": 100},
                            "Output": "{% $states.input.v * $factor + $states.input.i %}",
                            "End": True,
                        }
                    },
                },
                "Next": "After",
            },
            "After": {
                "Type": "Pass",
                "Output": {"r": "{% $states.input %}", "f": "{% $factor %}"},
                "End": True,
            },
        }
    )
    assert run(definition, {"values": [1, 2]}).output == {"r": [3, 7], "f": 3}


def test_parallel_arguments_and_output() -> None:
    definition = jsonata(
        {
            "P": {
                "Type": "Parallel",
                "Arguments": {"x": "{% $states.input.x %}"},
                "Branches": [
                    {
                        "StartAt": "A",
                        "States": {
                            "A": {"Type": "Pass", "Output": "{% $states.input.x %}", "End": True}
                        },
                    },
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
                ],
                "Output": "{% $states.result %}",
                "End": True,
            }
        }
    )
    assert run(definition, {"x": 5, "y": 0}).output == [5, {"x": 5}]


def test_catch_output_and_assign_get_error_output() -> None:
    def fail(_: Any) -> Any:
        raise TaskError("Boom", "bad")

    definition = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {"err": "{% $states.errorOutput.Error %}"},
                        "Output": {"cause": "{% $states.errorOutput.Cause %}"},
                        "Next": "After",
                    }
                ],
                "End": True,
            },
            "After": {
                "Type": "Pass",
                "Output": {"err": "{% $err %}", "in": "{% $states.input %}"},
                "End": True,
            },
        }
    )
    assert run(definition, handlers={"T": fail}).output == {"err": "Boom", "in": {"cause": "bad"}}


def test_wait_seconds_expression_and_fail_expressions() -> None:
    clock = FakeClock()
    definition = jsonata(
        {
            "W": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "F"},
            "F": {
                "Type": "Fail",
                "Error": "{% 'E.' & $states.input.kind %}",
                "Cause": "{% $string($states.input.delay) %}",
            },
        }
    )
    execution = run(definition, {"delay": 4, "kind": "Late"}, clock=clock)
    assert clock.sleeps == [4]
    assert (execution.error, execution.cause) == ("E.Late", "4")


def test_step_functions_jsonata_functions() -> None:
    definition = jsonata(
        {
            "P": {
                "Type": "Pass",
                "Output": {
                    "partition": "{% $partition([1, 2, 3, 4, 5], 2) %}",
                    "range": "{% $range(0, 10, 5) %}",
                    "hash": "{% $hash('input', 'SHA-256') %}",
                    "parse": """{% $parse('{"a": [1]}') %}""",
                    "uuid": "{% $length($uuid()) %}",
                },
                "End": True,
            }
        }
    )
    assert run(definition).output == {
        "partition": [[1, 2], [3, 4], [5]],
        "range": [0, 5, 10],
        "hash": hashlib.sha256(b"input").hexdigest(),
        "parse": {"a": [1]},
        "uuid": 36,
    }


def test_evaluation_error_is_query_evaluation_error() -> None:
    definition = jsonata({"P": {"Type": "Pass", "Output": "{% $notAFunction() %}", "End": True}})
    execution = run(definition)
    assert execution.error == "States.QueryEvaluationError"


def test_mixed_query_languages_per_state() -> None:
    # transforming-data.html: QueryLanguage may be set per state.
    definition = {
        "StartAt": "Path",
        "States": {
            "Path": {"Type": "Pass", "Parameters": {"v.$": "$.a"}, "Next": "Nata"},
            "Nata": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Output": "{% $states.input.v * 2 %}",
                "End": True,
            },
        },
    }
    assert run(definition, {"a": 21}).output == 42
