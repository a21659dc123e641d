"""The ECS STOPPED-event reporter: its ASL, run by the engine on ECS's event, fails exactly the
Task state whose container stopped without reporting; the stack wires it to the cluster."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowtasks.deploy.domain import domain_environment, domain_template
from flowtasks.deploy.image import parse_image
from flowtasks.deploy.reporter import SEND_TASK_FAILURE, reporter_definition
from flowtasks.errors import TaskError
from flowtasks.local import run


def stopped_event(environment: list[dict[str, str]]) -> dict[str, Any]:
    """An "ECS Task State Change" event of a stopped task, as EventBridge delivers it."""
    return {
        "version": "0",
        "id": "3317b2af-7005-947d-b652-f55e762e571a",
        "detail-type": "ECS Task State Change",
        "source": "aws.ecs",
        "account": "111111111111",
        "time": "2026-01-01T12:00:00Z",
        "region": "eu-west-1",
        "resources": ["arn:aws:ecs:eu-west-1:111111111111:task/data-flows-dev/0b3a"],
        "detail": {
            "clusterArn": "arn:aws:ecs:eu-west-1:111111111111:cluster/data-flows-dev",
            "taskArn": "arn:aws:ecs:eu-west-1:111111111111:task/data-flows-dev/0b3a",
            "taskDefinitionArn": "arn:aws:ecs:eu-west-1:111111111111:task-definition/"
            "flows-demo-dev:7",
            "lastStatus": "STOPPED",
            "desiredStatus": "STOPPED",
            "stopCode": "EssentialContainerExited",
            "stoppedReason": "OutOfMemoryError: Container killed due to memory usage",
            "containers": [{"name": "flows", "exitCode": 137, "lastStatus": "STOPPED"}],
            "overrides": {
                "containerOverrides": [
                    {
                        "name": "flows",
                        "command": ["flow-task", "state", "demo.VendorIngest", "LoadFile"],
                        "environment": environment,
                    }
                ]
            },
        },
    }


def test_a_stopped_container_fails_its_task_state_with_ecs_reason() -> None:
    calls: list[Any] = []
    event = stopped_event(
        [
            {"name": "FLOWTASKS_EXECUTION", "value": "arn:aws:states:...:execution:x:y"},
            {"name": "FLOWTASKS_TASK_TOKEN", "value": "token-123"},
        ]
    )
    execution = run(reporter_definition(), event, {SEND_TASK_FAILURE: calls.append})
    assert execution.status == "SUCCEEDED"
    assert calls == [
        {
            "TaskToken": "token-123",
            "Error": "FlowTasks.ContainerStopped",
            "Cause": "the container stopped without reporting: OutOfMemoryError: Container "
            "killed due to memory usage (task arn:aws:ecs:eu-west-1:111111111111:task/"
            "data-flows-dev/0b3a)",
        }
    ]


def test_a_token_the_runner_already_spent_ends_quietly() -> None:
    def spent(_: Any) -> Any:
        raise TaskError("Sfn.InvalidTokenException", "Invalid Token")

    event = stopped_event([{"name": "FLOWTASKS_TASK_TOKEN", "value": "token-123"}])
    execution = run(reporter_definition(), event, {SEND_TASK_FAILURE: spent})
    assert execution.status == "SUCCEEDED"
    assert [e["type"] for e in execution.history][-2:] == [
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]
    assert any(
        e.get("stateEnteredEventDetails", {}).get("name") == "AlreadyReported"
        for e in execution.history
    )


def test_any_other_refusal_fails_the_reporter_where_it_shows() -> None:
    def denied(_: Any) -> Any:
        raise TaskError("Sfn.AccessDeniedException", "not authorized to perform SendTaskFailure")

    event = stopped_event([{"name": "FLOWTASKS_TASK_TOKEN", "value": "token-123"}])
    execution = run(reporter_definition(), event, {SEND_TASK_FAILURE: denied})
    assert (execution.status, execution.error) == ("FAILED", "Sfn.AccessDeniedException")


def test_a_task_without_a_token_is_not_ours() -> None:
    calls: list[Any] = []
    execution = run(reporter_definition(), stopped_event([]), {SEND_TASK_FAILURE: calls.append})
    assert execution.status == "SUCCEEDED"
    assert calls == []


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_stack_routes_the_domains_stopped_tasks_to_the_reporter(env: str) -> None:
    environment = domain_environment("demo", env)
    image = f"{environment.account}.dkr.ecr.eu-west-1.amazonaws.com/flows-demo@sha256:" + "a" * 64
    resources = domain_template("demo", environment, parse_image(image))["Resources"]
    rule = resources["StoppedTaskRule"]["Properties"]
    assert rule["EventPattern"]["detail"]["lastStatus"] == ["STOPPED"]
    assert rule["EventPattern"]["detail"]["clusterArn"] == [environment.cluster_arn]
    assert rule["EventPattern"]["detail"]["taskDefinitionArn"][0]["prefix"]["Fn::Sub"].endswith(
        f":task-definition/flows-demo-{env}:"
    )
    assert rule["Targets"][0]["Arn"] == {"Ref": "StoppedTaskReporter"}
    reporter = resources["StoppedTaskReporter"]["Properties"]
    assert reporter["StateMachineType"] == "EXPRESS"
    assert json.loads(reporter["DefinitionString"]) == reporter_definition()
    policy = resources["StoppedTaskReporterRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    assert [s["Action"] for s in policy["Statement"]] == [["states:SendTaskFailure"]]
