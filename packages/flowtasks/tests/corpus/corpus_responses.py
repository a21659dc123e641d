"""Plausible results of AWS service integrations, shaped as each integration returns them.

Used to mock the Task states of the real-world corpus. The shapes follow the AWS docs of each
optimized integration ("Integrating services with Step Functions",
https://docs.aws.amazon.com/step-functions/latest/dg/integrate-services.html) and of the
AWS SDK responses for ``aws-sdk:*`` tasks; only the fields the corpus reads matter, but the
envelope (``Payload``/``StatusCode`` for Lambda, ``SdkHttpMetadata`` for DynamoDB...) is kept so
paths such as ``$.Payload`` or ``$.SdkHttpMetadata.HttpStatusCode`` resolve as in AWS.
"""

from __future__ import annotations

import json
from typing import Any

REQUEST_ID = "0f2c2a9e-0000-4000-8000-000000000001"
SDK_META: dict[str, Any] = {
    "SdkHttpMetadata": {
        "HttpHeaders": {"Content-Type": "application/x-amz-json-1.0"},
        "HttpStatusCode": 200,
    },
    "SdkResponseMetadata": {"RequestId": REQUEST_ID},
}


def lambda_invoke(payload: Any) -> dict[str, Any]:
    """``arn:aws:states:::lambda:invoke``: the function's return value under ``Payload``."""
    return {"ExecutedVersion": "$LATEST", "Payload": payload, "StatusCode": 200, **SDK_META}


def dynamodb(**fields: Any) -> dict[str, Any]:
    """``dynamodb:putItem/updateItem/deleteItem/getItem`` (pass ``Item=...`` for getItem)."""
    return {**fields, **SDK_META}


def sns_publish() -> dict[str, Any]:
    return {"MessageId": "b7a5c1d0-0000-4000-8000-000000000002", **SDK_META}


def sqs_send() -> dict[str, Any]:
    return {
        "MD5OfMessageBody": "9e107d9d372bb6826bd81d3542a419d6",
        "MessageId": "c4b1e2f3-0000-4000-8000-000000000003",
        **SDK_META,
    }


def events_put() -> dict[str, Any]:
    return {"Entries": [{"EventId": "d5c2f3a4-0000-4000-8000-000000000004"}], "FailedEntryCount": 0}


def start_execution_sync2(output: Any) -> dict[str, Any]:
    """``states:startExecution.sync:2``: the child's output as JSON (``.sync`` gives text)."""
    return {
        "ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:Child:run-1",
        "Input": {},
        "Output": output,
        "StartDate": 1700000000000,
        "StopDate": 1700000001000,
        "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Child",
        "Status": "SUCCEEDED",
    }


def start_execution_sync(output: Any) -> dict[str, Any]:
    result = start_execution_sync2(output)
    result["Output"] = json.dumps(output)
    result["Input"] = "{}"
    return result


def start_execution() -> dict[str, Any]:
    return {
        "ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:Child:run-1",
        "StartDate": 1700000000000,
    }


def http_response(body: Any, status: int = 200) -> dict[str, Any]:
    """``apigateway:invoke`` / ``http:invoke``."""
    return {
        "Headers": {"Content-Type": ["application/json"]},
        "ResponseBody": body,
        "StatusCode": status,
        "StatusText": "OK" if status == 200 else "Error",
    }


def default_result(resource: str) -> Any:
    """A neutral, well-formed result for a Task with this Resource."""
    if ":lambda:invoke" in resource and "waitForTaskToken" not in resource:
        return lambda_invoke({})
    if ":::dynamodb:" in resource:
        return dynamodb()
    if ":::sns:publish" in resource and "waitForTaskToken" not in resource:
        return sns_publish()
    if ":::sqs:sendMessage" in resource and "waitForTaskToken" not in resource:
        return sqs_send()
    if ":::events:putEvents" in resource and "waitForTaskToken" not in resource:
        return events_put()
    if resource.endswith(":::states:startExecution.sync:2"):
        return start_execution_sync2({})
    if resource.endswith(":::states:startExecution.sync"):
        return start_execution_sync({})
    if resource.endswith(":::states:startExecution"):
        return start_execution()
    if resource.endswith(("apigateway:invoke", "http:invoke")):
        return http_response({})
    return {}
