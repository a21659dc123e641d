"""Values a state reads through a path (or a JSONata expression) are checked when resolved.

Every expected status, error and cause is what AWS recorded in LocalStack's snapshot tests
(``tests/aws/services/stepfunctions/v2/<file>::<test>[param]`` in localstack/localstack), run
on the same template with the same input. Retry fields have no path or expression forms (the
ASL specification; aws/amazon-states-language-service schema), so nothing of theirs is resolved
at run time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flowtasks.local import FakeClock, run

PREFIX = "An error occurred while executing the state '{state}' (entered at the event id #{id}). "


def outcome(definition: dict[str, Any], execution_input: Any) -> tuple[str, Any, Any]:
    """(status, error, cause); skipped waits take no time."""
    execution = run(definition, execution_input, skip_waits=True, history_limit=None)
    return execution.status, execution.error, execution.cause


# base/statemachines/wait_seconds_path.json5
WAIT_SECONDS_PATH = {
    "StartAt": "WaitState",
    "States": {"WaitState": {"Type": "Wait", "SecondsPath": "$.input.waitSeconds", "End": True}},
}


@pytest.mark.parametrize(
    ("seconds", "cause"),
    [
        (-1, "The SecondsPath parameter references a negative value: $.input.waitSeconds == -1"),
        (
            -1.5,
            "The SecondsPath parameter cannot be parsed as a long value: "
            "$.input.waitSeconds == -1.5",
        ),
        (0, None),
        (1, None),
        (
            1.5,
            "The SecondsPath parameter cannot be parsed as a long value: "
            "$.input.waitSeconds == 1.5",
        ),
    ],
)
def test_wait_seconds_path_must_select_a_whole_non_negative_number(
    seconds: float, cause: str | None
) -> None:
    # base/test_wait.py::test_base_wait_seconds_path[-1, -1.5, 0, 1, 1.5]
    result = outcome(WAIT_SECONDS_PATH, {"input": {"waitSeconds": seconds}})
    if cause is None:
        assert result == ("SUCCEEDED", None, None)
    else:
        full = PREFIX.format(state="WaitState", id=2) + cause
        assert result == ("FAILED", "States.Runtime", full)


def test_wait_seconds_path_selecting_nothing() -> None:
    # logs/test_logs.py::test_base[wait_seconds_path.json5_ALL_False]
    cause = "The SecondsPath parameter does not reference an input value: $.input.waitSeconds"
    assert outcome(WAIT_SECONDS_PATH, {}) == (
        "FAILED",
        "States.Runtime",
        PREFIX.format(state="WaitState", id=2) + cause,
    )


# base/statemachines/wait_timestamp_path.json5
WAIT_TIMESTAMP_PATH = {
    "StartAt": "State_1",
    "States": {"State_1": {"Type": "Wait", "TimestampPath": "$.start_at", "End": True}},
}


@pytest.mark.parametrize(("days", "too_long"), [(24855, False), (24856, True)])
def test_a_wait_longer_than_2_to_the_31_seconds_is_too_long(days: int, too_long: bool) -> None:
    # base/test_wait.py::test_timestamp_too_far_in_future_boundary[24855, 24856]: 24855 days
    # ahead waits, 24856 days ahead fails at once ("2147483648 [is] the maximum").
    now = datetime(2026, 1, 1, tzinfo=UTC)
    moment = (now + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    execution = run(
        WAIT_TIMESTAMP_PATH, {"start_at": moment}, skip_waits=True, clock=FakeClock(now.timestamp())
    )
    if too_long:
        assert (execution.status, execution.error, execution.cause) == (
            "FAILED",
            "States.Runtime",
            PREFIX.format(state="State_1", id=2) + "Wait state delay is too long.",
        )
    else:
        assert execution.status == "SUCCEEDED"


# scenarios/statemachines/wait_timestamp_path.json5 and wait_timestamp_jsonata.json5
TIMESTAMPS = [
    ("SECONDS", "2016-03-14T01:59:00Z", True),
    ("NANOSECONDS", "2016-03-05T21:29:29.243167252Z", True),
    ("NO_T", "2016-12-05 21:29:29Z", False),
    ("NO_Z", "2016-12-05T21:29:29", False),
    ("INVALID_DATE", "2016-13-05T21:29:29Z", False),
    ("INVALID_TIME", "2016-12-05T25:29:29Z", False),
    ("INVALID_ISO", "05-12-2016T21:29:29Z", False),
]


@pytest.mark.parametrize(("value", "valid"), [pytest.param(v, ok, id=i) for i, v, ok in TIMESTAMPS])
def test_wait_timestamp_path_must_select_an_rfc3339_timestamp(value: str, valid: bool) -> None:
    # scenarios/test_base_scenarios.py::test_wait_timestamp_path[<id>]
    definition = {
        "StartAt": "WaitUntil",
        "States": {"WaitUntil": {"Type": "Wait", "TimestampPath": "$.TimestampValue", "End": True}},
    }
    result = outcome(definition, {"TimestampValue": value})
    if valid:
        assert result == ("SUCCEEDED", None, None)
    else:
        cause = (
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
            f"date-time format string: $.TimestampValue == {value}"
        )
        assert result == (
            "FAILED",
            "States.Runtime",
            PREFIX.format(state="WaitUntil", id=2) + cause,
        )


@pytest.mark.parametrize(("value", "valid"), [pytest.param(v, ok, id=i) for i, v, ok in TIMESTAMPS])
def test_a_jsonata_wait_timestamp_must_give_an_rfc3339_timestamp(value: str, valid: bool) -> None:
    # scenarios/test_base_scenarios.py::test_wait_timestamp_jsonata[<id>]
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "WaitState",
        "States": {
            "WaitState": {
                "Type": "Wait",
                "Timestamp": "{% $states.input.TimestampValue %}",
                "End": True,
            }
        },
    }
    result = outcome(definition, {"TimestampValue": value})
    if valid:
        assert result == ("SUCCEEDED", None, None)
    else:
        cause = (
            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
            f"format string: {value}"
        )
        assert result == (
            "FAILED",
            "States.QueryEvaluationError",
            PREFIX.format(state="WaitState", id=2) + cause,
        )


def map_with(field: str, processor_mode: str = "INLINE") -> dict[str, Any]:
    config: dict[str, Any] = {"Mode": processor_mode}
    if processor_mode == "DISTRIBUTED":
        config["ExecutionType"] = "STANDARD"
    return {
        "StartAt": "MapState",
        "States": {
            "MapState": {
                "Type": "Map",
                "ItemsPath": "$.Items",
                "ItemProcessor": {
                    "ProcessorConfig": config,
                    "StartAt": "HandleItem",
                    "States": {"HandleItem": {"Type": "Pass", "End": True}},
                },
                f"{field}Path": f"$.{field}",
                "End": True,
            }
        },
    }


NOT_AN_INTEGER = (
    'The {field}Path field refers to value "{shown}" which is not a valid {kind}: $.{field}'
)
MAP_PATH_CASES = [
    # scenarios/test_base_scenarios.py::test_max_concurrency_path[{}, NoNumber, 0, 1]
    (
        "MaxConcurrency",
        "INLINE",
        {},
        NOT_AN_INTEGER.format(field="MaxConcurrency", shown="{}", kind="integer"),
    ),
    (
        "MaxConcurrency",
        "INLINE",
        "NoNumber",
        NOT_AN_INTEGER.format(field="MaxConcurrency", shown="NoNumber", kind="integer"),
    ),
    ("MaxConcurrency", "INLINE", 0, None),
    ("MaxConcurrency", "INLINE", 1, None),
    # ::test_map_state_tolerated_failure_count_path[{}, NoNumber, -1, 0, 1]
    (
        "ToleratedFailureCount",
        "DISTRIBUTED",
        {},
        NOT_AN_INTEGER.format(field="ToleratedFailureCount", shown="{}", kind="integer"),
    ),
    (
        "ToleratedFailureCount",
        "DISTRIBUTED",
        "NoNumber",
        NOT_AN_INTEGER.format(field="ToleratedFailureCount", shown="NoNumber", kind="integer"),
    ),
    ("ToleratedFailureCount", "DISTRIBUTED", -1, "ToleratedFailureCount cannot be negative."),
    ("ToleratedFailureCount", "DISTRIBUTED", 0, None),
    ("ToleratedFailureCount", "DISTRIBUTED", 1, None),
    # ::test_map_state_tolerated_failure_percentage_path
    # [{}, NoNumber, -1.1, -1, 0, 1, 1.1, 100, 100.1]
    (
        "ToleratedFailurePercentage",
        "DISTRIBUTED",
        {},
        NOT_AN_INTEGER.format(field="ToleratedFailurePercentage", shown="{}", kind="float"),
    ),
    (
        "ToleratedFailurePercentage",
        "DISTRIBUTED",
        "NoNumber",
        NOT_AN_INTEGER.format(field="ToleratedFailurePercentage", shown="NoNumber", kind="float"),
    ),
    (
        "ToleratedFailurePercentage",
        "DISTRIBUTED",
        -1.1,
        "ToleratedFailurePercentage must be between 0 and 100.",
    ),
    (
        "ToleratedFailurePercentage",
        "DISTRIBUTED",
        -1,
        "ToleratedFailurePercentage must be between 0 and 100.",
    ),
    ("ToleratedFailurePercentage", "DISTRIBUTED", 0, None),
    ("ToleratedFailurePercentage", "DISTRIBUTED", 1, None),
    ("ToleratedFailurePercentage", "DISTRIBUTED", 1.1, None),
    ("ToleratedFailurePercentage", "DISTRIBUTED", 100, None),
    (
        "ToleratedFailurePercentage",
        "DISTRIBUTED",
        100.1,
        "ToleratedFailurePercentage must be between 0 and 100.",
    ),
]


@pytest.mark.parametrize(
    ("field", "mode", "value", "cause"),
    [pytest.param(*case, id=f"{case[0]}Path={case[2]!r}") for case in MAP_PATH_CASES],
)
def test_map_number_paths_are_checked_when_resolved(
    field: str, mode: str, value: Any, cause: str | None
) -> None:
    execution_input = {"Items": [0], field: value}
    result = outcome(map_with(field, mode), execution_input)
    if cause is None:
        assert result == ("SUCCEEDED", None, None)
    else:
        assert result == ("FAILED", "States.Runtime", PREFIX.format(state="MapState", id=2) + cause)


def test_a_negative_max_concurrency_path_fails_rather_than_hanging() -> None:
    # scenarios/test_base_scenarios.py::test_max_concurrency_path_negative: AWS never finishes
    # the execution (LocalStack skips verifying its events). The engine fails it instead, with
    # States.Runtime naming the field: a local run must end (documented in asl-support.md).
    status, error, cause = outcome(map_with("MaxConcurrency"), {"Items": [0], "MaxConcurrency": -1})
    assert (status, error) == ("FAILED", "States.Runtime")
    assert "MaxConcurrencyPath" in cause
    assert "-1" in cause


JSONATA_ITEMS = {
    "QueryLanguage": "JSONata",
    "StartAt": "MapIterateState",
    "States": {
        "MapIterateState": {
            "Type": "Map",
            "MaxConcurrency": 1,
            "Items": "_tbd_",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Pass",
                "States": {"Pass": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
    },
}


@pytest.mark.parametrize(
    ("literal", "kind", "shown"),
    [
        ("1", "number", "1"),
        ("'string'", "string", '"string"'),
        ("true", "boolean", "true"),
        ("{'foo': 'bar'}", "object", '{"foo":"bar"}'),
        ("null", "null", "null"),
    ],
    ids=["number", "string", "boolean", "object", "null"],
)
def test_jsonata_map_items_must_give_an_array(literal: str, kind: str, shown: str) -> None:
    # scenarios/test_base_scenarios.py::test_map_state_items_eval_jsonata_fail[<id>]
    definition = {
        **JSONATA_ITEMS,
        "States": {
            "MapIterateState": {
                **JSONATA_ITEMS["States"]["MapIterateState"],
                "Items": f"{{% {literal} %}}",
            }
        },
    }  # type: ignore[dict-item]
    cause = (
        f"The JSONata expression '{literal}' specified for the field 'Items' returned an "
        f"unexpected result type. Expected 'array', but was '{kind}' for value: {shown}"
    )
    assert outcome(definition, {}) == (
        "FAILED",
        "States.QueryEvaluationError",
        PREFIX.format(state="MapIterateState", id=2) + cause,
    )


@pytest.mark.parametrize(
    ("items", "shown"),
    [
        (1, "1"),
        ("string", '"string"'),
        (True, "true"),
        ({"foo": "bar"}, '{"foo":"bar"}'),
        (None, "null"),
    ],
    ids=["number", "string", "boolean", "object", "null"],
)
def test_a_jsonata_map_input_must_be_an_array(items: Any, shown: str) -> None:
    # scenarios/test_base_scenarios.py::test_map_state_items_input_types[<id>] (no Items: the
    # state's input is iterated)
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Pass",
                "Output": "{% $states.input.items %}",
                "Next": "MapIterateState",
            },
            "MapIterateState": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Pass",
                    "States": {"Pass": {"Type": "Pass", "End": True}},
                },
                "End": True,
            },
        },
    }
    assert outcome(definition, {"items": items}) == (
        "FAILED",
        "States.QueryEvaluationError",
        PREFIX.format(state="MapIterateState", id=4)
        + f"Map state input must be an array but was: {shown}",
    )


@pytest.mark.parametrize("field", ["TimeoutSecondsPath", "HeartbeatSecondsPath"])
def test_a_task_timeout_path_selecting_nothing(field: str) -> None:
    # scenarios/test_base_scenarios.py::test_invalid_jsonpath
    # [ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH] and [ST.INVALID_JSONPATH_IN_HEARTBEATSECONDSPATH]
    # (templates invalid_jsonpath_in_timeoutsecondspath.json5 / ..._heartbeatsecondspath.json5)
    definition = {
        "StartAt": "task",
        "States": {
            "task": {
                "Type": "Task",
                field: "$.NoSuchTimeoutSecondsPath",
                "Resource": "arn:aws:states:::aws-sdk:s3:listBuckets",
                "Parameters": {},
                "End": True,
            }
        },
    }
    execution = run(definition, {"int-literal": 0}, handlers={"task": lambda _: {}})
    cause = (
        "Invalid path '$.NoSuchTimeoutSecondsPath' : No results for path: "
        "$['NoSuchTimeoutSecondsPath']"
    )
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "States.Runtime",
        PREFIX.format(state="task", id=2) + cause,
    )
