"""``synth``: the one CloudFormation template of a domain in an environment.

The template is plain data (dicts), built by small functions here and checked by cfn-lint in the
tests (which also validates every embedded state machine definition). Resources:

- ``TaskLogGroup``, ``StateMachineLogGroup`` (and ``FunctionLogGroup``): retention from the env;
- ``TaskDefinition``: Fargate, the image by digest, cpu/memory, awslogs, the connections as
  ``secrets`` (``FLOWTASKS_CONN_<NAME>`` from Secrets Manager), the artifact bucket; old
  revisions are retained (``UpdateReplacePolicy: Retain``) so executions pinned to an older
  state machine version still run theirs;
- ``StateMachineRole``, ``ExecutionRole``, ``TaskRole`` (and ``FunctionRole``,
  ``SchedulerRole``, ``EventsRole``): see `flowtasks.deploy.iam`;
- ``TaskFunction``: the image as a Lambda function, when a task has ``compute="lambda"``;
- per flow: ``<Flow>StateMachine`` (DefinitionString + DefinitionSubstitutions, logging),
  ``<Flow>Version`` (published on every change) and ``<Flow>Alias`` (``live``, 100% on it);
- per trigger: ``<Flow><Trigger>Trigger`` (`flowtasks.deploy.triggers`).

Limits checked here (`TemplateTooLarge`): 500 resources, 200 outputs, 1,000,000 bytes (S3 upload)
of template; above 51,200 bytes `flowtasks.deploy.stack` uploads it to the artifact bucket.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowtasks.deploy import iam
from flowtasks.deploy.definition import bind
from flowtasks.deploy.environments import Environment
from flowtasks.deploy.image import Image
from flowtasks.deploy.naming import (
    ALIAS,
    CONTAINER,
    NameError_,
    alias_arn_sub,
    logical_id,
    stack_name,
    state_machine_arn_sub,
    state_machine_name,
)
from flowtasks.deploy.reporter import reporter_definition, stopped_task_pattern
from flowtasks.deploy.triggers import trigger_resource
from flowtasks.dsl.flow import Flow
from flowtasks.dsl.start_flow import StartFlow
from flowtasks.dsl.triggers import Manual, OnSuccess, S3ObjectCreated, Schedule
from flowtasks.errors import UsageError
from flowtasks.protocol import ENV_ARTIFACT_BUCKET
from flowtasks.runner.aws_resources import RUNNER

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_OUTPUTS",
    "MAX_RESOURCES",
    "MAX_TEMPLATE_BYTES",
    "TemplateTooLarge",
    "artifact_keys",
    "check_limits",
    "synth",
    "template_prefix",
    "to_text",
]

MAX_BODY_BYTES = 51_200
"""CloudFormation's limit for a template passed in the request (TemplateBody)."""
MAX_TEMPLATE_BYTES = 1_000_000
"""CloudFormation's limit for a template read from S3 (TemplateURL)."""
MAX_RESOURCES = 500
"""Resources per stack."""
MAX_OUTPUTS = 200
"""Outputs per stack."""

ENV_CONNECTION_PREFIX = "FLOWTASKS_CONN_"


class TemplateTooLarge(UsageError):
    """The template passes one of CloudFormation's limits; the message says which and what to do."""


@dataclass(frozen=True)
class _Flow:
    qualified: str
    flow: Flow
    definition: Mapping[str, Any]

    @property
    def short(self) -> str:
        return self.qualified.split(".", 1)[1]


def artifact_keys(domain: str) -> str:
    """The artifact bucket's keys of a domain's payloads (the runner's offload writes
    ``<domain>.<Flow>/<execution>/<state>/...``), as an IAM resource pattern."""
    return f"{domain}.*"


def template_prefix(domain: str, env: str) -> str:
    """Where `flowtasks.deploy.stack` uploads templates over 51,200 bytes in the artifact bucket."""
    return f"cloudformation/{domain}/{env}/"


def _tags(env: Environment, domain: str) -> list[dict[str, str]]:
    tags = {"flowtasks:domain": domain, "flowtasks:environment": env.name, **env.tags}
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def to_text(template: Mapping[str, Any]) -> str:
    """The template as compact, stable JSON (what is sized and sent)."""
    return json.dumps(template, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def synth(
    domain: str,
    env: Environment,
    image: Image,
    flows: Mapping[str, tuple[Flow, Mapping[str, Any]]],
    *,
    known_flows: list[str] | None = None,
    extra_resources: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The template of `domain` in `env`: `flows` maps each qualified name to (flow, its compiled
    definition). `known_flows` are the flows StartFlow may target (default: `flows`).
    `extra_resources` are added as they are (the runner's own resources).

    Raises UsageError for names AWS refuses and `TemplateTooLarge` past CloudFormation's limits.
    """
    if not flows:
        raise UsageError(f"domain {domain!r} has no flows to deploy")
    items = [_Flow(q, f, d) for q, (f, d) in sorted(flows.items())]
    known = sorted(set(known_flows or []) | set(flows))
    tags = _tags(env, domain)
    stack = stack_name(domain, env.name)
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}

    _check_logical_ids(items)
    lambda_tasks = any(
        t.compute == "lambda" for item in items for t in item.flow.task_states().values()
    )
    log_group = f"/flows/{domain}/{env.name}/tasks"
    resources["TaskLogGroup"] = _log_group(log_group, env, tags)
    resources["StateMachineLogGroup"] = _log_group(f"/aws/vendedlogs/states/{stack}", env, tags)
    resources["ExecutionRole"] = iam.role(
        f"{stack}: ECS pulls the image, writes logs, reads the connection secrets",
        "ecs-tasks.amazonaws.com",
        _execution_statements(env, image),
        tags,
    )
    runner = _runner_statements(domain, env, items)
    resources["TaskRole"] = iam.role(
        f"{stack}: what the domain's tasks may do", "ecs-tasks.amazonaws.com", runner, tags
    )
    resources["TaskDefinition"] = _task_definition(stack, domain, env, image, log_group, tags)
    function: Any = None
    if lambda_tasks:
        function_name = stack
        resources["FunctionLogGroup"] = _log_group(f"/aws/lambda/{function_name}", env, tags)
        resources["FunctionRole"] = iam.role(
            f"{stack}: what the domain's Lambda tasks may do",
            "lambda.amazonaws.com",
            [*runner, _function_log_statement()],
            tags,
            source_account=False,
        )
        resources["TaskFunction"] = _function(function_name, domain, env, image, tags)
        function = {"Fn::GetAtt": ["TaskFunction", "Arn"]}

    started: set[str] = set()
    for item in items:
        bound = bind(item.qualified, item.definition, env, known_flows=known, function=function)
        started.update(bound.started)
        lid = logical_id(item.short)
        resources[f"{lid}StateMachine"] = _state_machine(
            item, env, bound.text, bound.substitutions, tags
        )
        resources[f"{lid}Version"] = {
            "Type": "AWS::StepFunctions::StateMachineVersion",
            "Properties": {
                "StateMachineArn": {"Ref": f"{lid}StateMachine"},
                "StateMachineRevisionId": {
                    "Fn::GetAtt": [f"{lid}StateMachine", "StateMachineRevisionId"]
                },
                "Description": f"{item.qualified} deployed by flow-task",
            },
        }
        resources[f"{lid}Alias"] = {
            "Type": "AWS::StepFunctions::StateMachineAlias",
            "Properties": {
                "Name": ALIAS,
                "Description": f"{item.qualified}: the version that new executions run",
                "RoutingConfiguration": [
                    {"StateMachineVersionArn": {"Ref": f"{lid}Version"}, "Weight": 100}
                ],
            },
        }
        outputs[f"{lid}StateMachineArn"] = {
            "Description": f"{item.qualified}: the state machine",
            "Value": {"Ref": f"{lid}StateMachine"},
        }
        outputs[f"{lid}AliasArn"] = {
            "Description": f"{item.qualified}: its '{ALIAS}' alias (start executions here)",
            "Value": {"Ref": f"{lid}Alias"},
        }

    resources["StateMachineRole"] = iam.role(
        f"{stack}: what the state machines may call",
        "states.amazonaws.com",
        _state_machine_statements(domain, env, items, lambda_tasks, started),
        tags,
    )
    for item in items:
        for trigger in item.flow.triggers:
            if isinstance(trigger, OnSuccess) and trigger.target(domain) not in known:
                raise UsageError(
                    f"{item.qualified}: trigger {trigger.name!r} follows "
                    f"{trigger.target(domain)}, which is not a registered flow"
                )
    _trigger_resources(items, env, tags, resources)
    ecs_tasks = any(t.compute == "ecs" for item in items for t in item.flow.task_states().values())
    if ecs_tasks:
        _reporter_resources(stack, env, items, tags, resources)
    if extra_resources:
        resources.update(extra_resources)
    outputs["TaskDefinitionArn"] = {
        "Description": "the task definition revision of this deployment",
        "Value": {"Ref": "TaskDefinition"},
    }
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"flows of domain {domain} in environment {env.name} (flow-task synth)",
        "Resources": dict(sorted(resources.items())),
        "Outputs": dict(sorted(outputs.items())),
    }
    check_limits(template, f"{domain} in {env.name}")
    return template


def check_limits(template: Mapping[str, Any], subject: str) -> None:
    """Raise `TemplateTooLarge` when `template` passes a CloudFormation limit."""
    resources = len(template.get("Resources", {}))
    if resources > MAX_RESOURCES:
        raise TemplateTooLarge(
            f"the template of {subject} has {resources} resources; CloudFormation allows "
            f"{MAX_RESOURCES} per stack: move some flows into another domain"
        )
    outputs = len(template.get("Outputs", {}))
    if outputs > MAX_OUTPUTS:
        raise TemplateTooLarge(
            f"the template of {subject} has {outputs} outputs (2 per flow); CloudFormation "
            f"allows {MAX_OUTPUTS}: move some flows into another domain"
        )
    size = len(to_text(template).encode())
    if size > MAX_TEMPLATE_BYTES:
        raise TemplateTooLarge(
            f"the template of {subject} has {size} bytes; CloudFormation accepts at most "
            f"{MAX_TEMPLATE_BYTES} (from S3): split the domain, or shrink the largest flows"
        )


def _check_logical_ids(items: list[_Flow]) -> None:
    seen: dict[str, str] = {}
    for item in items:
        lid = logical_id(item.short)
        if lid in seen:
            raise NameError_(
                f"flows {seen[lid]} and {item.qualified} give the same CloudFormation id {lid!r};"
                " rename one of them"
            )
        seen[lid] = item.qualified


def _log_group(name: str, env: Environment, tags: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {
            "LogGroupName": name,
            "RetentionInDays": env.log_retention_days,
            "Tags": tags,
        },
    }


def _secret_value_from(env: Environment, secret: str) -> str:
    return f"arn:aws:secretsmanager:{env.region}:{env.account}:secret:{secret}"


def _execution_statements(env: Environment, image: Image) -> list[iam.Statement]:
    statements = [
        iam.statement(
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            {"Fn::GetAtt": ["TaskLogGroup", "Arn"]},
        )
    ]
    repository = image.ecr_repository_arn
    if repository is not None:
        statements.append(iam.statement(["ecr:GetAuthorizationToken"], "*"))
        statements.append(
            iam.statement(
                [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                repository,
            )
        )
    if env.connections:
        secrets = [env.secret_arn_pattern(s) for _, s in sorted(env.connections.items())]
        statements.append(iam.statement(["secretsmanager:GetSecretValue"], secrets))
    return statements


def _own_machines(env: Environment, items: list[_Flow]) -> tuple[list[Any], list[Any]]:
    """(the domain's state machine ARNs with their versions and aliases, their executions)."""
    machines: list[Any] = []
    executions: list[Any] = []
    for item in items:
        arn = state_machine_arn_sub(item.qualified, env.name)
        machines += [arn, {"Fn::Sub": arn["Fn::Sub"] + ":*"}]
        name = state_machine_name(item.qualified, env.name)
        executions.append(
            {
                "Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}"
                f":execution:{name}:*"
            }
        )
    return machines, executions


def _runner_statements(domain: str, env: Environment, items: list[_Flow]) -> list[iam.Statement]:
    machines, executions = _own_machines(env, items)
    declared: dict[tuple[str, ...], set[str]] = {}
    for item in items:
        for state in item.flow.task_states().values():
            for permission in state.permissions:
                resources = permission.resolved(env.name, env.account, env.region)
                declared.setdefault(resources, set()).update(permission.actions)
    own = [
        iam.statement(sorted(actions), list(resources))
        for resources, actions in sorted(declared.items())
    ]
    # What the runner itself needs, as its contract declares it (flowtasks.runner.aws_resources).
    targets: dict[str, Any] = {
        "state machines": machines,
        "executions": executions,
        "artifact keys": f"arn:aws:s3:::{env.artifact_bucket}/{artifact_keys(domain)}",
    }
    runner = [
        iam.statement(list(permission.actions), targets[permission.resource])
        for permission in RUNNER.task_actions
    ]
    return [*own, *runner]


def _function_log_statement() -> iam.Statement:
    return iam.statement(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        {"Fn::GetAtt": ["FunctionLogGroup", "Arn"]},
    )


def _state_machine_statements(
    domain: str, env: Environment, items: list[_Flow], lambda_tasks: bool, started: set[str]
) -> list[iam.Statement]:
    family = stack_name(domain, env.name)
    cluster = env.cluster_arn
    cluster_name = cluster.rsplit("/", 1)[-1]
    statements = [
        iam.statement(
            ["ecs:RunTask"],
            {
                "Fn::Sub": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}"
                f":task-definition/{family}:*"
            },
            {"ArnEquals": {"ecs:cluster": cluster}},
        ),
        iam.statement(
            ["ecs:DescribeTasks", "ecs:StopTask"],
            {
                "Fn::Sub": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}"
                f":task/{cluster_name}/*"
            },
        ),
        iam.statement(
            ["iam:PassRole"],
            [{"Fn::GetAtt": ["TaskRole", "Arn"]}, {"Fn::GetAtt": ["ExecutionRole", "Arn"]}],
            {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        ),
        # Step Functions' log delivery API takes no resource-level permissions (AWS docs,
        # "IAM policies for logging to CloudWatch Logs").
        iam.statement(
            [
                "logs:CreateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:DescribeLogGroups",
                "logs:DescribeResourcePolicies",
                "logs:GetLogDelivery",
                "logs:ListLogDeliveries",
                "logs:PutResourcePolicy",
                "logs:UpdateLogDelivery",
            ],
            "*",
        ),
    ]
    if lambda_tasks:
        statements.append(
            iam.statement(["lambda:InvokeFunction"], {"Fn::GetAtt": ["TaskFunction", "Arn"]})
        )
    if started:
        targets = sorted(started)
        statements.append(
            iam.statement(
                ["states:StartExecution"],
                [
                    arn
                    for q in targets
                    for arn in (state_machine_arn_sub(q, env.name), alias_arn_sub(q, env.name))
                ],
            )
        )
        waits = sorted(
            {
                s.target(item.qualified.split(".", 1)[0])
                for item in items
                for s in item.flow.states()
                if isinstance(s, StartFlow) and s.wait
            }
        )
        if waits:
            statements.append(
                iam.statement(
                    ["states:DescribeExecution", "states:StopExecution"],
                    [
                        {
                            "Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:"
                            f"${{AWS::AccountId}}:execution:{state_machine_name(q, env.name)}:*"
                        }
                        for q in waits
                    ],
                )
            )
            statements.append(
                iam.statement(
                    ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
                    {
                        "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}"
                        ":rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
                    },
                )
            )
    return statements


def _task_definition(
    family: str,
    domain: str,
    env: Environment,
    image: Image,
    log_group: str,
    tags: list[dict[str, str]],
) -> dict[str, Any]:
    container: dict[str, Any] = {
        "Name": CONTAINER,
        "Image": image.pinned,
        "Essential": True,
        "StopTimeout": RUNNER.stop_timeout_seconds,
        "Environment": [
            {"Name": ENV_ARTIFACT_BUCKET, "Value": env.artifact_bucket},
        ],
        "LogConfiguration": {
            "LogDriver": "awslogs",
            "Options": {
                "awslogs-group": log_group,
                "awslogs-region": env.region,
                "awslogs-stream-prefix": domain,
            },
        },
    }
    if env.connections:
        container["Secrets"] = [
            {
                "Name": ENV_CONNECTION_PREFIX + name.upper(),
                "ValueFrom": _secret_value_from(env, secret),
            }
            for name, secret in sorted(env.connections.items())
        ]
    return {
        "Type": "AWS::ECS::TaskDefinition",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "DependsOn": ["TaskLogGroup"],
        "Properties": {
            "Family": family,
            "RequiresCompatibilities": ["FARGATE"],
            "NetworkMode": "awsvpc",
            "Cpu": str(env.cpu),
            "Memory": str(env.memory),
            "ExecutionRoleArn": {"Fn::GetAtt": ["ExecutionRole", "Arn"]},
            "TaskRoleArn": {"Fn::GetAtt": ["TaskRole", "Arn"]},
            "RuntimePlatform": {"OperatingSystemFamily": "LINUX", "CpuArchitecture": "X86_64"},
            "ContainerDefinitions": [container],
            "Tags": tags,
        },
    }


def _function(
    name: str, domain: str, env: Environment, image: Image, tags: list[dict[str, str]]
) -> dict[str, Any]:
    variables = {ENV_ARTIFACT_BUCKET: env.artifact_bucket}
    return {
        "Type": "AWS::Lambda::Function",
        "DependsOn": ["FunctionLogGroup"],
        "Properties": {
            "FunctionName": name,
            "PackageType": "Image",
            "Code": {"ImageUri": image.pinned},
            "Role": {"Fn::GetAtt": ["FunctionRole", "Arn"]},
            "Timeout": 900,
            "MemorySize": max(env.memory, 512),
            "Architectures": ["x86_64"],
            "Environment": {"Variables": variables},
            "LoggingConfig": {"LogGroup": f"/aws/lambda/{name}"},
            "Tags": tags,
        },
    }


def _state_machine(
    item: _Flow,
    env: Environment,
    text: str,
    substitutions: dict[str, Any],
    tags: list[dict[str, str]],
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "StateMachineName": state_machine_name(item.qualified, env.name),
        "StateMachineType": item.flow.type,
        "RoleArn": {"Fn::GetAtt": ["StateMachineRole", "Arn"]},
        "DefinitionString": text,
        "LoggingConfiguration": {
            "Level": "ERROR",
            "IncludeExecutionData": False,
            "Destinations": [
                {
                    "CloudWatchLogsLogGroup": {
                        "LogGroupArn": {"Fn::GetAtt": ["StateMachineLogGroup", "Arn"]}
                    }
                }
            ],
        },
        "Tags": tags,
    }
    if substitutions:
        properties["DefinitionSubstitutions"] = substitutions
    return {"Type": "AWS::StepFunctions::StateMachine", "Properties": properties}


def _trigger_resources(
    items: list[_Flow], env: Environment, tags: list[dict[str, str]], resources: dict[str, Any]
) -> None:
    scheduled: list[str] = []
    evented: list[str] = []
    for item in items:
        for trigger in item.flow.triggers:
            if isinstance(trigger, Manual):
                continue
            is_schedule = isinstance(trigger, Schedule)
            role = "SchedulerRole" if is_schedule else "EventsRole"
            found = trigger_resource(
                trigger,
                item.qualified,
                env,
                target=alias_arn_sub(item.qualified, env.name),
                role={"Fn::GetAtt": [role, "Arn"]},
            )
            if found is None:
                continue
            lid, resource = found
            resource["DependsOn"] = [f"{logical_id(item.short)}Alias"]
            if lid in resources:
                raise NameError_(f"trigger {trigger.name!r} of {item.qualified} clashes with {lid}")
            if is_schedule:
                scheduled.append(item.qualified)
            elif isinstance(trigger, S3ObjectCreated | OnSuccess):
                evented.append(item.qualified)
            resources[lid] = resource
    for name, service, targets in (
        ("SchedulerRole", "scheduler.amazonaws.com", scheduled),
        ("EventsRole", "events.amazonaws.com", evented),
    ):
        if not targets:
            continue
        arns = [
            arn
            for q in sorted(set(targets))
            for arn in (state_machine_arn_sub(q, env.name), alias_arn_sub(q, env.name))
        ]
        resources[name] = iam.role(
            f"{service.split('.')[0]} starts the flows it triggers",
            service,
            [iam.statement(["states:StartExecution"], arns)],
            tags,
        )


def _reporter_resources(
    stack: str,
    env: Environment,
    items: list[_Flow],
    tags: list[dict[str, str]],
    resources: dict[str, Any],
) -> None:
    """The ECS STOPPED-event reporter (`flowtasks.deploy.reporter`) and its two roles."""
    machines, _ = _own_machines(env, items)
    resources["StoppedTaskReporterRole"] = iam.role(
        f"{stack}: fail the Task state of a container that stopped without reporting",
        "states.amazonaws.com",
        [iam.statement(["states:SendTaskFailure"], machines)],
        tags,
    )
    resources["StoppedTaskReporter"] = {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {
            "StateMachineName": f"{stack}-stopped-tasks",
            "StateMachineType": "EXPRESS",
            "RoleArn": {"Fn::GetAtt": ["StoppedTaskReporterRole", "Arn"]},
            "DefinitionString": json.dumps(reporter_definition(), sort_keys=True),
            "Tags": tags,
        },
    }
    resources["StoppedTaskRuleRole"] = iam.role(
        f"{stack}: EventBridge starts the stopped-task reporter",
        "events.amazonaws.com",
        [iam.statement(["states:StartExecution"], {"Ref": "StoppedTaskReporter"})],
        tags,
    )
    family = {
        "Fn::Sub": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}"
        f":task-definition/{stack}:"
    }
    resources["StoppedTaskRule"] = {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "Name": f"{stack}-stopped-tasks",
            "Description": f"{stack}: the domain's ECS tasks that stopped",
            "EventPattern": stopped_task_pattern(env.cluster_arn, family),
            "State": "ENABLED",
            "Targets": [
                {
                    "Id": "reporter",
                    "Arn": {"Ref": "StoppedTaskReporter"},
                    "RoleArn": {"Fn::GetAtt": ["StoppedTaskRuleRole", "Arn"]},
                }
            ],
        },
    }
