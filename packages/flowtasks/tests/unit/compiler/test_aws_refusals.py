"""Definitions that CreateStateMachine refuses are refused before anything runs.

Each case names its source. "LS" is a LocalStack snapshot recorded against AWS
(``tests/aws/services/stepfunctions/v2/<file>::<test>[param]`` in localstack/localstack);
"j2119" is AWS's own ASL linter, awslabs/statelint ``data/StateMachine.j2119``; "asl-ls" is
AWS's language service, aws/amazon-states-language-service ``src/validation/validationSchema.ts``
(fields each state type allows) and ``src/json-schema/partial/*.json`` (enums and ranges);
"spec" is https://states-language.net/spec.html; "guide" is the Step Functions developer guide;
"floci #N" is an AWS answer measured and quoted verbatim in floci-io/floci issue N.

Every refused definition is also refused by `flowtasks.local.run` (a `DefinitionError` naming
the field), and the closest valid definition is accepted, so the checks cannot pass by refusing
everything.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from flowtasks.asl.validate import validate_definition
from flowtasks.errors import DefinitionError
from flowtasks.local import run

LAMBDA = "arn:aws:states:::lambda:invoke"
PROCESSOR = {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "End": True}}}
DISTRIBUTED = {**PROCESSOR, "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}
READER = {
    "Resource": "arn:aws:states:::s3:getObject",
    "ReaderConfig": {"InputType": "JSON"},
    "Parameters": {"Bucket": "b", "Key": "k"},
}
RETRIER = {"ErrorEquals": ["States.ALL"]}


def machine(state: dict[str, Any], language: str | None = None, **top: Any) -> dict[str, Any]:
    """A machine whose one state ``S`` is `state` (End added where the type allows it)."""
    if state.get("Type") not in ("Choice", "Succeed", "Fail") and "Next" not in state:
        state = {**state, "End": True}
    if state.get("Type") == "Choice":
        definition: dict[str, Any] = {
            "StartAt": "S",
            "States": {"S": state, "Done": {"Type": "Succeed"}},
        }
    else:
        definition = {"StartAt": "S", "States": {"S": state}}
    if language:
        definition["QueryLanguage"] = language
    definition.update(top)
    return definition


PASS = {"Type": "Pass"}
TASK = {"Type": "Task", "Resource": LAMBDA}
WAIT = {"Type": "Wait", "Seconds": 0}
CHOICE = {
    "Type": "Choice",
    "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "Done"}],
    "Default": "Done",
}
SUCCEED = {"Type": "Succeed"}
FAIL = {"Type": "Fail", "Error": "E"}
PARALLEL = {"Type": "Parallel", "Branches": [PROCESSOR]}
MAP = {"Type": "Map", "ItemProcessor": PROCESSOR}
TYPES = {
    "Pass": PASS,
    "Task": TASK,
    "Wait": WAIT,
    "Choice": CHOICE,
    "Succeed": SUCCEED,
    "Fail": FAIL,
    "Parallel": PARALLEL,
    "Map": MAP,
}

# field -> (a sample value, the types that allow it). Fields from validationSchema.ts (asl-ls)
# and j2119: a field on any other type is "Field 'X' is not supported" (floci #2735 measured
# TimeoutSeconds, Retry and Catch on every type that lacks them).
FIELD_SAMPLES: dict[str, tuple[Any, set[str]]] = {
    "Retry": ([RETRIER], {"Task", "Parallel", "Map"}),
    "Catch": ([{"ErrorEquals": ["States.ALL"], "Next": "S"}], {"Task", "Parallel", "Map"}),
    "TimeoutSeconds": (5, {"Task"}),
    "TimeoutSecondsPath": ("$.t", {"Task"}),
    "HeartbeatSeconds": (1, {"Task"}),
    "HeartbeatSecondsPath": ("$.h", {"Task"}),
    "Resource": (LAMBDA, {"Task"}),
    "Credentials": ({"RoleArn": "arn:aws:iam::111111111111:role/R"}, {"Task"}),
    "ResultSelector": ({"a.$": "$"}, {"Task", "Parallel", "Map"}),
    "ResultPath": ("$.r", {"Pass", "Task", "Parallel", "Map"}),
    "Parameters": ({"a": 1}, {"Pass", "Task", "Parallel", "Map"}),
    "Result": ({"a": 1}, {"Pass"}),
    "InputPath": ("$", {"Pass", "Task", "Wait", "Choice", "Succeed", "Parallel", "Map"}),
    "OutputPath": ("$", {"Pass", "Task", "Wait", "Choice", "Succeed", "Parallel", "Map"}),
    "Assign": ({"v": 1}, {"Pass", "Task", "Wait", "Choice", "Parallel", "Map"}),
    "Branches": ([PROCESSOR], {"Parallel"}),
    "ItemsPath": ("$", {"Map"}),
    "MaxConcurrency": (1, {"Map"}),
    "Default": ("Done", {"Choice"}),
    "Error": ("E", {"Fail"}),
    "Cause": ("C", {"Fail"}),
    "Seconds": (0, {"Wait"}),
    "Foo": (1, set()),
}
FIELD_SOURCE = "asl-ls validationSchema.ts StateTypes; j2119; floci #2735"


def _with_field(kind: str, field: str, value: Any) -> dict[str, Any]:
    state = copy.deepcopy(TYPES[kind])
    if kind == "Wait" and field == "Seconds":
        return machine(state)
    if kind == "Fail" and field == "Error":
        return machine(state)
    state[field] = value
    return machine(state)


DISALLOWED = [
    pytest.param(kind, field, id=f"{field}-on-{kind}")
    for field, (_, allowed) in FIELD_SAMPLES.items()
    for kind in TYPES
    if kind not in allowed and not (field == "Default" and kind == "Choice")
]
ALLOWED = [
    pytest.param(kind, field, id=f"{field}-on-{kind}")
    for field, (_, allowed) in FIELD_SAMPLES.items()
    for kind in sorted(allowed)
]


def problems_of(definition: Any) -> list[str]:
    return [
        f"{p.where}: {p.message}" for p in validate_definition(definition) if p.severity == "error"
    ]


def assert_refused(definition: Any, *words: str) -> None:
    """Refused by the validator with a problem mentioning every word, and by `run`."""
    found = problems_of(definition)
    assert any(all(w in text for w in words) for text in found), found
    with pytest.raises(DefinitionError):
        run(definition, {})


@pytest.mark.parametrize(("kind", "field"), DISALLOWED)
def test_a_field_the_state_type_does_not_allow_is_refused(kind: str, field: str) -> None:
    # source: FIELD_SOURCE
    assert_refused(_with_field(kind, field, FIELD_SAMPLES[field][0]), "States.S", field)


@pytest.mark.parametrize(("kind", "field"), ALLOWED)
def test_a_field_the_state_type_allows_is_accepted(kind: str, field: str) -> None:
    assert problems_of(_with_field(kind, field, FIELD_SAMPLES[field][0])) == []


# (id, definition, words the problem must contain, source)
REFUSED: list[tuple[str, dict[str, Any], tuple[str, ...], str]] = [
    # --- unknown fields outside states
    ("root-unknown-field", machine(PASS, Foo=1), ("Foo",), "asl-ls validationSchema.ts Root"),
    (
        "branch-unknown-field",
        machine({**PARALLEL, "Branches": [{**PROCESSOR, "TimeoutSeconds": 3}]}),
        ("Branches[0]", "TimeoutSeconds"),
        "asl-ls validationSchema.ts NestedParallelRoot",
    ),
    (
        "processor-unknown-field",
        machine({**MAP, "ItemProcessor": {**PROCESSOR, "Version": "1.0"}}),
        ("ItemProcessor", "Version"),
        "asl-ls validationSchema.ts NestedMapRoot",
    ),
    (
        "retrier-unknown-field",
        machine({**TASK, "Retry": [{**RETRIER, "Next": "S"}]}),
        ("Retry[0]", "Next"),
        "asl-ls validationSchema.ts Retrier",
    ),
    (
        "catcher-unknown-field",
        machine({**TASK, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "S", "Foo": 1}]}),
        ("Catch[0]", "Foo"),
        "asl-ls validationSchema.ts Catcher",
    ),
    (
        "version-not-1.0",
        machine(PASS, Version="2.0"),
        ("Version",),
        "asl-ls json-schema/partial/base.json Version enum",
    ),
    # --- query language (floci #2968 measured; LS test_sfn_api_validation.py)
    (
        "jsonata-field-in-jsonpath-state",
        machine({**PASS, "Output": 1}),
        ("Output", "JSONata"),
        "floci #2968: field 'Output' is only supported for the 'JSONata' QueryLanguage",
    ),
    (
        "arguments-in-jsonpath-state",
        machine({**TASK, "Arguments": {}}),
        ("Arguments", "JSONata"),
        "floci #2968; guide transforming-data.html",
    ),
    (
        "items-in-jsonpath-map",
        machine({**MAP, "Items": [1]}),
        ("Items", "JSONata"),
        "floci #2968; guide state-map.html (Items, JSONata only)",
    ),
    (
        "inputpath-in-jsonata-state",
        machine({**PASS, "InputPath": "$"}, "JSONata"),
        ("InputPath", "JSONPath"),
        "floci #3733 ('only supported for the JSONPath QueryLanguage'); "
        "guide transforming-data.html",
    ),
    (
        "parameters-in-jsonata-state",
        machine({**PASS, "Parameters": {}}, "JSONata"),
        ("Parameters", "JSONPath"),
        "guide transforming-data.html",
    ),
    (
        "resultpath-in-jsonata-state",
        machine({**PASS, "ResultPath": "$.x"}, "JSONata"),
        ("ResultPath", "JSONPath"),
        "guide transforming-data.html",
    ),
    (
        "secondspath-in-jsonata-state",
        machine({"Type": "Wait", "SecondsPath": "$.s"}, "JSONata"),
        ("SecondsPath", "JSONPath"),
        "floci #3733",
    ),
    (
        "jsonpath-state-in-jsonata-machine",
        machine({**PASS, "QueryLanguage": "JSONPath"}, "JSONata"),
        ("QueryLanguage", "JSONata"),
        "LS test_sfn_api_validation.py::test_validate_state_machine_definition_type_standard"
        "[INVALID_DOWNGRADE_QUERY_LANGUAGE]",
    ),
    (
        "querylanguage-on-itemprocessor",
        machine({**MAP, "ItemProcessor": {**PROCESSOR, "QueryLanguage": "JSONPath"}}),
        ("ItemProcessor", "QueryLanguage"),
        "floci #2968 ('Field 'QueryLanguage' is not supported' at /States/M/ItemProcessor)",
    ),
    # --- mutually exclusive pairs (j2119 "MAY have only one of"; asl-ls
    # validateExclusivePathTypeField; floci #3733 "There should only be one of the following")
    (
        "timeoutseconds-and-path",
        machine({**TASK, "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t"}),
        ("TimeoutSeconds", "TimeoutSecondsPath"),
        "j2119",
    ),
    (
        "heartbeatseconds-and-path",
        machine({**TASK, "HeartbeatSeconds": 5, "HeartbeatSecondsPath": "$.t"}),
        ("HeartbeatSeconds", "HeartbeatSecondsPath"),
        "j2119",
    ),
    (
        "error-and-errorpath",
        machine({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}),
        ("Error", "ErrorPath"),
        "j2119; guide state-fail.html",
    ),
    (
        "cause-and-causepath",
        machine({"Type": "Fail", "Cause": "C", "CausePath": "$.c"}),
        ("Cause", "CausePath"),
        "j2119; guide state-fail.html",
    ),
    (
        "iterator-and-itemprocessor",
        machine({**MAP, "Iterator": PROCESSOR}),
        ("Iterator", "ItemProcessor"),
        "j2119",
    ),
    (
        "itemselector-and-parameters",
        machine({**MAP, "ItemSelector": {}, "Parameters": {}}),
        ("ItemSelector", "Parameters"),
        "j2119",
    ),
    (
        "maxconcurrency-and-path",
        machine({**MAP, "MaxConcurrency": 1, "MaxConcurrencyPath": "$.m"}),
        ("MaxConcurrency", "MaxConcurrencyPath"),
        "asl-ls; floci #3733",
    ),
    (
        "toleratedfailurecount-and-path",
        machine(
            {
                **MAP,
                "ItemProcessor": DISTRIBUTED,
                "ToleratedFailureCount": 1,
                "ToleratedFailureCountPath": "$.m",
            }
        ),
        ("ToleratedFailureCount", "ToleratedFailureCountPath"),
        "asl-ls; floci #3733",
    ),
    (
        "toleratedfailurepercentage-and-path",
        machine(
            {
                **MAP,
                "ItemProcessor": DISTRIBUTED,
                "ToleratedFailurePercentage": 1,
                "ToleratedFailurePercentagePath": "$.m",
            }
        ),
        ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
        "asl-ls; floci #3733",
    ),
    (
        "maxitems-and-path",
        machine(
            {
                **MAP,
                "ItemProcessor": DISTRIBUTED,
                "ItemReader": {
                    **READER,
                    "ReaderConfig": {"InputType": "JSON", "MaxItems": 1, "MaxItemsPath": "$.m"},
                },
            }
        ),
        ("MaxItems", "MaxItemsPath"),
        "floci #3733 ('There should only be one of the following fields: "
        "[MaxItems, MaxItemsPath]')",
    ),
    (
        "maxitemsperbatch-and-path",
        machine(
            {
                **MAP,
                "ItemProcessor": DISTRIBUTED,
                "ItemReader": READER,
                "ItemBatcher": {"MaxItemsPerBatch": 2, "MaxItemsPerBatchPath": "$.m"},
            }
        ),
        ("MaxItemsPerBatch", "MaxItemsPerBatchPath"),
        "floci #3733",
    ),
    (
        "maxinputbytesperbatch-and-path",
        machine(
            {
                **MAP,
                "ItemProcessor": DISTRIBUTED,
                "ItemReader": READER,
                "ItemBatcher": {"MaxInputBytesPerBatch": 2, "MaxInputBytesPerBatchPath": "$.m"},
            }
        ),
        ("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"),
        "floci #3733",
    ),
    (
        "heartbeat-not-below-timeout",
        machine({**TASK, "TimeoutSeconds": 5, "HeartbeatSeconds": 5}),
        ("HeartbeatSeconds", "TimeoutSeconds"),
        "guide state-task.html (HeartbeatSeconds must be smaller than TimeoutSeconds)",
    ),
    # --- names unique across the whole machine (spec "States"; statelint @all_state_names)
    (
        "name-reused-inside-a-branch",
        {
            "StartAt": "S",
            "States": {"S": {**PARALLEL, "Branches": [machine(PASS)], "End": True}},
        },
        ("'S'", "unique"),
        "spec: state names MUST be unique within the scope of the whole state machine",
    ),
    (
        "name-reused-across-branches",
        machine({**PARALLEL, "Branches": [PROCESSOR, PROCESSOR]}),
        ("'Inner'", "unique"),
        "spec; statelint state_node.rb",
    ),
    (
        "name-reused-inside-a-map",
        {"StartAt": "S", "States": {"S": {**MAP, "ItemProcessor": machine(PASS), "End": True}}},
        ("'S'", "unique"),
        "spec; statelint state_node.rb",
    ),
    # --- literal values with a strict format
    *(
        (
            f"wait-timestamp-{tag}",
            machine({"Type": "Wait", "Timestamp": value}),
            ("Timestamp", "RFC 3339"),
            f"LS scenarios/test_base_scenarios.py::test_wait_timestamp_invalid[{tag}]",
        )
        for tag, value in [
            ("NO_T", "2016-12-05 21:29:29Z"),
            ("NO_Z", "2016-12-05T21:29:29"),
            ("INVALID_DATE", "2016-13-05T21:29:29Z"),
            ("INVALID_TIME", "2016-12-05T25:29:29Z"),
            ("INVALID_ISO", "05-12-2016T21:29:29Z"),
            ("JSONATA", "{% '2016-03-14T01:59:00Z' %}"),
        ]
    ),
    (
        "credentials-without-rolearn-EMPTY_CREDENTIALS",
        machine({**TASK, "Credentials": {}}),
        ("Credentials", "RoleArn"),
        "LS credentials/test_credentials_base.py::test_invalid_credentials_field"
        "[EMPTY_CREDENTIALS]",
    ),
    (
        "credentials-without-rolearn-INVALID_CREDENTIALS_FIELD",
        machine({**TASK, "Credentials": {"Role": "arn:aws:iam::111111111111:role/R"}}),
        ("Credentials", "RoleArn"),
        "LS credentials/test_credentials_base.py::test_invalid_credentials_field"
        "[INVALID_CREDENTIALS_FIELD]",
    ),
    (
        "label-empty",
        machine({**MAP, "ItemProcessor": DISTRIBUTED, "Label": ""}),
        ("Label",),
        "LS test_sfn_api_map_run.py::test_map_state_label_empty_fail",
    ),
    (
        "label-too-long",
        machine({**MAP, "ItemProcessor": DISTRIBUTED, "Label": "x" * 41}),
        ("Label", "40"),
        "LS test_sfn_api_map_run.py::test_map_state_label_too_long_fail",
    ),
    *(
        (
            f"label-char-{ord(ch):02x}",
            machine({**MAP, "ItemProcessor": DISTRIBUTED, "Label": f"label_{ch}"}),
            ("Label",),
            "LS test_sfn_api_map_run.py::test_map_state_label_invalid_char_fail",
        )
        for ch in ' ?*<>{}[]:;,\\|^~$#%&`"\x00\x1f\x7f\x9f'
    ),
    (
        "processor-mode-unknown",
        machine({**MAP, "ItemProcessor": {**PROCESSOR, "ProcessorConfig": {"Mode": "FAST"}}}),
        ("Mode",),
        "asl-ls json-schema/partial/map_state.json ProcessorConfig.Mode enum",
    ),
    (
        "execution-type-unknown",
        machine(
            {
                **MAP,
                "ItemProcessor": {
                    **PROCESSOR,
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "FAST"},
                },
            }
        ),
        ("ExecutionType",),
        "asl-ls map_state.json ProcessorConfig.ExecutionType enum",
    ),
    (
        "reader-input-type-unknown",
        machine(
            {
                **MAP,
                "ItemProcessor": DISTRIBUTED,
                "ItemReader": {**READER, "ReaderConfig": {"InputType": "XML"}},
            }
        ),
        ("InputType",),
        "asl-ls map_state.json ReaderConfig.InputType enum",
    ),
    (
        "task-timeout-over-99999999",
        machine({**TASK, "TimeoutSeconds": 100_000_000}),
        ("TimeoutSeconds",),
        "j2119 (MUST be less than 99999999); asl-ls common.json seconds",
    ),
    (
        "machine-timeout-over-99999999",
        machine(PASS, TimeoutSeconds=100_000_000),
        ("TimeoutSeconds",),
        "j2119",
    ),
    (
        "retry-max-attempts-over-99999999",
        machine({**TASK, "Retry": [{**RETRIER, "MaxAttempts": 100_000_000}]}),
        ("MaxAttempts",),
        "j2119; asl-ls common.json retry",
    ),
    (
        "retry-max-delay-over-31622400",
        machine({**TASK, "Retry": [{**RETRIER, "MaxDelaySeconds": 31_622_401}]}),
        ("MaxDelaySeconds",),
        "asl-ls common.json retry (Maximum: 31622400)",
    ),
    (
        "maxconcurrencypath-reads-the-context",
        machine({**MAP, "MaxConcurrencyPath": "$$.Execution.Input.m"}),
        ("MaxConcurrencyPath", "Reference Path"),
        "floci #3733 ('Value is not a Reference Path'; only ItemsPath accepts the context)",
    ),
    (
        "resultpath-into-the-context",
        machine({**PASS, "ResultPath": "$$.x"}),
        ("ResultPath",),
        "spec: ResultPath MUST NOT begin with '$$'",
    ),
    *(
        (
            f"jsonata-does-not-parse-{index}",
            machine({**PASS, "Output": {"a": [f"{{% {text} %}}"]}}, "JSONata"),
            ("Output.a[0]", "does not parse"),
            "floci #2745 (AWS refuses an expression that does not parse, at creation)",
        )
        for index, text in enumerate(["a[1,2)", '"unterminated', "1 +", '{"a":}', "$x :="])
    ),
    (
        "jsonata-condition-does-not-parse",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Condition": "{% $states.input.a = %}", "Next": "Done"}],
                    "Default": "Done",
                },
                "Done": {"Type": "Succeed"},
            },
        },
        ("Condition", "does not parse"),
        "floci #2745",
    ),
    (
        "errorpath-intrinsic-not-returning-a-string",
        machine({"Type": "Fail", "ErrorPath": "States.ArrayLength($.a)"}),
        ("ErrorPath", "returns a string"),
        "guide state-fail.html (the intrinsics ErrorPath/CausePath may use); "
        "asl-ls INVALID_JSON_PATH_OR_INTRINSIC_STRING_ONLY",
    ),
    (
        "causepath-intrinsic-not-returning-a-string",
        machine({"Type": "Fail", "CausePath": "States.MathAdd($.a, 1)"}),
        ("CausePath", "returns a string"),
        "guide state-fail.html; asl-ls",
    ),
    (
        "comment-not-a-string",
        machine({**PASS, "Comment": 3}),
        ("Comment",),
        "j2119 ('A State MAY have a string field named \"Comment\"')",
    ),
    (
        "root-comment-not-a-string",
        machine(PASS, Comment={"note": 1}),
        ("Comment",),
        "j2119",
    ),
    (
        "itemspath-null",
        machine({**MAP, "ItemsPath": None}),
        ("ItemsPath", "null"),
        "statelint lib/statelint/state_node.rb (ItemsPath is not nullable, unlike InputPath)",
    ),
    (
        "template-keys-collide-after-stripping",
        machine({**PASS, "Parameters": {"a": 1, "a.$": "$"}}),
        ("Parameters", "'a'"),
        "spec Payload Template: no duplicate field names after '.$' is stripped",
    ),
]


@pytest.mark.parametrize(
    ("definition", "words"),
    [pytest.param(d, w, id=i) for i, d, w, _ in REFUSED],
)
def test_a_definition_aws_refuses_is_refused_naming_the_field(
    definition: dict[str, Any], words: tuple[str, ...]
) -> None:
    assert_refused(definition, *words)


def test_every_refusal_cites_its_source() -> None:
    assert all(source for *_, source in REFUSED)
    assert len({i for i, *_ in REFUSED}) == len(REFUSED)


ACCEPTED: list[tuple[str, dict[str, Any], str]] = [
    (
        "timeoutseconds-alone",
        machine({**TASK, "TimeoutSeconds": 5, "HeartbeatSeconds": 4}),
        "j2119",
    ),
    ("error-path-alone", machine({"Type": "Fail", "ErrorPath": "$.e", "Cause": "c"}), "j2119"),
    (
        "fail-without-error-or-cause",
        machine({"Type": "Fail"}),
        "LS base/test_base.py::test_state_fail_empty",
    ),
    (
        "wait-timestamp-fraction-and-offset",
        machine({"Type": "Wait", "Timestamp": "2016-03-05T21:29:29.243167252+01:00"}),
        "LS test_base_scenarios.py::test_wait_timestamp_path[NANOSECONDS]",
    ),
    (
        "label-40-chars",
        machine({**MAP, "ItemProcessor": DISTRIBUTED, "Label": "L" * 40}),
        "LS test_sfn_api_map_run.py (40 characters at most)",
    ),
    (
        "credentials-rolearn-path",
        machine({**TASK, "Credentials": {"RoleArn.$": "$.role"}}),
        "LS credentials/test_credentials_base.py (RoleArn.$ is the path form)",
    ),
    (
        "itemspath-reads-the-context",
        machine({**MAP, "ItemsPath": "$$.Execution.Input"}),
        "floci #3733 (only ItemsPath accepts the Context Object)",
    ),
    (
        "jsonata-state-in-jsonpath-machine",
        machine({**PASS, "QueryLanguage": "JSONata", "Output": 1}),
        "guide statemachine-structure.html (a state may switch to JSONata)",
    ),
    (
        "jsonata-map-itemselector",
        machine(
            {**MAP, "Items": [1], "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}"}},
            "JSONata",
        ),
        "guide state-map.html (ItemSelector in both languages)",
    ),
    (
        "causepath-format-intrinsic",
        machine({"Type": "Fail", "CausePath": "States.Format('cause {}', $.c)"}),
        "guide state-fail.html",
    ),
    (
        "jsonata-literal-strings-are-not-parsed",
        machine({**PASS, "Output": {"a": "{% not closed", "b": "1 + %}"}}, "JSONata"),
        "LS outputdecl/test_output.py::test_base_cases[BASE_LITERALS] "
        "(only exact {% ... %} is an expression)",
    ),
    (
        "distinct-names-in-branches",
        machine(
            {
                **PARALLEL,
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
                ],
            }
        ),
        "spec",
    ),
]


@pytest.mark.parametrize("definition", [pytest.param(d, id=i) for i, d, _ in ACCEPTED])
def test_the_closest_valid_definitions_are_accepted(definition: dict[str, Any]) -> None:
    assert problems_of(definition) == []
