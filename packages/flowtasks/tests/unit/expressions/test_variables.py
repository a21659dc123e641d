"""Workflow variables in JSONPath expressions (``$name``), and path whitespace.

Sources:
- AWS developer guide, "Passing data between states with variables"
  (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html): in JSONPath
  states a variable is referenced as ``$variableName`` (fields too: ``$variableName.field``),
  in Parameters, intrinsic function arguments and Choice rules;
- Jayway JsonPath, which Step Functions uses, trims the path text: the public sample
  aws-samples/step-functions-workflows-collection "app-decompose-for-parallelism" deploys on AWS
  with the value ``"$$.Execution.Name "`` (trailing space).
"""

from __future__ import annotations

import pytest

from flowtasks.expressions.intrinsic_parser import compile_intrinsic
from flowtasks.expressions.jsonpath import ContextObject, PathNotFound, check_path, compile_path
from flowtasks.expressions.payload import compile_template
from flowtasks.local.choice import compile_choice

CONTEXT = ContextObject(
    {"Execution": {"Name": "run"}},
    variables={"productName": "tea", "product": {"price": 3, "tags": ["a", "b"]}, "n": 2},
)


def test_variable_paths() -> None:
    assert compile_path("$productName")({}, CONTEXT) == "tea"
    assert compile_path("$product.price")({}, CONTEXT) == 3
    assert compile_path("$product.tags[-1]")({}, CONTEXT) == "b"
    assert compile_path("$product.tags[*]")({}, CONTEXT) == ["a", "b"]
    assert check_path("$product.price") is None


def test_the_context_object_still_reads_as_a_plain_context() -> None:
    assert compile_path("$$")({}, CONTEXT) == {"Execution": {"Name": "run"}}
    assert compile_path("$$.Execution.Name")({}, CONTEXT) == "run"
    assert compile_path("$$.*")({}, CONTEXT) == [{"Name": "run"}]


def test_undefined_variables_and_fields_select_nothing() -> None:
    with pytest.raises(PathNotFound, match=r"\$missing is not defined"):
        compile_path("$missing")({}, CONTEXT)
    with pytest.raises(PathNotFound) as caught:
        compile_path("$product.weight")({}, CONTEXT)
    assert caught.value.path == "$product.weight"
    with pytest.raises(PathNotFound):
        compile_path("$productName")({}, {"Execution": {}})  # a context without variables


def test_variables_in_templates_intrinsics_and_choices() -> None:
    template = {
        "name.$": "$productName",
        "label.$": "States.Format('{} costs {}', $productName, $product.price)",
    }
    assert compile_template(template)({}, CONTEXT) == {"name": "tea", "label": "tea costs 3"}
    assert compile_intrinsic("States.MathAdd($n, 1)")({}, CONTEXT) == 3
    choose = compile_choice({"Choices": [{"Variable": "$n", "NumericEquals": 2, "Next": "Two"}]})
    assert choose({}, CONTEXT) == "Two"


def test_surrounding_whitespace_is_ignored() -> None:
    assert compile_path("$$.Execution.Name ")({}, CONTEXT) == "run"
    assert compile_template({"n.$": "$$.Execution.Name "})({}, CONTEXT) == {"n": "run"}
    assert check_path(" $.a ") is None
