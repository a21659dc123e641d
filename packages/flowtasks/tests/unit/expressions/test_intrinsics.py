"""Intrinsic functions: grammar, every function with the AWS guide's examples, argument checks.

Source of every expected value, unless noted: AWS developer guide, "Intrinsic functions for
JSONPath states in Step Functions"
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html), including its
"Reserved characters in intrinsic functions" section and its input-validation lists.
The exact cause texts of States.IntrinsicFailure are ours (AWS does not document them); the
tests check the error name and what the cause is about.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from flowtasks.asl.states_errors import StatesFailure
from flowtasks.expressions.intrinsic_parser import check_intrinsic, compile_intrinsic, is_intrinsic

CONTEXT = {"Execution": {"Name": "run-1", "Input": {"a": 1}}, "Map": {"Item": {"Index": 2}}}


def call(text: str, data: Any = None, context: Any = CONTEXT) -> Any:
    return compile_intrinsic(text)({} if data is None else data, context)


def fails(text: str, data: Any = None, *, error: str = "States.IntrinsicFailure") -> str:
    with pytest.raises(StatesFailure) as caught:
        call(text, data)
    assert caught.value.error == error
    return caught.value.cause


# ---------------------------------------------------------------------------------------------
# grammar


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Array()", []),
        (
            "States.Array(1, -2, 3.5, 1e3, true, false, null, 'x')",
            [1, -2, 3.5, 1000.0, True, False, None, "x"],
        ),
        ("States.Array( 1 ,2 )", [1, 2]),
        ("States.Array('a,b', 'c)d', '')", ["a,b", "c)d", ""]),
        ("States.Array($.list[0], $.list[-1], $['odd key'])", [1, 3, "v"]),
        ("States.Array($.list[?(@ > 1)], $.list[0:2])", [[2, 3], [1, 2]]),
        ("States.Array($$.Execution.Name, $$.Map.Item.Index)", ["run-1", 2]),
        ("States.Array($)", [{"list": [1, 2, 3], "odd key": "v"}]),
        ("States.Array(States.Array(1), States.Array())", [[1], []]),
    ],
)
def test_arguments_of_every_kind(text: str, expected: Any) -> None:
    assert call(text, {"list": [1, 2, 3], "odd key": "v"}) == expected


def test_reserved_characters_are_escaped_with_a_backslash() -> None:
    # "\'" -> ', "\{" -> {, "\}" -> }, "\\" -> \  (guide, "Reserved characters")
    assert call(r"States.Array('it\'s', '\{x\}', 'back\\slash')") == ["it's", "{x}", "back\\slash"]


def test_escaped_braces_are_not_format_placeholders() -> None:
    assert (
        call(r"States.Format('\{\} is literal, {} is not', 'this')") == "{} is literal, this is not"
    )


def test_nested_calls_as_in_the_guide() -> None:
    # The guide's nine-level example: the arn's third '/' part, split on '.'.
    text = (
        "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
        "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem("
        "States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2),"
        " '.'), 1))"
    )
    arn = "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.2.3"
    assert call(text, {"ImageRecipe": {"Arn": arn}}) == "1.2"


def test_up_to_ten_nested_functions() -> None:
    # "You can nest up to 10 intrinsic functions within a field"
    ten = "States.Array(" * 10 + "1" + ")" * 10
    assert check_intrinsic(ten) is None
    eleven = "States.Array(" * 11 + "1" + ")" * 11
    message = check_intrinsic(eleven)
    assert message is not None
    assert "nested" in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("States.Nope(1)", "unknown function"),
        ("States.Format()", "at least 1"),
        ("States.UUID(1)", "takes 0 arguments"),
        ("States.MathAdd(1)", "takes 2 arguments"),
        ("States.MathRandom(1, 2, 3, 4)", "2 to 3 arguments"),
        ("States.JsonMerge($.a, $.b)", "takes 3 arguments"),
        ("States.Array(1", "expected ',' or ')'"),
        ("States.Array(1) trailing", "unexpected text"),
        ("States.Array('open)", "unterminated"),
        (r"States.Array('\n')", "invalid escape"),
        ("States.Array(x)", "expected a string, number"),
        ("States.Array($.a[)", "JSONPath"),
        ("States.Array(1,)", "expected a string, number"),
        ("Array(1)", "expected a function name"),
    ],
)
def test_static_problems(text: str, problem: str) -> None:
    message = check_intrinsic(text)
    assert message is not None
    assert problem in message
    with pytest.raises(ValueError, match=re.escape(problem)):
        compile_intrinsic(text)


def test_is_intrinsic() -> None:
    assert is_intrinsic("States.Format('x')")
    assert is_intrinsic("States.UUID()")
    assert not is_intrinsic("$.a")
    assert not is_intrinsic("States.Format")
    assert not is_intrinsic("hello")
    assert not is_intrinsic(3)


def test_a_path_argument_selecting_nothing_is_a_runtime_error() -> None:
    cause = fails("States.Array($.missing)", {}, error="States.Runtime")
    assert "$.missing" in cause


# ---------------------------------------------------------------------------------------------
# States.Format


def test_format_with_a_literal_template() -> None:
    assert call("States.Format('Hello, my name is {}.', $.name)", {"name": "Arnav"}) == (
        "Hello, my name is Arnav."
    )


def test_format_with_a_template_from_a_path() -> None:
    data = {"name": "Arnav", "template": "Hello, my name is {}."}
    assert call("States.Format($.template, $.name)", data) == "Hello, my name is Arnav."


def test_format_renders_values() -> None:
    # Scalars as JSON text, strings as they are (LocalStack's AWS-validated rendering).
    assert call("States.Format('{} {} {} {} {}', 1, 2.5, true, null, 'x')") == "1 2.5 true null x"


def test_format_needs_one_value_per_placeholder() -> None:
    assert "2 placeholder" in fails("States.Format('{} and {}', 1)")
    assert "0 placeholder" in fails("States.Format('none', 1)")
    assert "must be a string" in fails("States.Format($.n)", {"n": 1})


# ---------------------------------------------------------------------------------------------
# JSON


def test_string_to_json() -> None:
    data = {"escapedJsonString": '{"foo": "bar"}'}
    assert call("States.StringToJson($.escapedJsonString)", data) == {"foo": "bar"}
    assert call("States.StringToJson('[1, 2]')") == [1, 2]


@pytest.mark.parametrize("text", ["'{oops'", "'NaN'", "1"])
def test_string_to_json_rejects_what_is_not_json_text(text: str) -> None:
    # An empty or blank string is not refused: it gives null, as recorded against AWS
    # (test_edge_inputs.py::test_string_to_json_of_an_empty_or_blank_string_is_null).
    fails(f"States.StringToJson({text})")


def test_json_to_string() -> None:
    data = {"unescapedJson": {"foo": "bar"}}
    assert call("States.JsonToString($.unescapedJson)", data) == '{"foo":"bar"}'
    assert call("States.JsonToString($.n)", {"n": [1, None]}) == "[1,null]"


def test_json_merge_is_shallow() -> None:
    data = {
        "json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
        "json2": {"a": {"a3": 1, "a4": 2}, "c": 3},
    }
    assert call("States.JsonMerge($.json1, $.json2, false)", data) == {
        "a": {"a3": 1, "a4": 2},
        "b": 2,
        "c": 3,
    }


def test_json_merge_checks_its_arguments() -> None:
    data = {"o": {"a": 1}, "l": [1]}
    assert "shallow" in fails("States.JsonMerge($.o, $.o, true)", data)
    assert "JSON object" in fails("States.JsonMerge($.l, $.o, false)", data)
    assert "JSON object" in fails("States.JsonMerge($.o, 'x', false)", data)


# ---------------------------------------------------------------------------------------------
# arrays


def test_array() -> None:
    assert call("States.Array($.Id)", {"Id": 123456}) == [123456]


def test_array_partition() -> None:
    data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}
    assert call("States.ArrayPartition($.inputArray,4)", data) == [[1, 2, 3, 4], [5, 6, 7, 8], [9]]
    assert call("States.ArrayPartition($.inputArray, 3.6)", data) == [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
        [9],
    ]
    assert call("States.ArrayPartition(States.Array(), 2)") == []


def test_array_partition_checks_its_arguments() -> None:
    assert "positive" in fails("States.ArrayPartition(States.Array(1), 0)")
    assert "positive" in fails("States.ArrayPartition(States.Array(1), -1)")
    assert "array" in fails("States.ArrayPartition('x', 1)")
    assert "integer" in fails("States.ArrayPartition(States.Array(1), 'a')")


def test_array_contains() -> None:
    data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "lookingFor": 5}
    assert call("States.ArrayContains($.inputArray, $.lookingFor)", data) is True
    assert call("States.ArrayContains($.inputArray, 10)", data) is False
    assert call("States.ArrayContains(States.Array(States.Array(1)), States.Array(1))") is True
    assert call("States.ArrayContains(States.Array(1), true)") is False
    assert "array" in fails("States.ArrayContains('x', 1)")


def test_array_range() -> None:
    assert call("States.ArrayRange(1, 9, 2)") == [1, 3, 5, 7, 9]
    assert call("States.ArrayRange(1, 10, 2)") == [1, 3, 5, 7, 9]
    assert call("States.ArrayRange(5, 1, -2)") == [5, 3, 1]
    assert call("States.ArrayRange(1, 1, 1)") == [1]
    assert call("States.ArrayRange(9, 1, 2)") == []
    assert call("States.ArrayRange(0.6, 2.4, 1)") == [1, 2]  # rounded to the nearest integer
    assert len(call("States.ArrayRange(1, 1000, 1)")) == 1000


def test_array_range_checks_its_arguments() -> None:
    assert "1000" in fails("States.ArrayRange(1, 1001, 1)")
    assert "must not be 0" in fails("States.ArrayRange(1, 9, 0)")
    assert "integer" in fails("States.ArrayRange('1', 9, 1)")


def test_array_get_item() -> None:
    data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "index": 5}
    assert call("States.ArrayGetItem($.inputArray, $.index)", data) == 6
    assert "out of bounds" in fails("States.ArrayGetItem($.inputArray, 9)", data)
    assert "out of bounds" in fails("States.ArrayGetItem($.inputArray, -1)", data)
    assert "integer" in fails("States.ArrayGetItem($.inputArray, 'a')", data)


def test_array_length() -> None:
    assert (
        call("States.ArrayLength($.inputArray)", {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}) == 9
    )
    assert "array" in fails("States.ArrayLength('abc')")


def test_array_unique() -> None:
    data = {"inputArray": [1, 2, 3, 3, 3, 3, 3, 3, 4]}
    assert call("States.ArrayUnique($.inputArray)", data) == [1, 2, 3, 4]
    assert call("States.ArrayUnique(States.Array(1, 1.0, true, '1', null, null))") == [
        1,
        True,
        "1",
        None,
    ]
    assert "array" in fails("States.ArrayUnique(1)")


# ---------------------------------------------------------------------------------------------
# encoding, hashing


def test_base64() -> None:
    assert (
        call("States.Base64Encode($.input)", {"input": "Data to encode"}) == "RGF0YSB0byBlbmNvZGU="
    )
    assert (
        call("States.Base64Decode($.base64)", {"base64": "RGF0YSB0byBlbmNvZGU="})
        == "Data to encode"
    )
    assert call("States.Base64Encode('é')") == "w6k="


def test_base64_limits_and_checks() -> None:
    # "a data string of up to 10,000 characters"
    assert call("States.Base64Encode($.s)", {"s": "a" * 10_000})
    assert "10000" in fails("States.Base64Encode($.s)", {"s": "a" * 10_001})
    assert "10000" in fails("States.Base64Decode($.s)", {"s": "QUFB" * 2_501})
    assert "Base64" in fails("States.Base64Decode('not base64!')")
    assert "string" in fails("States.Base64Encode(1)")


def test_hash() -> None:
    data = {"Data": "input data", "Algorithm": "SHA-1"}
    # The guide prints "aaff4a450a104cd177d28d18d7485e8cae074b7", one digit short: it is the
    # SHA-1 of "input data", aaff4a45 0a104cd1 77d28d18 d74485e8 cae074b7.
    assert (
        call("States.Hash($.Data, $.Algorithm)", data) == "aaff4a450a104cd177d28d18d74485e8cae074b7"
    )
    assert call("States.Hash('input data', 'MD5')") == "812f45842bc6d66ee14572ce20db8e86"
    assert len(call("States.Hash('x', 'SHA-256')")) == 64
    assert len(call("States.Hash('x', 'SHA-384')")) == 96
    assert len(call("States.Hash('x', 'SHA-512')")) == 128


def test_hash_checks_its_arguments() -> None:
    assert "SHA-256" in fails("States.Hash('x', 'SHA256')")
    assert "10000" in fails("States.Hash($.s, 'MD5')", {"s": "a" * 10_001})
    assert "string" in fails("States.Hash(1, 'MD5')")


# ---------------------------------------------------------------------------------------------
# math, strings, uuid


def test_math_random() -> None:
    values = {
        call("States.MathRandom($.start, $.end)", {"start": 1, "end": 999}) for _ in range(50)
    }
    assert all(isinstance(v, int) and 1 <= v < 999 for v in values)
    assert {call("States.MathRandom(0, 2)") for _ in range(200)} == {0, 1}  # end is exclusive


def test_math_random_with_a_seed_repeats() -> None:
    first = call("States.MathRandom(1, 1000000, 42)")
    assert all(call("States.MathRandom(1, 1000000, 42)") == first for _ in range(5))


def test_math_random_checks_its_arguments() -> None:
    assert "less than" in fails("States.MathRandom(5, 5)")
    assert "integer" in fails("States.MathRandom('a', 5)")
    assert "integer" in fails("States.MathRandom(1, 5, 'seed')")


def test_math_add() -> None:
    assert call("States.MathAdd($.value1, $.step)", {"value1": 111, "step": -1}) == 110
    assert call("States.MathAdd(1.5, 1.4)") == 3  # each rounded to the nearest integer: 2 + 1


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [(-9, 3, -6), (1.49, 1.5, 3), (1.5, 1.51, 4), (-1.49, -1.5, -2), (-1.5, -1.51, -3)],
)
def test_math_add_rounds_like_aws(first: float, second: float, expected: int) -> None:
    # AWS-recorded results (localstack/localstack, tests/aws/services/stepfunctions/v2/
    # intrinsic_functions/test_math_operations.snapshot.json, test_math_add): halves round up,
    # as Java's Math.round does (-1.5 -> -1).
    assert call("States.MathAdd($.fst, $.snd)", {"fst": first, "snd": second}) == expected


def test_math_add_checks_its_arguments() -> None:
    assert call("States.MathAdd(2147483647, -2147483648)") == -1
    assert "between" in fails("States.MathAdd(2147483648, 0)")
    assert "between" in fails("States.MathAdd(0, -2147483649)")
    assert "integer" in fails("States.MathAdd('1', 1)")
    assert "integer" in fails("States.MathAdd(true, 1)")


def test_string_split() -> None:
    data = {"inputString": "1,2,3,4,5", "splitter": ","}
    assert call("States.StringSplit($.inputString, $.splitter)", data) == ["1", "2", "3", "4", "5"]
    data = {"inputString": "This.is+a,test=string", "splitter": ".+,="}
    assert call("States.StringSplit($.inputString, $.splitter)", data) == [
        "This",
        "is",
        "a",
        "test",
        "string",
    ]
    assert call("States.StringSplit(',a,,b,', ',')") == ["a", "b"]
    assert "string" in fails("States.StringSplit(1, ',')")
    assert "string" in fails("States.StringSplit('a', 1)")


def test_uuid_is_version_4() -> None:
    first, second = call("States.UUID()"), call("States.UUID()")
    assert uuid.UUID(first).version == 4
    assert first != second
