"""Payload templates (Parameters, ResultSelector, ItemSelector) and InputPath / OutputPath.

Sources:
- AWS developer guide, "Manipulate parameters in Step Functions workflows"
  (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html):
  the InputPath ``$.dataset2`` example, the Parameters ``MyDetails`` example, the
  ResultSelector ``ClusterId`` example, ``"MyContext.$": "$$"``;
- ASL spec, "Payload Template" (https://states-language.net/spec.html#payload-template): fields
  ending in ``.$`` are transformed "however deeply nested", the ``.$`` is dropped; null
  InputPath / OutputPath give ``{}``;
- causes when a path selects nothing, as AWS words them (the engine adds the prefix "An error
  occurred while executing the state 'X' (entered at the event id #n). "): an AWS execution
  history quoted in a public repository shows ``States.Runtime`` "The JSONPath '$.JobName'
  specified for the field 'JobName.$' could not be found in the input '{}'", and localstack
  issue 11951 gives the same wording for a Fail state's ErrorPath; InputPath: "Invalid path
  '$.x' : No results for path: $['x']" (LocalStack's AWS-validated InputPath cause).
"""

from __future__ import annotations

import pytest

from flowtasks.asl.states_errors import StatesFailure
from flowtasks.expressions.payload import (
    TemplateError,
    compile_input_path,
    compile_output_path,
    compile_template,
)

CONTEXT = {
    "Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:sm:run", "Name": "run"},
    "State": {"Name": "Step", "EnteredTime": "2019-03-26T20:14:13.192Z", "RetryCount": 0},
    "Map": {"Item": {"Index": 3, "Value": {"id": "x"}}},
}
PRODUCT_INPUT = {
    "comment": "Example for Parameters.",
    "product": {
        "details": {"color": "blue", "size": "small", "material": "cotton"},
        "availability": "in stock",
        "sku": "2317",
        "cost": "$23",
    },
}


def test_guide_parameters_example() -> None:
    template = {
        "comment": "Selecting what I care about.",
        "MyDetails": {
            "size.$": "$.product.details.size",
            "exists.$": "$.product.availability",
            "StaticValue": "foo",
        },
    }
    assert compile_template(template)(PRODUCT_INPUT, CONTEXT) == {
        "comment": "Selecting what I care about.",
        "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"},
    }


def test_guide_result_selector_example() -> None:
    result = {
        "resourceType": "elasticmapreduce",
        "resource": "createCluster.sync",
        "output": {"SdkHttpMetadata": {"httpStatusCode": 200}, "ClusterId": "AKIAIOSFODNN7EXAMPLE"},
    }
    selector = {"ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType"}
    assert compile_template(selector)(result, CONTEXT) == {
        "ClusterId": "AKIAIOSFODNN7EXAMPLE",
        "ResourceType": "elasticmapreduce",
    }


def test_context_paths() -> None:
    template = {
        "MyContext.$": "$$",
        "name.$": "$$.Execution.Name",
        "index.$": "$$.Map.Item.Index",
        "value.$": "$$.Map.Item.Value",
    }
    assert compile_template(template)({}, CONTEXT) == {
        "MyContext": CONTEXT,
        "name": "run",
        "index": 3,
        "value": {"id": "x"},
    }


def test_dynamic_fields_at_any_depth_including_inside_arrays() -> None:
    template = {
        "list": [
            {"deep": {"deeper": [{"v.$": "$.a"}, "literal", 7, None, True]}},
            [{"id.$": "$$.Execution.Name"}],
        ],
        "whole.$": "$",
    }
    data = {"a": [1, 2]}
    assert compile_template(template)(data, CONTEXT) == {
        "list": [
            {"deep": {"deeper": [{"v": [1, 2]}, "literal", 7, None, True]}},
            [{"id": "run"}],
        ],
        "whole": data,
    }


def test_intrinsic_values() -> None:
    template = {
        "greeting.$": "States.Format('Hello, my name is {}.', $.name)",
        "next.$": "States.MathAdd($.count, 1)",
        "ids.$": "States.Array($.id, $$.Map.Item.Index)",
    }
    assert compile_template(template)({"name": "Arnav", "count": 41, "id": 1}, CONTEXT) == {
        "greeting": "Hello, my name is Arnav.",
        "next": 42,
        "ids": [1, 3],
    }


def test_paths_with_several_matches_give_lists() -> None:
    template = {"cheap.$": "$.items[?(@.price < 10)].name", "all.$": "$.items[*].price"}
    data = {"items": [{"name": "a", "price": 5}, {"name": "b", "price": 50}]}
    assert compile_template(template)(data, CONTEXT) == {"cheap": ["a"], "all": [5, 50]}


def test_literal_keys_keep_their_names_and_literals_are_not_paths() -> None:
    template = {"path": "$.a", "nested": {"text": "$$.Execution.Id"}}
    assert compile_template(template)({"a": 1}, CONTEXT) == template


def test_non_object_templates() -> None:
    assert compile_template([{"a.$": "$.x"}, 2])({"x": 1}, CONTEXT) == [{"a": 1}, 2]
    assert compile_template("text")({}, CONTEXT) == "text"
    assert compile_template({})({}, CONTEXT) == {}


def test_every_call_builds_fresh_containers() -> None:
    template = {"fixed": {"list": [1, 2]}, "x.$": "$.x"}
    evaluate = compile_template(template)
    first = evaluate({"x": 1}, CONTEXT)
    first["fixed"]["list"].append(3)
    assert evaluate({"x": 1}, CONTEXT) == {"fixed": {"list": [1, 2]}, "x": 1}
    assert template == {"fixed": {"list": [1, 2]}, "x.$": "$.x"}


def test_missing_path_fails_with_the_aws_cause() -> None:
    evaluate = compile_template({"Name": "job", "JobName.$": "$.JobName"})
    with pytest.raises(StatesFailure) as caught:
        evaluate({}, CONTEXT)
    assert caught.value.error == "States.Runtime"
    assert caught.value.cause == (
        "The JSONPath '$.JobName' specified for the field 'JobName.$' "
        "could not be found in the input '{}'"
    )


def test_missing_path_cause_names_the_nested_field_and_shows_the_input() -> None:
    evaluate = compile_template({"outer": [{"inner.$": "$.a.b"}], "ok.$": "$.a"})
    with pytest.raises(StatesFailure) as caught:
        evaluate({"a": {"c": 1}}, CONTEXT)
    assert caught.value.error == "States.Runtime"
    assert caught.value.cause == (
        "The JSONPath '$.a.b' specified for the field 'inner.$' "
        'could not be found in the input \'{"a":{"c":1}}\''
    )


def test_missing_context_path_reports_the_context() -> None:
    with pytest.raises(StatesFailure) as caught:
        compile_template({"token.$": "$$.Task.Token"})({"a": 1}, {"State": {}})
    assert caught.value.error == "States.Runtime"
    assert "'$$.Task.Token' specified for the field 'token.$'" in caught.value.cause
    assert caught.value.cause.endswith("""in the input '{"State":{}}'""")


def test_intrinsic_failure_propagates() -> None:
    with pytest.raises(StatesFailure) as caught:
        compile_template({"n.$": "States.MathAdd($.a, 1)"})({"a": "x"}, CONTEXT)
    assert caught.value.error == "States.IntrinsicFailure"


def test_large_templates_fall_back_to_closures_with_the_same_results() -> None:
    template = {f"k{i}": {"v.$": "$.x", "n": i} for i in range(3000)}
    output = compile_template(template)({"x": "y"}, CONTEXT)
    assert output["k2999"] == {"v": "y", "n": 2999}
    with pytest.raises(StatesFailure, match=r"'v\.\$'"):
        compile_template(template)({}, CONTEXT)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ({"a.$": 1}, "must have a string value"),
        ({"a.$": "not a path"}, "neither a path"),
        ({"a.$": "$.a["}, "invalid JSONPath"),
        ({"x": [{"a.$": "States.Nope()"}]}, "unknown function"),
        ({"a.$": "States.MathAdd(1)"}, "takes 2 arguments"),
    ],
)
def test_malformed_templates_are_refused(template: object, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        compile_template(template)


def test_input_path() -> None:
    data = {
        "comment": "Example for InputPath.",
        "dataset1": {"val1": 1, "val2": 2, "val3": 3},
        "dataset2": {"val1": "a", "val2": "b", "val3": "c"},
    }
    assert compile_input_path("$.dataset2")(data, CONTEXT) == {
        "val1": "a",
        "val2": "b",
        "val3": "c",
    }
    assert compile_input_path("$")(data, CONTEXT) is data
    assert compile_input_path(None)(data, CONTEXT) == {}
    assert compile_input_path("$$.Execution.Name")(data, CONTEXT) == "run"


def test_output_path() -> None:
    data = {"a": {"b": 1}}
    assert compile_output_path("$.a")(data, CONTEXT) == {"b": 1}
    assert compile_output_path("$")(data, CONTEXT) is data
    assert compile_output_path(None)(data, CONTEXT) == {}
    assert compile_output_path("$.a.*")(data, CONTEXT) == [1]


@pytest.mark.parametrize("compile_filter", [compile_input_path, compile_output_path])
def test_filter_path_selecting_nothing_is_a_runtime_error(compile_filter: object) -> None:
    with pytest.raises(StatesFailure) as caught:
        compile_filter("$.missing")({"a": 1}, CONTEXT)  # type: ignore[operator]
    assert caught.value.error == "States.Runtime"
    assert caught.value.cause == "Invalid path '$.missing' : No results for path: $['missing']"


def test_deeply_nested_templates_work() -> None:
    template: dict[str, object] = {"leaf.$": "$.x"}
    for _ in range(120):
        template = {"n": [template]}
    output = compile_template(template)({"x": 1}, CONTEXT)
    for _ in range(120):
        output = output["n"][0]
    assert output == {"leaf": 1}
