"""The stack's IAM roles, each with the least privilege its job needs.

- state machine role (``states.amazonaws.com``): run the domain's task definition (any of its
  revisions, so executions pinned to an older version still run) on the environment's cluster,
  stop and describe those tasks, pass exactly the task and execution roles to ECS, invoke the
  domain's Lambda function, start the flows its StartFlow states start (and, for waiting
  ones, describe/stop those executions and manage the managed EventBridge rule Step Functions
  uses), and deliver its logs (log delivery actions take ``*``, as AWS documents).
- execution role (``ecs-tasks``): pull the image from its ECR repository, write the task log
  group, read exactly the environment's named secrets.
- task role (``ecs-tasks``) and Lambda role (``lambda``): ``SendTask*`` and
  ``GetExecutionHistory`` on the domain's own state machines and their executions, the artifact
  bucket's prefix of the domain and environment, and what the tasks declare.
- trigger roles (``scheduler`` / ``events``): start exactly the flows they trigger.

Every trust policy is limited to this account (``aws:SourceAccount``) where the service sets it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["assume", "policy", "role", "statement"]

Statement = dict[str, Any]


def statement(actions: list[str], resources: Any, condition: Any = None) -> Statement:
    """One Allow statement (actions sorted, so templates are stable)."""
    out: Statement = {"Effect": "Allow", "Action": sorted(set(actions)), "Resource": resources}
    if condition:
        out["Condition"] = condition
    return out


def assume(service: str, *, source_account: bool = True) -> dict[str, Any]:
    """The trust policy letting `service` (``states.amazonaws.com``...) assume the role."""
    trust: Statement = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if source_account:
        trust["Condition"] = {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    return {"Version": "2012-10-17", "Statement": [trust]}


def policy(name: str, statements: list[Statement]) -> dict[str, Any]:
    """An inline policy of a role."""
    return {
        "PolicyName": name,
        "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
    }


def role(
    description: str,
    service: str,
    statements: list[Statement],
    tags: list[dict[str, str]],
    *,
    source_account: bool = True,
) -> dict[str, Any]:
    """An ``AWS::IAM::Role`` resource with one inline policy."""
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": description,
            "AssumeRolePolicyDocument": assume(service, source_account=source_account),
            "Policies": [policy("least-privilege", statements)],
            "Tags": tags,
        },
    }
