"""What the runner needs in AWS, declared as data for the deploy layer (`flowtasks.deploy`).

`RUNNER` is the contract between the image (docker/Dockerfile), the compiled states
(`flowtasks.asl.task_resource`) and the CloudFormation stack of each domain::

    RunnerContract(
        command=("flow-task", "state"),              # + (FLOW, STATE): the ECS Command override
        entrypoint=("/usr/bin/tini", "--", "/usr/local/bin/flowtasks-entrypoint"),
        default_command=("flow-task", "list"),
        environment=("FLOWTASKS_ARTIFACT_BUCKET",),  # on the task definition and the function
        stop_timeout_seconds=30,                     # SIGTERM -> report -> exit within it
        lambda_handler="flowtasks.runner.lambda_handler.handler",
        task_actions=(Permission(("states:SendTaskSuccess", ...), "state machines"), ...),
        dead_container=StoppedTaskReporter(...),
    )

Dead containers: a container killed before it reports (out of memory, image pull failure, a
native crash) would leave its ``.waitForTaskToken`` state waiting until TimeoutSeconds. The
chosen protection is the ECS STOPPED-event reporter (`StoppedTaskReporter`): an EventBridge
rule on the domain's tasks stopping, whose target sends ``SendTaskFailure`` with
``FlowTasks.ContainerStopped`` and ECS's stopped reason, using the token ECS echoes back in the
event's container overrides. It fires seconds after the stop, costs nothing while tasks run,
and covers failures where no runner code ever ran (image pull, out of memory at start). A
default heartbeat was not chosen: it only shortens the wait to HeartbeatSeconds (which must
also cover Fargate's start-up, often a minute or more), and it costs a SendTaskHeartbeat call
every few seconds per running task against the account's shared throttle. A state that sets
``heartbeat_seconds`` still gets heartbeats (`flowtasks.runner.heartbeat`), which also catch a
runner that hangs without dying.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowtasks.protocol import (
    COMMAND,
    ENV_ARTIFACT_BUCKET,
    ENV_TASK_TOKEN,
    ERROR_CONTAINER_STOPPED,
)

__all__ = ["RUNNER", "Permission", "RunnerContract", "StoppedTaskReporter"]


@dataclass(frozen=True)
class Permission:
    """IAM actions the runner's role (ECS task role, Lambda role) needs, and on what."""

    actions: tuple[str, ...]
    resource: str
    """``"state machines"``: the domain's state machines; ``"executions"``: their executions;
    ``"artifact keys"``: ``arn:aws:s3:::<artifact bucket>/<domain>.*`` (the offload's keys)."""


@dataclass(frozen=True)
class StoppedTaskReporter:
    """The dead-container protection: what it listens to and what it sends."""

    event_source: str = "aws.ecs"
    event_detail_type: str = "ECS Task State Change"
    last_status: str = "STOPPED"
    token_variable: str = ENV_TASK_TOKEN
    """Found in ``detail.overrides.containerOverrides[].environment`` of the event."""
    error: str = ERROR_CONTAINER_STOPPED
    cause: str = "ECS's detail.stoppedReason (and the task ARN)"
    refused_means_reported: tuple[str, ...] = ("TaskTimedOut", "InvalidToken", "TaskDoesNotExist")
    """SendTaskFailure answers meaning the runner reported first: the reporter ends quietly."""


@dataclass(frozen=True)
class RunnerContract:
    """The runner's side of the deployment (see the module docstring)."""

    command: tuple[str, ...] = COMMAND
    entrypoint: tuple[str, ...] = ("/usr/bin/tini", "--", "/usr/local/bin/flowtasks-entrypoint")
    default_command: tuple[str, ...] = ("flow-task", "list")
    environment: tuple[str, ...] = (ENV_ARTIFACT_BUCKET,)
    stop_timeout_seconds: int = 30
    lambda_handler: str = "flowtasks.runner.lambda_handler.handler"
    task_actions: tuple[Permission, ...] = field(
        default=(
            Permission(
                ("states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"),
                "state machines",
            ),
            Permission(("states:GetExecutionHistory",), "executions"),
            Permission(("s3:GetObject", "s3:PutObject"), "artifact keys"),
        )
    )
    dead_container: StoppedTaskReporter = StoppedTaskReporter()


RUNNER = RunnerContract()
"""The contract the image, the compiler and the deploy layer share."""
