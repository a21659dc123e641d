"""How each real-world corpus definition is run: its input, its mocked Tasks, what must happen.

One `Scenario` per file of ``shared/asl-examples`` (file name without ``.json``). Task states not
listed in ``mocks`` get a neutral result shaped like their integration's response
(`corpus_responses.default_result`). Mocks use `flowtasks.testing` semantics: a value, a callable, a
list (one outcome per call) or an exception (``TaskError(error, cause)``).

``status`` / ``error`` / ``visits`` are what ASL semantics make of the chosen input and mocked
results (the path through the Choice rules, Retry and Catch); they are not AWS recordings. The
AWS-recorded results of the LocalStack files live in ``expected/`` and are checked by
``test_recorded.py``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from corpus_presence import CORPUS_DIR
from corpus_responses import (
    dynamodb,
    http_response,
    lambda_invoke,
    start_execution_sync2,
)

from flowtasks.testing import TaskError, returns


class EngineLacksFeature(AssertionError):
    """The run stopped because the engine reported a feature it does not support."""


def check_supported(run: Any) -> None:
    """Raise `EngineLacksFeature` when `run` failed on a feature the engine does not support.

    Strict xfails expect exactly this exception (``raises=``), so a scenario failing for any
    other reason still fails its test.
    """
    cause = run.cause or ""
    if run.status != "SUCCEEDED" and "which the local engine does not support" in cause:
        raise EngineLacksFeature(cause)


@dataclass(frozen=True)
class Scenario:
    """One run of one corpus file."""

    input: Any = None
    mocks: Mapping[str, Any] = field(default_factory=dict)
    status: str = "SUCCEEDED"
    error: str | None = None
    cause: str | None = None
    visits: tuple[str, ...] = ()
    """States that must be entered, in this order (others may come between)."""
    branch_visits: tuple[tuple[str, ...], ...] = ()
    """More sequences checked like `visits`, one per Parallel branch or Map iteration: their
    states interleave with the other branches' (threads), so each is its own sequence."""
    output: Any = None
    """When not None, the exact output (only where ASL semantics fix it from the mocks)."""
    retries: Mapping[str, int] = field(default_factory=dict)
    substitutions: Mapping[str, Any] = field(default_factory=dict)
    """Deployment placeholders replaced before running (as DefinitionSubstitutions would)."""
    s3: Mapping[str, Mapping[str, bytes]] = field(default_factory=dict)
    """Buckets and objects to create on the local S3 server (Distributed Map ItemReader)."""
    skip_waits: bool = True
    xfail: str | None = None
    load_xfail: str | None = None
    note: str = ""


def lambda_error(message: str = "Some exception was raised.") -> TaskError:
    """What a Python Lambda function raising ``Exception(message)`` fails its Task with."""
    cause = json.dumps(
        {"errorMessage": message, "errorType": "Exception", "stackTrace": []},
        separators=(",", ":"),
    )
    return TaskError("Exception", cause)


def first_then(first: Any, then: Any) -> Callable[[Any], Any]:
    """A thread-safe mock: `first` on the first call (over all threads), `then` afterwards."""
    calls = {"n": 0}
    lock = threading.Lock()

    def mock(_: Any) -> Any:
        with lock:
            calls["n"] += 1
            return first if calls["n"] == 1 else then

    return mock


def _config(cont: str) -> dict[str, Any]:
    return dynamodb(
        Item={
            "config_id": {"S": "event_emitter"},
            "worker_count": {"N": "2"},
            "thread_count": {"N": "2"},
            "min_wait": {"N": "1"},
            "max_wait": {"N": "3"},
            "continue": {"S": cont},
        }
    )


_BEDROCK_PIPELINE = (
    "Create Data Source",
    "Start Ingestion Job",
    "Get Ingestion Job",
    "Ingestion Complete?",
    "Create Evaluation Job",
    "Get Evaluation Job Status",
    "Evaluation Complete?",
    "Success",
)

_VERSIONS_BODY = json.dumps(
    {"lambda_function_name": "app-orders", "sorted_versions": ["1", "2", "3", "4", "5"], "count": 5}
)

SCENARIOS: dict[str, Scenario] = {
    # ---------------------------------------------------------------- LocalStack (ls--)
    "ls--activities--heartbeat_id_activity_consumer": Scenario(
        input={"ActivityArn": "arn:aws:states:us-east-1:123456789012:activity:demo"},
        mocks={"GetActivityTask": {"Input": '{"Value1":"HelloWorld"}', "TaskToken": "t-1"}},
        visits=(
            "GetActivityTask",
            "CheckTaskToken",
            "TaskReceived",
            "SendHeartbeat",
            "WaitBeforeSuccess",
            "SendSuccess",
        ),
        output={},
        note="no AWS recording of this definition's own execution (the test records the "
        "producer's); the aws-sdk:sfn results are mocked",
    ),
    "ls--assign--base_assign_from_intrinsic_function": Scenario(input={}),
    "ls--assign--base_var": Scenario(input={"input_value": "input_value_literal"}),
    "ls--assign--map_state_reference_in_tolerated_failure_path": Scenario(input={}),
    "ls--base--query_context_object_values": Scenario(
        input={"message": "TestMessage"}, visits=("QueryValues1", "QueryValues2")
    ),
    "ls--comment--comments_as_per_docs": Scenario(
        input={},
        mocks={"TaskStateCatchRetry": lambda payload: payload},
        visits=(
            "SetupInitialCondition",
            "TaskStateCatchRetry",
            "IsComplete",
            "WaitState",
            "CorrectCondition",
            "TaskStateCatchRetry",
            "IsComplete",
            "SuccessState",
        ),
        output={"status": "complete"},
    ),
    "ls--outputdecl--base_literals": Scenario(input={}),
    "ls--querylanguage--jsonpath_to_jsonata_dataflow": Scenario(
        input={"functionName": "arn:aws:lambda:us-east-1:111111111111:function:f"},
        mocks={"StateJsonata": lambda req: lambda_invoke(req["Payload"])},
    ),
    "ls--scenarios--retry_interval_features": Scenario(
        input={},
        mocks={"LambdaTask": lambda_error()},
        status="FAILED",
        error="Exception",
        retries={"LambdaTask": 2},
        note="the test's Lambda raises Exception; MaxAttempts 2 -> 3 attempts, then the "
        "execution fails with the Task's error (no Catch); AWS's recording: expected/",
    ),
    "ls--scenarios--wait_timestamp": Scenario(input={}, visits=("WaitUntil",), output={}),
    "ls--statevariables--map_catch_error_variable_sampling": Scenario(
        input={"items": [1, 2, 3]},
        mocks={"ProcessItem": lambda_error()},
        visits=("ProcessItems", "ProcessItem", "Fallback"),
    ),
    "ls--test_state--localstack_blogpost_scenario_state_machine": Scenario(
        input={"cost": 10},
        mocks={"Ask for Approval": {"approval": True}},
        visits=("Approval Required", "Ask for Approval", "Check Approval", "Purchase Approved"),
    ),
    # ---------------------------------------------------------------- SAM CLI templates
    "samt--nodejs20.x-step-func--stock_trader": Scenario(
        input={},
        mocks={
            "Check Stock Value": {"stock_price": 42},
            "Buy Stock": {
                "id": "t-1",
                "type": "buy",
                "price": "42",
                "qty": "10",
                "timestamp": "2024-01-01T00:00:00Z",
            },
        },
        visits=("Check Stock Value", "Buy or Sell?", "Buy Stock", "Record Transaction"),
    ),
    "samt--python3.10-step-func-etl--asl": Scenario(
        input={},
        mocks={
            "Glue StartJobRun": {"JobRunId": "jr_1"},
            "Lambda Invoke to Check Status": [
                lambda_invoke({"JobRunState": "RUNNING"}),
                lambda_invoke({"JobRunState": "SUCCEEDED"}),
            ],
            "Lambda Invoke on Success": lambda_invoke({"result": "done"}),
        },
        visits=(
            "Glue StartJobRun",
            "Lambda Invoke to Check Status",
            "Choice",
            "Wait",
            "Lambda Invoke to Check Status",
            "Choice",
            "Lambda Invoke on Success",
        ),
        output={"result": "done"},
    ),
    # ---------------------------------------------------------------- aws-stepfunctions-examples
    "sfe--app-control-concurrency-with-dynamodb--dynamodb-semaphore": Scenario(
        input={},
        mocks={
            "Acquire Lock": [
                TaskError("DynamoDB.AmazonDynamoDBException", "no lock item"),
                dynamodb(),
            ],
            "Run Lambda Function With Controlled Concurrency": lambda_invoke({"worked": True}),
        },
        visits=(
            "Acquire Lock",
            "Initialize Lock Item",
            "Acquire Lock",
            "Here",
            "Work",
            "Run Lambda Function With Controlled Concurrency",
            "Release Lock",
            "Success State",
        ),
        retries={"Acquire Lock": 0},
    ),
    "sfe--app-decompose-for-parallelism--main": Scenario(
        input={"iteration_count": 2},
        mocks={
            "BuildBatches": lambda_invoke(
                {"batch_index": [0, 1], "s3_bucket": "tests", "s3_key": "batches.json"}
            ),
            "GetBatchInfo": lambda_invoke({"tests-to-run": ["t1"], "batchnumber": 1}),
            "RunDistributorStateMachine": start_execution_sync2({"passed": 1}),
            "GetTestRunReport": lambda_invoke({"summary": {"test_count": 2}}),
        },
        visits=(
            "VerifyInput",
            "RecordTestRunStart",
            "BuildBatches",
            "RunTests",
            "GetBatchInfo",
            "ClearResults",
            "GetTestRunReport",
            "RecordTestRunComplete",
        ),
        output={"summary": {"test_count": 2}},
    ),
    "sfe--app-local-testing-mock-config--local_testing": Scenario(
        input={
            "data": {
                "identity": {"email": "jane@example.com", "ssn": "123-45-6789"},
                "address": {"street": "1 Main St", "city": "Seattle", "zip": "98101"},
                "comments": "I love this product",
            }
        },
        mocks={
            "Check Identity": lambda_invoke({"statusCode": 200, "body": '{"approved": true}'}),
            "Check Address": lambda_invoke({"statusCode": 200, "body": '{"approved": true}'}),
            "DetectSentiment": {
                "Sentiment": "POSITIVE",
                "SentimentScore": {"Positive": 0.98, "Negative": 0.01},
            },
        },
        visits=(
            "Validation",
            "DetectSentiment",
            "Is Positive Sentiment?",
            "Add to FollowUp",
            "CustomerAddedToFollowup",
        ),
    ),
    "sfe--app-meeting-summarization--aquire-lock": Scenario(
        input={"lock_name": "transcriptions", "concurrency_limit": 5, "lock_entry": "exec-1"},
        mocks={
            "Acquire Lock": TaskError("DynamoDB.ConditionalCheckFailedException", "limit"),
            "Get Current Lock Record": dynamodb(Item={"exec-1": {"S": "2024-01-01T00:00:00.000Z"}}),
        },
        visits=(
            "Confirm Input",
            "Acquire Lock",
            "Get Current Lock Record",
            "Check If Lock Already Acquired",
            "Continue Because Lock Was Already Acquired",
        ),
        retries={"Acquire Lock": 6},
        note="ConditionalCheckFailed matches the States.ALL retrier (MaxAttempts 6) before "
        "the Catch routes it",
    ),
    "sfe--app-meeting-summarization--transcribe_file": Scenario(
        input={"detail": {"bucket": {"name": "in"}, "object": {"key": "up/meeting 1.mp4"}}},
        mocks={
            "Start Transcription Job": {
                "TranscriptionJob": {
                    "TranscriptionJobName": "job-1",
                    "TranscriptionJobStatus": "IN_PROGRESS",
                }
            },
            "Get Transcription Job": [
                {
                    "TranscriptionJob": {
                        "TranscriptionJobName": "job-1",
                        "TranscriptionJobStatus": "IN_PROGRESS",
                    }
                },
                {
                    "TranscriptionJob": {
                        "TranscriptionJobName": "job-1",
                        "TranscriptionJobStatus": "COMPLETED",
                        "StartTime": "2024-01-01T00:00:00Z",
                        "CompletionTime": "2024-01-01T00:05:00Z",
                        "LanguageCode": "en-US",
                        "MediaFormat": "mp4",
                        "Transcript": {"TranscriptFileUri": "https://s3.amazonaws.com/o/t.json"},
                    }
                },
            ],
        },
        visits=(
            "Prepare Configuration",
            "Aquire Lock",
            "Start Transcription Job",
            "Wait",
            "Get Transcription Job",
            "Is Job Completed?",
            "Wait",
            "Get Transcription Job",
            "Is Job Completed?",
            "Write Transcription Job Summary",
            "Copy Transcription File From Temporary",
            "Publish Event - Transcription Completed",
            "Release Lock",
            "Success",
        ),
    ),
    "sfe--app-order-management--ship-order": Scenario(
        input={
            "detail-type": "OrderCreated",
            "detail": {
                "order_id": "o-1",
                "customer": {"customer_id": "c-1"},
                "products": [
                    {"product_id": "p-1", "quantity": 1},
                    {"product_id": "p-2", "quantity": 2},
                ],
            },
        },
        mocks={
            "Get Customer Status": lambda_invoke({"status": "ok"}),
            "Reserve Product": lambda req: lambda_invoke(
                {"product_id": req["Payload"]["product_id"], "reservation_status": "reserved"}
            ),
            "Initate Packaging and Shipping": {"shipment_id": "s-1"},
        },
        visits=(
            "Validate Input",
            "Get Customer Status",
            "Do Fraud Check",
            "Notify New Order",
            "Reserve Products",
            "Reserve Product",
            "Reservation Successful",
            "Notify Products Reserved",
            "Initate Packaging and Shipping",
            "Notify Successful Shipping",
            "Order Shipped Successfully",
        ),
    ),
    "sfe--app-sfn-appflow-integration--createcatalogtable": Scenario(
        input={
            "detail": {
                "flow-name": "sales-flow",
                "destination-object": "s3://dest/sales",
                "execution-id": "e-1",
                "status": "Execution Successful",
                "num-of-records-processed": "10",
            }
        },
        mocks={
            "DescribeFlow": {
                "FlowName": "sales-flow",
                "DestinationFlowConfigList": [
                    {
                        "ConnectorType": "S3",
                        "DestinationConnectorProperties": {
                            "S3": {
                                "BucketName": "dest",
                                "S3OutputFormatConfig": {
                                    "FileType": "JSON",
                                    "AggregationConfig": {"AggregationType": "None"},
                                },
                            }
                        },
                    }
                ],
                "Tasks": [
                    {
                        "TaskType": "Map",
                        "DestinationField": "id",
                        "SourceFields": ["id"],
                        "TaskProperties": {
                            "SOURCE_DATA_TYPE": "int",
                            "DESTINATION_DATA_TYPE": "int",
                        },
                    },
                    {
                        "TaskType": "Map",
                        "DestinationField": "name",
                        "SourceFields": ["name"],
                        "TaskProperties": {
                            "SOURCE_DATA_TYPE": "string",
                            "DESTINATION_DATA_TYPE": "string",
                        },
                    },
                    {"TaskType": "Filter", "SourceFields": ["id"], "TaskProperties": {}},
                ],
            },
            "TableExist?": {"Table": {"Name": "sales-flow"}},
        },
        visits=(
            "SetDatabaseAndContext",
            "DatabaseExist?",
            "DescribeFlow",
            "S3AsDestination?",
            "GenerateTableDefinition",
            "JsonSerdeInfo",
            "Map",
            "TableExist?",
            "UpdateTable",
            "AddPartition?",
            "SingleFileAggregation?",
            "ConfigureDestination",
            "CreateNewPartition",
            "Success",
        ),
    ),
    "sfe--demo-distributed-map-data-processing--dmap-temperatures": Scenario(
        input={},
        substitutions={
            "${InputBucket}": "corpus-temperatures",
            "${ResultsBucket}": "corpus-results",
        },
        s3={
            "corpus-temperatures": {
                f"station-{i}.csv": b"date,temp\n2024-01-01,20\n" for i in range(3)
            },
            "corpus-results": {},
        },
        mocks={
            "Lambda Invoke": lambda req: lambda_invoke({"stations": len(req["Payload"]["Items"])}),
            "Reducer": lambda_invoke({"average": 20}),
        },
        visits=("DistributedMap", "Reducer"),
        output={"average": 20},
    ),
    "sfe--demo-generate-steady-state-events--event_emitter": Scenario(
        input={},
        mocks={
            "Check Config": _config("true"),
            "Get Config": [_config("true"), _config("false")],
            "Reload Config": first_then(_config("true"), _config("false")),
        },
        visits=(
            "Initialize DDB",
            "Get Config",
            "Continue Distributed Map?",
            "Generate Items",
            "Distributed Map",
            "Get Config",
            "End Execution",
        ),
    ),
    "sfe--genai-prompt-chaining-hitl--workflow": Scenario(
        input={"input": {"key": "video1.mp4"}},
        mocks={
            "StartTranscriptionJob": {
                "TranscriptionJob": {
                    "TranscriptionJobName": "job-1",
                    "TranscriptionJobStatus": "IN_PROGRESS",
                }
            },
            "GetTranscriptionJob": [
                {
                    "TranscriptionJob": {
                        "TranscriptionJobName": "job-1",
                        "Transcript": {},
                        "TranscriptionJobStatus": "IN_PROGRESS",
                    }
                },
                {
                    "TranscriptionJob": {
                        "TranscriptionJobName": "job-1",
                        "Transcript": {"TranscriptFileUri": "s3://b/o.json"},
                        "TranscriptionJobStatus": "COMPLETED",
                    }
                },
            ],
            "Read Transcript": {
                "Body": json.dumps({"results": {"transcripts": [{"transcript": "hello world"}]}})
            },
            "Bedrock InvokeModel": {
                "Body": {"completion": '{"title":"Hello"}'},
                "ContentType": "application/json",
            },
            "Call third-party API": http_response(
                {"choices": [{"message": {"content": '{"title":"Hi"}'}}], "model": "gpt-3.5-turbo"}
            ),
            "Wait for user feedback": {
                "approved": "yes",
                "message": {"title": "Hello", "description": "d"},
            },
            "Generate Avatar": {"Body": "s3://bucket/avatar/video1.mp4.png"},
            "send custom avatar to user": lambda_invoke({"sent": True}),
        },
        visits=(
            "StartTranscriptionJob",
            "GetTranscriptionJob",
            "Choice",
            "Wait",
            "GetTranscriptionJob",
            "Choice",
            "Read Transcript",
            "Pass",
            "Parallel",
            "Wait for user feedback",
            "Choose the title and Description",
            "Generate Avatar",
            "send custom avatar to user",
        ),
        output={"sent": True},
    ),
    # ---------------------------------------------------------------- serverless-patterns
    "sp--eventbridge-stepfunction-lambda-getfunctionstatus": Scenario(
        input={"NextMarker": "", "Function_ARN_List_existing": {"lambda_arn_list_combined": []}},
        mocks={
            "ListFunctions": {"Functions": [{"FunctionName": "f1"}, {"FunctionName": "f2"}]},
            "Lambda Invoke - Combine data": lambda_invoke(
                {
                    "NextMarkercheck": "false",
                    "Function_ARN_List_existing": {
                        "lambda_arn_list_combined": [
                            {"ARN": "arn:aws:lambda:us-east-1:123456789012:function:f1"},
                            {"ARN": "arn:aws:lambda:us-east-1:123456789012:function:f2"},
                        ]
                    },
                }
            ),
            "GetFunction": lambda req: {
                "Configuration": {
                    "FunctionArn": req["FunctionName"],
                    "State": "Inactive" if req["FunctionName"].endswith("f2") else "Active",
                    "StateReason": "idle",
                    "StateReasonCode": "Idle",
                    "LastModified": "2024-01-01T00:00:00.000+0000",
                }
            },
        },
        visits=(
            "ListFunctions",
            "Lambda Invoke - Combine data",
            "Check NextMarker",
            "Map - Loop Functions",
            "Filter Inactive Functions",
            "Choice",
            "Inactive function pass state",
            "SNS Publish",
        ),
    ),
    "sp--sfn-ecs-sam--sfn-ecs-datapipeline": Scenario(
        input={"bucketArray": ["bucket-a", "bucket-b"]},
        mocks={"Invoke ECS Task": {"status": "processed"}},
        visits=("Parallel ECS Tasks", "Invoke ECS Task", "Invoke ECS Task", "Review Results"),
        output={
            "bucketArray": ["bucket-a", "bucket-b"],
            "results": [{"status": "processed"}, {"status": "processed"}],
        },
    ),
    "sp--sfn-glue-sam": Scenario(
        input={},
        mocks={"Feature Engineering": {"Id": "jr_1", "JobName": "fe", "JobRunState": "SUCCEEDED"}},
        output={"glue_job_result": {"Id": "jr_1", "JobName": "fe", "JobRunState": "SUCCEEDED"}},
    ),
    "sp--sfn-manage-container-task-tf": Scenario(
        input={},
        mocks={"Run Fargate Task": TaskError("States.TaskFailed", "Essential container exited")},
        visits=("Run Fargate Task", "Notify Failure"),
    ),
    # ---------------------------------------------------------------- workflows collection
    "wfc--account-vending-machine": Scenario(
        input={
            "OU": "Sandbox",
            "AccountName": "acct",
            "AccountEmail": "a@example.com",
            "StackName": "baseline",
            "TemplateBody": "{}",
        },
        mocks={
            "Get Organization Root": {"Roots": [{"Id": "r-1234", "Name": "Root"}]},
            "Create New Organizational Unit": TaskError(
                "Organizations.DuplicateOrganizationalUnitException", "OU exists"
            ),
            "List Organizational Units": {
                "OrganizationalUnits": [
                    {"Id": "ou-1", "Name": "Other"},
                    {"Id": "ou-2", "Name": "Sandbox"},
                ]
            },
            "Create New Account": {"CreateAccountStatus": {"Id": "car-1", "State": "IN_PROGRESS"}},
            "New Account Status": [
                {"CreateAccountStatus": {"Id": "car-1", "State": "IN_PROGRESS"}},
                {
                    "CreateAccountStatus": {
                        "Id": "car-1",
                        "State": "SUCCEEDED",
                        "AccountId": "111122223333",
                    }
                },
            ],
            "Create Stack": {"StackId": "arn:aws:cloudformation:us-east-1:111122223333:stack/b/1"},
        },
        visits=(
            "Get Organization Root",
            "Create New Organizational Unit",
            "List Organizational Units",
            "Loop over all OUs",
            "Get The OU Details",
            "Create New Account",
            "Wait 30 Sec",
            "New Account Status",
            "Wait 30 Sec",
            "New Account Status",
            "Move Account To OU",
            "New Account Credentials",
            "Create Stack",
        ),
    ),
    "wfc--activity-state-machine-tf": Scenario(
        input={},
        mocks={"Step Functions Run Activity": {"done": True}},
        visits=("Step Functions Run Activity", "Success"),
        output={"done": True},
    ),
    "wfc--async-state-machine-streaming-lambda-results-sam": Scenario(
        input={},
        status="FAILED",
        error="States.IntrinsicFailure",
        visits=("SplitExeArn",),
        note="written for an EXPRESS machine, whose execution ARN has 9 ':'-separated parts "
        "(arn:aws:states:region:account:express:name:id1:id2); a STANDARD execution ARN, which "
        "the local engine gives, has 8, so States.ArrayGetItem(..., 8) fails as it would in AWS",
    ),
    "wfc--bedrock-evaluations-sam": Scenario(
        input={},
        mocks={
            **{
                name: {"KnowledgeBase": {"KnowledgeBaseId": "kb-1"}}
                for name in ("CreateKnowledgeBase", "Create Knowledge Base 2")
            },
            **{
                name: {"DataSource": {"DataSourceId": "ds-1"}}
                for name in ("Create Data Source", "Create Data Source 2")
            },
            **{
                name: {"IngestionJob": {"IngestionJobId": "ij-1"}}
                for name in ("Start Ingestion Job", "Start Ingestion Job 2")
            },
            **{
                name: {"IngestionJob": {"IngestionJobId": "ij-1", "Status": "COMPLETE"}}
                for name in ("Get Ingestion Job", "Get Ingestion Job 2")
            },
            **{
                name: {"JobArn": "arn:aws:bedrock:us-east-1:123456789012:evaluation-job/e-1"}
                for name in ("Create Evaluation Job", "Create Evaluation Job 2")
            },
            **{
                name: {"Status": "Completed"}
                for name in ("Get Evaluation Job Status", "Get Evaluation Job Status 2")
            },
        },
        visits=("Create Evaluation Pipelines",),
        branch_visits=tuple(
            tuple(f"{state}{suffix}" for state in _BEDROCK_PIPELINE) for suffix in ("", " 2")
        ),
        # each branch ends in Succeed with its last Task's result (JSONata: Output = the result)
        output=[{"Status": "Completed"}, {"Status": "Completed"}],
    ),
    "wfc--call-microservice-apigw": Scenario(
        input={},
        mocks={"Call API": http_response({"ok": True})},
        visits=("Call API", "Call Successful?", "Notify Success"),
    ),
    "wfc--distributed-batch-import--create-organization": Scenario(
        input={
            "detail": {"bucket": {"name": "corpus-import"}, "object": {"key": "organizations.json"}}
        },
        substitutions={"${DynamoDBTable}": "Organizations"},
        s3={
            "corpus-import": {
                "organizations.json": json.dumps(
                    [{"name": f"Org {i}", "organization_number": str(i)} for i in range(12)]
                ).encode()
            }
        },
        mocks={"BatchWriteItem": {"UnprocessedItems": {}}},
        visits=("Read S3 file",),
    ),
    "wfc--distributed-data-stream-aggregator": Scenario(
        input={"task_id": "t-1", "task_sort_key": "2024-01-01T00:00:00Z"},
        mocks={
            "Get Third-party locations": {
                "Count": 2,
                "Items": [{"location_id": {"S": "loc-1"}}, {"location_id": {"S": "loc-2"}}],
            },
            "Get location Summary": http_response({"states": {"failed": "1", "rejected": "0"}}),
            "Combine Part Files": {"JobRunId": "jr-1"},
            "Has Job Finish": {"JobRun": {"Id": "jr-1", "JobRunState": "SUCCEEDED"}},
        },
        visits=(
            "Initiate variables",
            "Get Third-party locations",
            "Iterate Containers",
            "Combine Part Files",
            "Wait for the status",
            "Has Job Finish",
            "Has Job succeeded",
            "Update DynamoDb",
            "Job Succeeded",
        ),
    ),
    "wfc--dynamic-rest-api": Scenario(
        input={"httpMethod": "GET", "querystring": {"book_id": "b-1"}},
        mocks={
            "DynamoDB Get Item Task": dynamodb(
                Item={"book_id": {"S": "b-1"}, "Author": {"S": "Ann"}}
            )
        },
        visits=("Choice based on API Call Method", "DynamoDB Get Item Task"),
    ),
    "wfc--either-or-parallel-pattern": Scenario(
        input={"Process1ToComplete": True},
        skip_waits=False,
        visits=(
            "Wait Either For Process Completion Or Timeout",
            "Get Process1 Completion Status",
            "Check If Process1 Completed",
            "Process1 Completed (DummyFailure)",
            "Next Step If Process1 Completes",
        ),
        note="waits are real here: the other branches are still waiting when branch 1 fails "
        "(with a success-marking error), which cancels them at once",
    ),
    "wfc--emit-and-wait": Scenario(
        input={},
        visits=("Emit - PHASE 1", "Emit - PHASE 2", "Emit - PHASE 3"),
    ),
    "wfc--explicit-failure-with-parallel-states": Scenario(
        input={},
        mocks={
            "success state": {"message": "ok"},
            "quick fail": TaskError("QuickFailError", "failed fast"),
        },
        status="FAILED",
        error="QuickFailError",
        cause="failed fast",
        visits=("Parallel", "handle failure", "Aggregrate Results", "Evaluate Results", "Fail"),
    ),
    "wfc--human-task-reminder": Scenario(
        input={},
        substitutions={"${ReminderTimeout}": 120},
        mocks={
            "DDB Get Task Status": dynamodb(Item={"id": {"S": "x"}, "taskComplete": {"S": "true"}})
        },
        visits=(
            "Parallel w/ UUID",
            "Sleep for Reminder",
            "DDB Get Task Status",
            "Is Task Complete?",
            "Success",
        ),
    ),
    "wfc--idempotent-workflow": Scenario(
        input={},
        mocks={
            "Create idempotency settings (key and ttl)": {
                "idempotencyConfig": {"idempotencyKey": "k-1", "ttl": "1700000000"}
            },
            "(which can fail occasionally)": {"ok": True},
        },
        visits=(
            "Create idempotency settings (key and ttl)",
            "Create and lock idempotency record",
            "Your Workflow",
            "(which can fail occasionally)",
            "Save execution results",
            "Success",
        ),
    ),
    "wfc--ingest-and-analyze-historical-storm-events": Scenario(
        input={},
        substitutions={"<bucket_name>": "corpus-storm"},
        s3={"corpus-storm": {f"raw_source/details-{i}.csv.gz": b"x" for i in range(7)}},
        mocks={
            "Decompress File": lambda req: lambda_invoke({"files": len(req["Payload"]["Items"])}),
            "Get Crawler Status": {
                "Crawler": {"Name": "storm_events_data_crawler", "State": "READY"}
            },
            "Query Storm Data": {
                "QueryExecution": {"QueryExecutionId": "q-1", "Status": {"State": "SUCCEEDED"}}
            },
        },
        visits=(
            "Ingest From S3",
            "Ingestion Complete",
            "Crawl Storm Data",
            "Wait",
            "Get Crawler Status",
            "Is Crawler READY?",
            "Query Storm Data",
        ),
    ),
    "wfc--manage-emr-job-cdk": Scenario(
        input={},
        substitutions={"${Partition}": "aws"},
        mocks={
            "Create an EMR cluster": {
                "ClusterId": "j-1ABC",
                "ClusterArn": "arn:aws:elasticmapreduce:c/j-1ABC",
            }
        },
        visits=("Create an EMR cluster", "Run first step", "Run second step", "Terminate Cluster"),
    ),
    "wfc--migrate-csv-to-ddb-distributed-map-main": Scenario(
        input={"bucket_name": "corpus-migrate", "file_key": "customers.csv"},
        s3={"corpus-migrate": {"customers.csv": b"id,name\n1,Ann\n2,Bob\n3,Cy\n"}},
        mocks={
            "Validate, Transform, and Migrate Items": lambda req: lambda_invoke(
                {"migrated": len(req["Payload"]["Items"])}
            ),
            "Consolidate Migration": lambda_invoke({"total": 3}),
        },
        visits=(
            "Read Input File",
            "Consolidate Migration",
            "Publish Results",
            "Migration Complete",
        ),
    ),
    "wfc--path-based-on-data": Scenario(
        input={"type": "Private", "value": 22},
        visits=("Choice State", "NEXT_STATE_TWO"),
        output={"type": "Private", "value": 22},
    ),
    "wfc--quorum-with-parallel-pattern": Scenario(
        input={"quorum": 1},
        skip_waits=False,
        mocks={
            "Mock Process 1": lambda_invoke({"status": "done"}),
            "Mock Process 2": lambda_invoke({"status": "done"}),
            "Mock Process 3": lambda_invoke({"status": "done"}),
            "Get Process Completion Statuses1": dynamodb(
                Item={"successful_processes": {"L": [{"S": "Process1"}]}}
            ),
            "Get Process Completion Statuses2": dynamodb(
                Item={"successful_processes": {"L": [{"S": "Process2"}]}}
            ),
            "Get Process Completion Statuses3": dynamodb(
                Item={"successful_processes": {"L": [{"S": "Process3"}]}}
            ),
        },
        visits=(
            "Log execution in DynamoDB",
            'Wait for at least "quorum" number processes complete',
            "Next Step When Quorum is met",
            'Update "Ran Out of time" to False (if needed)',
            "Get Process Completion Status",
        ),
        # whichever process meets the quorum first (threads), the run ends with the last
        # getItem's result: its integration-shaped default (no mock, no ResultPath)
        output=dynamodb(),
        note="waits are real: the timeout branch is still waiting when a quorum branch fails "
        "with States.QuorumMet, which cancels it",
    ),
    "wfc--resource-configuration-backup-sam": Scenario(
        input={
            "ResourceTypesToLookup": ["AWS::S3::Bucket"],
            "ConfigAggregatorName": "agg",
            "PaginationLimit": 100,
            "S3BucketName": "backups",
        },
        mocks={
            "ListAggregateDiscoveredResources": {
                "ResourceIdentifiers": [
                    {
                        "ResourceId": "r-1",
                        "ResourceType": "AWS::S3::Bucket",
                        "SourceAccountId": "123456789012",
                        "SourceRegion": "us-east-1",
                        "ResourceName": "my-bucket",
                    }
                ]
            },
            "BatchGetAggregateResourceConfig": {
                "BaseConfigurationItems": [
                    {
                        "AccountId": "123456789012",
                        "AwsRegion": "us-east-1",
                        "ResourceType": "AWS::S3::Bucket",
                        "ResourceId": "r-1",
                        "ResourceName": "my-bucket",
                        "Configuration": "{}",
                    }
                ],
                "UnprocessedResourceIdentifiers": [],
            },
        },
        visits=(
            "InputMapping",
            "ListAggregateDiscoveredResources",
            "MapResolverRulesAndAssociations",
            "BatchGetAggregateResourceConfig",
            "WriteToS3WithResourceNameOrResourceId",
            "PutObjectUsingResourceName",
            "Choice",
            "Success",
        ),
    ),
    "wfc--s3-bucket-nested-distributed-map": Scenario(
        input={},
        s3={"bucket": {f"item-{i}.json": b"{}" for i in range(3)}},
        mocks={"GetObjectFromBucket": {"Body": '{"id": 1}', "ContentType": "application/json"}},
        visits=("S3 Distributed Map State Machine", "Fail", "End"),
    ),
    "wfc--saga-pattern-cdk": Scenario(
        input={"trip_id": "t-1"},
        mocks={"ProcessPayment": TaskError("PaymentDeclined", "card declined")},
        status="FAILED",
        error="Job Failed",
        visits=(
            "ReserveFlight",
            "ReserveCarRental",
            "ProcessPayment",
            "RefundPayment",
            "CancelRentalReservation",
            "CancelFlightReservation",
            "SendingSMSFailure",
            "Reservation Failed",
        ),
        retries={"ProcessPayment": 0},
    ),
    "wfc--segment-detection-workflow": Scenario(
        input={
            "Input": {"Bucket": "videos", "Key": "v.mp4"},
            "Output": {"Bucket": "clips", "Key": "v/"},
        },
        mocks={
            "StartSegmentDetection": {"JobId": "job-1"},
            "GetSegmentDetection": [
                {"JobStatus": "IN_PROGRESS"},
                {"JobStatus": "SUCCEEDED", "Segments": [{"EndTimecodeSMPTE": "00:00:10:00"}]},
            ],
            "MediaConvert CreateJob": {"Job": {"Id": "mc-1", "Status": "COMPLETE"}},
        },
        visits=(
            "StartSegmentDetection",
            "Wait",
            "GetSegmentDetection",
            "Choice",
            "Wait",
            "GetSegmentDetection",
            "Choice",
            "MediaConvert CreateJob",
        ),
    ),
    "wfc--sfn-cfn-stacksets-workflow-cdk": Scenario(
        input={
            "operation": "create",
            "managementAccountId": "123456789012",
            "templateURL": "https://s3.amazonaws.com/templates/roles.yaml",
        },
        mocks={
            "ListRoots": {"Roots": [{"Id": "r-1"}]},
            "CreateStackSet": {"StackSetId": "ss-1"},
            "CreateStackInstances": {"OperationId": "op-1"},
            "CheckCreatingStackSetStatus": {"StackSetOperation": {"Status": "SUCCEEDED"}},
        },
        visits=(
            "ListRoots",
            "CreateOrDelete?",
            "CreateStackSet",
            "CreateStackInstances",
            "Creating, Wait 5s",
            "CheckCreatingStackSetStatus",
            "Create Completed?",
            "StackSet Created",
        ),
        output={"Status": "SUCCEEDED"},
    ),
    "wfc--sfn-eks-inventory": Scenario(
        input={},
        substitutions={"${inventoryBucket.bucketName}": "corpus-inventory"},
        s3={"corpus-inventory": {}},
        mocks={
            "ListAccounts": {
                "Accounts": [
                    {"Id": "111111111111", "Name": "a"},
                    {"Id": "222222222222", "Name": "b"},
                ]
            },
            "Lambda Invoke": lambda_invoke([{"cluster": "c1"}]),
        },
        visits=("ListAccounts", "MapAccounts"),
    ),
    "wfc--sfn-rekognition-video-catalog-workflow": Scenario(
        input={},
        substitutions={"videos-for-processing-{ACCOUNT-NUMBER}-{REGION}": "corpus-videos"},
        s3={"corpus-videos": {"video-1.mp4": b"v"}},
        mocks={
            "StartContentModeration": {"JobId": "cm-1"},
            "GetContentModeration": {"JobStatus": "SUCCEEDED", "ModerationLabels": []},
            "StartSegmentDetection": {"JobId": "sd-1"},
            "GetSegmentDetection": {"JobStatus": "SUCCEEDED", "Segments": []},
            "StartLabelDetection": {"JobId": "ld-1"},
            "GetLabelDetection": {"JobStatus": "SUCCEEDED", "Labels": []},
        },
        visits=(
            "Content Moderation Map",
            "Segment Detection Map",
            "Label Detection Map",
            "Create/Update VideoContentCatalog",
            "Move Proccessed Files",
        ),
    ),
    "wfc--sfn-sns-task-timer--tasktimer": Scenario(
        input={"taskname": "report", "expirydate": "2030-01-01T00:00:00Z"},
        mocks={"CalculateTaskExpiry": lambda_invoke({"expirydate": 3600})},
        visits=(
            "CalculateTaskExpiry",
            "CheckForValidExpiryDate",
            "ValidTaskExpiryDate",
            "InvokeTimeboundedChildTasks",
            "SuccessfullChildTaskExecution",
        ),
    ),
    "wfc--smart-cron-job": Scenario(
        input={"timestamp": "2020-01-01T00:00:00Z", "job": "nightly"},
        mocks={"MainState": start_execution_sync2({"done": True})},
        visits=("Wait until timestamp", "MainState"),
        output={"done": True},
    ),
    "wfc--step-functions-lambda-version-cleanup": Scenario(
        input={},
        substitutions={"${filter_prefix}": "app-"},
        mocks={
            "List function names": {
                "Functions": [{"FunctionName": "app-orders"}, {"FunctionName": "other"}]
            },
            "Get array of all versions": {
                "Versions": [{"Version": v} for v in ("$LATEST", "1", "2", "3", "4", "5")]
            },
            "Remove $LATEST version": lambda_invoke({"statusCode": 200, "body": _VERSIONS_BODY}),
        },
        visits=(
            "List function names",
            "Iterate Functions",
            "More functions to process?",
            "Success",
        ),
        branch_visits=(  # app-orders' iteration: 5 versions, the 3 newest kept
            (
                "Get array of all versions",
                "Remove $LATEST version",
                "Check number of versions",
                "Delete oldest version",
                "Remove deleted version and decrement version count",
                "Check number of versions",
                "Delete oldest version",
                "Remove deleted version and decrement version count",
                "Check number of versions",
                "Nothing to do",
            ),
        ),
        output={"Functions": [{"FunctionName": "app-orders"}, {"FunctionName": "other"}]},
    ),
    "wfc--synchronous-job": Scenario(
        input={},
        mocks={
            "Submit Batch Job": {
                "JobId": "j-1",
                "JobName": "BatchJobNotification",
                "Status": "SUCCEEDED",
            }
        },
        visits=("Submit Batch Job", "Notify Success"),
    ),
    "wfc--train-ml-model": Scenario(
        input={},
        substitutions={"${partition}": "aws"},
        mocks={
            "Generate dataset": {"train": "s3://bucket/csv/train.csv"},
            "Train model (XGBoost)": {
                "TrainingJobName": "xgb-1",
                "TrainingJobStatus": "Completed",
                "ModelArtifacts": {"S3ModelArtifacts": "s3://b/m.tar.gz"},
            },
            "Save Model": {"ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/xgb-1"},
            "Batch transform": {"TransformJobStatus": "Completed"},
        },
        visits=("Generate dataset", "Train model (XGBoost)", "Save Model", "Batch transform"),
    ),
    "wfc--transfer-data-records": Scenario(
        input={},
        mocks={
            "Seed the DynamoDB Table": returns(["m-1", "m-2", "DONE"]),
            "Read Next Message from DynamoDB": lambda req: dynamodb(
                Item={"MessageId": req["Key"]["MessageId"], "Message": {"S": "hello"}}
            ),
        },
        visits=(
            "Seed the DynamoDB Table",
            "For Loop Condition",
            "Read Next Message from DynamoDB",
            "Send Message to SQS",
            "Pop Element from List",
            "For Loop Condition",
            "Read Next Message from DynamoDB",
            "Send Message to SQS",
            "Pop Element from List",
            "For Loop Condition",
            "Succeed",
        ),
        output={"List": ["DONE"]},
    ),
    "wfc--workflow-within-a-workflow--main-state-machine": Scenario(
        input={},
        mocks={
            "Start new workflow and wait for completion": start_execution_sync2({"ok": True}),
            "Start new workflow and wait for callback": {"callback": True},
        },
        visits=("Start new workflow and continue", "Start in parallel"),
        output=[{"ok": True}, {"callback": True}],
    ),
}


def load(name: str, substitutions: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The corpus definition `name`, with deployment placeholders substituted.

    A placeholder given a non-string value replaces the whole JSON string that holds it
    (``"Seconds": "${ReminderTimeout}"`` becomes ``"Seconds": 120``).
    """
    text = (CORPUS_DIR / f"{name}.json").read_text(encoding="utf-8")
    for placeholder, value in (substitutions or {}).items():
        if isinstance(value, str):
            text = text.replace(placeholder, value)
        else:
            text = text.replace(json.dumps(placeholder), json.dumps(value))
    loaded: dict[str, Any] = json.loads(text)
    return loaded
