"""The IAM policy of whoever runs ``flow-task deploy`` (a person, or GitHub Actions' OIDC role).

CloudFormation creates the stack's resources with the deployer's own credentials, so the
deployer needs the create/update/delete actions of each resource type in the stack, limited to
the names the stack uses (``flows-<domain>-<env>*``, ``<domain>-*-<env>`` state machines,
``/flows/<domain>/<env>/*`` log groups...), plus what the command itself calls (STS, the
change set API, S3 for templates over 51,200 bytes) and the operating commands (start,
executions, status, redrive). ``deployer_policy(domain, env)`` returns it as a policy document.
"""

from __future__ import annotations

from typing import Any

from flowtasks.deploy.environments import Environment
from flowtasks.deploy.naming import stack_name
from flowtasks.deploy.template import template_prefix

__all__ = ["deployer_policy"]


def deployer_policy(domain: str, env: Environment) -> dict[str, Any]:
    """The least-privilege policy to deploy and operate `domain` in `env`."""
    region, account = env.region, env.account
    stack = stack_name(domain, env.name)
    machines = f"arn:aws:states:{region}:{account}:stateMachine:{domain}-*-{env.name}"
    executions = f"arn:aws:states:{region}:{account}:execution:{domain}-*-{env.name}:*"

    def allow(sid: str, actions: list[str], resources: list[str] | str) -> dict[str, Any]:
        return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}

    statements = [
        allow("WhoAmI", ["sts:GetCallerIdentity"], "*"),
        allow(
            "Stack",
            [
                "cloudformation:CreateChangeSet",
                "cloudformation:DeleteChangeSet",
                "cloudformation:DeleteStack",
                "cloudformation:DescribeChangeSet",
                "cloudformation:DescribeStackEvents",
                "cloudformation:DescribeStacks",
                "cloudformation:ExecuteChangeSet",
                "cloudformation:GetTemplate",
            ],
            f"arn:aws:cloudformation:{region}:{account}:stack/{stack}/*",
        ),
        allow(
            "LargeTemplates",
            ["s3:GetObject", "s3:PutObject"],
            f"arn:aws:s3:::{env.artifact_bucket}/{template_prefix(domain, env.name)}*",
        ),
        allow(
            "Roles",
            [
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:DeleteRolePolicy",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:PassRole",
                "iam:PutRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRoleDescription",
            ],
            f"arn:aws:iam::{account}:role/{stack}-*",
        ),
        allow(
            "StateMachines",
            [
                "states:CreateStateMachine",
                "states:CreateStateMachineAlias",
                "states:DeleteStateMachine",
                "states:DeleteStateMachineAlias",
                "states:DeleteStateMachineVersion",
                "states:DescribeStateMachine",
                "states:DescribeStateMachineAlias",
                "states:ListStateMachineVersions",
                "states:ListTagsForResource",
                "states:PublishStateMachineVersion",
                "states:TagResource",
                "states:UntagResource",
                "states:UpdateStateMachine",
                "states:UpdateStateMachineAlias",
                "states:ListExecutions",
                "states:StartExecution",
            ],
            [
                machines,
                f"{machines}:*",
                f"arn:aws:states:{region}:{account}:stateMachine:{stack}-stopped-tasks",
            ],
        ),
        allow(
            "Executions",
            [
                "states:DescribeExecution",
                "states:DescribeStateMachineForExecution",
                "states:GetExecutionHistory",
                "states:RedriveExecution",
            ],
            executions,
        ),
        allow(
            "TaskDefinitions",
            [
                "ecs:DeregisterTaskDefinition",
                "ecs:DescribeTaskDefinition",
                "ecs:RegisterTaskDefinition",
                "ecs:TagResource",
            ],
            "*",  # RegisterTaskDefinition / Describe / Deregister take no resource-level ARN
        ),
        allow(
            "LogGroups",
            [
                "logs:CreateLogGroup",
                "logs:DeleteLogGroup",
                "logs:DescribeLogGroups",
                "logs:ListTagsForResource",
                "logs:PutRetentionPolicy",
                "logs:TagResource",
                "logs:UntagResource",
            ],
            [
                f"arn:aws:logs:{region}:{account}:log-group:/flows/{domain}/{env.name}/*",
                f"arn:aws:logs:{region}:{account}:log-group:/aws/vendedlogs/states/{stack}*",
                f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{stack}*",
            ],
        ),
        allow(
            "Function",
            [
                "lambda:CreateFunction",
                "lambda:DeleteFunction",
                "lambda:GetFunction",
                "lambda:GetFunctionConfiguration",
                "lambda:TagResource",
                "lambda:UntagResource",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
            ],
            f"arn:aws:lambda:{region}:{account}:function:{stack}",
        ),
        allow(
            "Triggers",
            [
                "events:DeleteRule",
                "events:DescribeRule",
                "events:PutRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "scheduler:CreateSchedule",
                "scheduler:DeleteSchedule",
                "scheduler:GetSchedule",
                "scheduler:UpdateSchedule",
            ],
            [
                f"arn:aws:events:{region}:{account}:rule/{domain}-*-{env.name}-*",
                f"arn:aws:events:{region}:{account}:rule/{stack}-stopped-tasks",
                f"arn:aws:scheduler:{region}:{account}:schedule/default/{domain}-*-{env.name}-*",
            ],
        ),
    ]
    return {"Version": "2012-10-17", "Statement": statements}
