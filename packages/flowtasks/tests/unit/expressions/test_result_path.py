"""ResultPath: where a state's result goes in its output.

Sources:
- AWS developer guide, "ResultPath" (https://docs.aws.amazon.com/step-functions/latest/dg/
  input-output-resultpath.html): default ``$`` replaces, ``$.taskresult`` includes,
  ``$.strings.lambdaresult`` inserts into a child, ``$.comment`` updates a node; ``null``
  discards the result (ASL spec, "ResultPath");
- ASL spec, "Using InputPath, Parameters, ResultSelector, ResultPath and OutputPath"
  (https://states-language.net/spec.html#filters): "$.master.detail" overwrites, and
  "$.master.result.sum" creates the intervening fields;
- failures as AWS reports them: ``States.ReferencePathConflict`` with
  'Unable to apply step "catalogBuilderOutput" to input ...' (cdklabs/construct-hub PR 459),
  and 'Unable to apply ReferencePath $.partitioned to input "..."' for an input that is not an
  object (aws/aws-cdk issue 29473).
"""

from __future__ import annotations

import copy

import pytest

from flowtasks.asl.states_errors import StatesFailure
from flowtasks.expressions.jsonpath import compile_result_path

DOC_INPUT = {
    "comment": "This is a test of the input and output of a Task state.",
    "details": "Default example",
    "who": "AWS Step Functions",
}
RESULT = "Hello, AWS Step Functions!"


def test_dollar_replaces_the_input_with_the_result() -> None:
    assert compile_result_path("$")(DOC_INPUT, RESULT) == RESULT


def test_null_discards_the_result() -> None:
    assert compile_result_path(None)(DOC_INPUT, RESULT) == DOC_INPUT


def test_include_result_with_input() -> None:
    output = compile_result_path("$.taskresult")(DOC_INPUT, RESULT)
    assert output == {**DOC_INPUT, "taskresult": RESULT}


def test_insert_result_into_a_child_node() -> None:
    state_input = {
        "comment": "An input comment.",
        "strings": {"string1": "foo", "string2": "bar", "string3": "baz"},
        "who": "AWS Step Functions",
    }
    output = compile_result_path("$.strings.lambdaresult")(state_input, RESULT)
    assert output == {
        "comment": "An input comment.",
        "strings": {
            "string1": "foo",
            "string2": "bar",
            "string3": "baz",
            "lambdaresult": RESULT,
        },
        "who": "AWS Step Functions",
    }


def test_update_an_existing_node() -> None:
    output = compile_result_path("$.comment")(DOC_INPUT, RESULT)
    assert output == {**DOC_INPUT, "comment": RESULT}


def test_spec_examples_overwrite_and_create_intervening_fields() -> None:
    raw = {"master": {"detail": [1, 2, 3]}}
    assert compile_result_path("$.master.detail")(raw, 6) == {"master": {"detail": 6}}
    assert compile_result_path("$.master.result.sum")(raw, 6) == {
        "master": {"detail": [1, 2, 3], "result": {"sum": 6}}
    }


def test_catch_result_path_keeps_the_input() -> None:
    error = {"Error": "Error here"}
    assert compile_result_path("$.error")({"foo": "bar"}, error) == {"foo": "bar", "error": error}


def test_bracket_notation_and_array_elements() -> None:
    assert compile_result_path("$['a b']['c']")({}, 1) == {"a b": {"c": 1}}
    assert compile_result_path("$.list[1].x")({"list": [{}, {}]}, 1) == {"list": [{}, {"x": 1}]}


def test_the_input_is_never_mutated_and_untouched_branches_are_shared() -> None:
    state_input = {"a": {"b": {"c": 1}}, "other": {"big": list(range(10))}}
    before = copy.deepcopy(state_input)
    output = compile_result_path("$.a.b.d")(state_input, 2)
    assert state_input == before
    assert output == {"a": {"b": {"c": 1, "d": 2}}, "other": {"big": list(range(10))}}
    assert output["other"] is state_input["other"]  # copied only along the path
    assert output["a"] is not state_input["a"]


def test_an_input_that_is_not_an_object_cannot_take_a_field() -> None:
    with pytest.raises(StatesFailure) as caught:
        compile_result_path("$.partitioned")('{"min_size":10000}', {"x": 1})
    assert caught.value.error == "States.ResultPathMatchFailure"
    assert caught.value.cause == (
        'Unable to apply ReferencePath $.partitioned to input "{\\"min_size\\":10000}"'
    )
    with pytest.raises(StatesFailure) as caught:
        compile_result_path("$.x")([1, 2], 1)
    assert caught.value.error == "States.ResultPathMatchFailure"
    assert caught.value.cause == "Unable to apply ReferencePath $.x to input [1,2]"


@pytest.mark.parametrize(
    ("path", "state_input", "step"),
    [
        ("$.a.b", {"a": "text"}, "b"),
        ("$.a.b", {"a": [1]}, "b"),
        ("$.a.b", {"a": None}, "b"),
        ("$.a.b.c", {"a": {"b": 5}}, "c"),
        ("$.a[3]", {"a": [1]}, "[3]"),
        ("$.a[0]", {"a": {"0": 1}}, "[0]"),
    ],
)
def test_a_step_through_a_non_object_fails(path: str, state_input: object, step: str) -> None:
    with pytest.raises(StatesFailure) as caught:
        compile_result_path(path)(state_input, "result")
    assert caught.value.error == "States.ReferencePathConflict"
    assert caught.value.cause.startswith(f'Unable to apply step "{step}" to input {{"a":')


@pytest.mark.parametrize("path", ["$$.Execution", "$.a[*]", "$..a", "$.a[?(@.b)]", "a"])
def test_only_reference_paths_on_the_input_are_accepted(path: str) -> None:
    with pytest.raises(ValueError, match=r"ResultPath|JSONPath"):
        compile_result_path(path)
