"""The ECS STOPPED-event reporter: fail a Task state whose container stopped without reporting.

A container that dies before the runner reports (out of memory, image pull failure, a native
crash, Fargate capacity) would leave its ``runTask.waitForTaskToken`` state waiting until its
timeout. The stack therefore holds what the runner's contract asks for
(`flowtasks.runner.aws_resources.RUNNER.dead_container`):

- ``StoppedTaskRule``: an EventBridge rule on "ECS Task State Change" events with
  ``lastStatus`` STOPPED, for the environment's cluster and the domain's task definition family;
- ``StoppedTaskReporter``: a small Express state machine (`reporter_definition`, no code) that
  reads the task token from the stopped task's container overrides (``FLOWTASKS_TASK_TOKEN``,
  `flowtasks.protocol`) and calls ``SendTaskFailure`` with `ERROR_CONTAINER_STOPPED` and ECS's
  stopped reason as the cause. When the runner has reported already, the token is spent and
  Step Functions refuses the call (`SPENT_TOKEN_ERRORS`): the reporter ends quietly.
"""

from __future__ import annotations

from typing import Any

from flowtasks.protocol import ERROR_CONTAINER_STOPPED
from flowtasks.runner.aws_resources import RUNNER

__all__ = [
    "ERROR_CONTAINER_STOPPED",
    "SEND_TASK_FAILURE",
    "SPENT_TOKEN_ERRORS",
    "reporter_definition",
    "stopped_task_pattern",
]

SEND_TASK_FAILURE = "arn:aws:states:::aws-sdk:sfn:sendTaskFailure"
SPENT_TOKEN_ERRORS = tuple(
    f"Sfn.{name}Exception" for name in sorted(RUNNER.dead_container.refused_means_reported)
)
"""SendTaskFailure's answers meaning the token is spent (the runner reported first, or the state
ended): the reporter ends quietly. The SDK integration names errors ``Sfn.<Exception>``
(``Sfn.InvalidTokenException`` is recorded against AWS in LocalStack's snapshots). Any other
error (no permission, throttling) fails the reporter's execution, where it can be seen."""


def reporter_definition() -> dict[str, Any]:
    """The reporter's ASL: input is the EventBridge "ECS Task State Change" event."""
    token_path = (
        "$.detail.overrides.containerOverrides[*].environment"
        f"[?(@.name == '{RUNNER.dead_container.token_variable}')].value"
    )
    return {
        "Comment": "Fails the Task state of an ECS task that stopped without reporting.",
        "StartAt": "FindToken",
        "States": {
            "FindToken": {
                "Type": "Pass",
                "Parameters": {
                    "tokens.$": token_path,
                    "cause.$": "States.Format('the container stopped without reporting: {} "
                    "(task {})', $.detail.stoppedReason, $.detail.taskArn)",
                },
                "Next": "HasToken",
            },
            "HasToken": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.tokens[0]", "IsPresent": True, "Next": "Report"}],
                "Default": "NotOurs",
            },
            "Report": {
                "Type": "Task",
                "Resource": SEND_TASK_FAILURE,
                "Parameters": {
                    "TaskToken.$": "$.tokens[0]",
                    "Error": RUNNER.dead_container.error,
                    "Cause.$": "$.cause",
                },
                "Retry": [
                    {
                        "ErrorEquals": ["Sfn.SdkClientException", "Sfn.ThrottlingException"],
                        "IntervalSeconds": 1,
                        "MaxAttempts": 3,
                        "BackoffRate": 2,
                    }
                ],
                "Catch": [{"ErrorEquals": list(SPENT_TOKEN_ERRORS), "Next": "AlreadyReported"}],
                "End": True,
            },
            "AlreadyReported": {
                "Type": "Succeed",
                "Comment": "the runner reported first: the token is spent",
            },
            "NotOurs": {"Type": "Succeed", "Comment": "no task token: not a Task state's task"},
        },
    }


def stopped_task_pattern(cluster_arn: str, task_definition_family_arn: Any) -> dict[str, Any]:
    """The EventBridge pattern of the domain's tasks stopping on its cluster.

    `task_definition_family_arn` is ``arn:...:task-definition/<family>:`` (every revision; a
    string or a CloudFormation ``Fn::Sub``).
    """
    dead = RUNNER.dead_container
    return {
        "source": [dead.event_source],
        "detail-type": [dead.event_detail_type],
        "detail": {
            "lastStatus": [dead.last_status],
            "clusterArn": [cluster_arn],
            "taskDefinitionArn": [{"prefix": task_definition_family_arn}],
        },
    }
