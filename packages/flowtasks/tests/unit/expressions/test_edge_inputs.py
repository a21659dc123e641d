"""Intrinsic functions and paths on edge inputs give what AWS gives.

``data/localstack_intrinsics.json`` holds every intrinsic-function template of LocalStack's
snapshot tests (localstack/localstack, ``tests/aws/services/stepfunctions/v2/
intrinsic_functions``; Apache-2.0) with each execution input (empty and blank strings, null,
numbers as strings, nested JSON, unicode, arrays of every size) and the output AWS returned;
every one is run here. Random, UUID and context-dependent ones are tested elsewhere
(`test_intrinsics.py`). The path cases cite their LocalStack test the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowtasks.local import run

DATA = json.loads(
    (Path(__file__).parent / "data" / "localstack_intrinsics.json").read_text(encoding="utf-8")
)
EXECUTIONS = [
    pytest.param(
        test["definition"],
        execution["input"],
        execution["output"],
        id=f"{test['source'].split('::', 1)[1]}#{index}",
    )
    for test in DATA["tests"]
    for index, execution in enumerate(test["executions"])
]


@pytest.mark.parametrize(("definition", "execution_input", "output"), EXECUTIONS)
def test_intrinsic_functions_match_the_aws_recording(
    definition: dict[str, Any], execution_input: Any, output: Any
) -> None:
    execution = run(definition, execution_input)
    assert (execution.status, execution.output) == ("SUCCEEDED", output)


def test_the_recording_covers_every_edge_case_named_below() -> None:
    sources = {test["source"].split("/")[-1] for test in DATA["tests"]}
    assert "test_json_manipulation.py::TestJsonManipulation::test_string_to_json" in sources
    assert "test_array_jsonata.py::TestArrayJSONata::test_array_range" in sources
    assert len(EXECUTIONS) >= 150


def one_pass(parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "State_0",
        "States": {"State_0": {"Type": "Pass", "Parameters": parameters, "End": True}},
    }


@pytest.mark.parametrize("text", ["", " "])
def test_string_to_json_of_an_empty_or_blank_string_is_null(text: str) -> None:
    # intrinsic_functions/test_json_manipulation.py::test_string_to_json (executions 0 and 1)
    definition = one_pass({"FunctionResult.$": "States.StringToJson($.FunctionInput)"})
    assert run(definition, {"FunctionInput": text}).output == {"FunctionResult": None}


def test_a_jsonata_singleton_sequence_is_its_one_value() -> None:
    # intrinsic_functions/test_array_jsonata.py::test_array_range (execution 2):
    # $range(1, 9, 9) is the one-element sequence [1], which JSONata gives as 1.
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "S",
        "States": {"S": {"Type": "Pass", "Output": "{% $range(1, 9, 9) %}", "End": True}},
    }
    assert run(definition, {}).output == 1


def test_a_backslash_in_a_bracket_name_is_kept_unless_it_escapes_the_quote() -> None:
    # scenarios/test_base_scenarios.py::test_escape_sequence_parsing[ESCAPE_SEQUENCES_JSONPATH]
    # (template escape_sequences_jsonpath.json5, input {'Test\\""Name"': 'Value"\\'})
    definition = {
        "StartAt": "JsonPathEscapeTest",
        "States": {
            "JsonPathEscapeTest": {
                "Type": "Pass",
                "Parameters": {"value.$": '$[\'Test\\""Name"\']'},
                "End": True,
            }
        },
    }
    execution = run(definition, {'Test\\""Name"': 'Value"\\'})
    assert (execution.status, execution.output) == ("SUCCEEDED", {"value": 'Value"\\'})


@pytest.mark.parametrize(
    "path",
    [
        "$[*]",
        "$.items[*]",
        "$.items[1:]",
        "$.items[:1]",
        "$.item.items[*]",
        "$.item.items[1:]",
        "$.item.items[:1]",
        "$.item.items[1:5]",
        "$.items[*].itemValue",
        "$.items[1:].itemValue",
        "$.items[:1].itemValue",
        "$.item.items[1:5].itemValue",
    ],
)
def test_a_wildcard_or_slice_over_missing_input_is_an_empty_list(path: str) -> None:
    # base/test_base.py::test_json_path_array_wildcard_or_slice_with_no_input[<path>]
    assert run(one_pass({"item.$": path}), {}).output == {"item": []}


@pytest.mark.parametrize(
    ("path", "item"),
    [("$.items[0]", {"item_key": 0}), ("$.items[10]", {"item_key": 10})],
)
def test_array_access_selects_one_item(path: str, item: Any) -> None:
    # base/test_base.py::test_json_path_array_access[<path>]
    items = {"items": [{"item_key": i} for i in range(11)]}
    assert run(one_pass({"item.$": path}), items).output == {"item": item}


def test_dollar_keys_in_a_pass_result_stay_literal() -> None:
    # base/test_base.py::test_state_pass_result_jsonpaths
    result = {"unsupported1.$": "$.jsonpath", "unsupported2.$": "$$"}
    definition = {
        "StartAt": "State_1",
        "States": {"State_1": {"Type": "Pass", "Result": result, "End": True}},
    }
    assert run(definition, {}).output == result
