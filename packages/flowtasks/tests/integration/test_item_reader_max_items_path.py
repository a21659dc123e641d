"""ReaderConfig.MaxItemsPath is checked when resolved, as AWS does (S3 is moto on 127.0.0.1).

Source: LocalStack's AWS-recorded ``tests/aws/services/stepfunctions/v2/scenarios/
test_base_scenarios.py::test_map_item_reader_csv_max_items_paths[-1, 0, 1.5, 2, 100000000,
100000001]`` on its template ``map_item_reader_base_csv_max_items_path.json5``: -1 fails the
Map Run with ``States.ItemReaderFailed`` "field MaxItems must be positive"; 1.5 fails the state
with ``States.Runtime``; 0 and anything past 100,000,000 read every item.
"""

from __future__ import annotations

from typing import Any

import pytest

from flowtasks.local import run

CSV = b"Col1,Col2\nValue1,Value2\nValue3,Value4\nValue5,Value6\nValue7,Value8\n"
ROWS = [{"Col1": f"Value{2 * i + 1}", "Col2": f"Value{2 * i + 2}"} for i in range(4)]
DEFINITION = {
    "StartAt": "MapState",
    "States": {
        "MapState": {
            "Type": "Map",
            "MaxConcurrency": 1,
            "ItemReader": {
                "ReaderConfig": {
                    "InputType": "CSV",
                    "CSVHeaderLocation": "FIRST_ROW",
                    "MaxItemsPath": "$.MaxItems",
                },
                "Resource": "arn:aws:states:::s3:getObject",
                "Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$.Key"},
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "PassItem",
                "States": {"PassItem": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
    },
}


@pytest.mark.parametrize(
    ("max_items", "expected"),
    [
        (-1, ("FAILED", "States.ItemReaderFailed", "field MaxItems must be positive")),
        (0, ("SUCCEEDED", ROWS)),
        (
            1.5,
            (
                "FAILED",
                "States.Runtime",
                "An error occurred while executing the state 'MapState' (entered at the event "
                'id #2). The MaxItemsPath field refers to value "1.5" which is not a valid '
                "integer: $.MaxItems",
            ),
        ),
        (2, ("SUCCEEDED", ROWS[:2])),
        (100_000_000, ("SUCCEEDED", ROWS)),
        (100_000_001, ("SUCCEEDED", ROWS)),
    ],
)
def test_max_items_path(s3: tuple[Any, str], max_items: float, expected: tuple[Any, ...]) -> None:
    client, bucket = s3
    client.put_object(Bucket=bucket, Key="file.csv", Body=CSV)
    execution = run(DEFINITION, {"Bucket": bucket, "Key": "file.csv", "MaxItems": max_items})
    if expected[0] == "SUCCEEDED":
        assert (execution.status, execution.output) == expected
    else:
        assert (execution.status, execution.error, execution.cause) == expected


@pytest.mark.parametrize(
    ("max_items", "types"),
    [
        (-1, ["MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed"]),
        (1.5, ["MapStateStarted"]),
    ],
)
def test_the_events_of_a_bad_max_items_path(
    s3: tuple[Any, str], max_items: float, types: list[str]
) -> None:
    # The recorded histories of the same two runs: the Map state starts with length 0.
    client, bucket = s3
    client.put_object(Bucket=bucket, Key="file.csv", Body=CSV)
    execution = run(DEFINITION, {"Bucket": bucket, "Key": "file.csv", "MaxItems": max_items})
    got = [event["type"] for event in execution.history]
    assert got == ["ExecutionStarted", "MapStateEntered", *types, "ExecutionFailed"]
    started = next(e for e in execution.history if e["type"] == "MapStateStarted")
    assert started["mapStateStartedEventDetails"] == {"length": 0}
