"""Names in AWS: the stack, state machines, roles, log groups and logical ids (all stable).

One stack per domain and environment: ``flows-<domain>-<env>`` (``_`` becomes ``-``). A flow's
state machine is ``<domain>-<Flow>-<env>`` (ASL names allow ``_`` and ``-``) and its alias
``live``; other stacks find each other's state machines by this convention.
"""

from __future__ import annotations

import re

from flowtasks.errors import UsageError

__all__ = [
    "ALIAS",
    "CONTAINER",
    "NameError_",
    "alias_arn_sub",
    "logical_id",
    "stack_name",
    "state_machine_arn_sub",
    "state_machine_name",
]

ALIAS = "live"
"""The alias every state machine gets; triggers, StartFlow and ``flow-task start`` use it."""
CONTAINER = "flows"
"""The name of the one container in the task definition (``${ContainerName}``)."""

_MAX_STATE_MACHINE_NAME = 80


class NameError_(UsageError):
    """A domain, flow or environment name that makes an invalid AWS name."""


def stack_name(domain: str, env: str) -> str:
    """``flows-<domain>-<env>``: the CloudFormation stack of `domain` in `env`."""
    return f"flows-{domain.replace('_', '-')}-{env}"


def state_machine_name(qualified: str, env: str) -> str:
    """``<domain>-<Flow>-<env>`` for flow ``domain.Flow``; at most 80 characters."""
    domain, _, flow = qualified.partition(".")
    name = f"{domain}-{flow}-{env}"
    if len(name) > _MAX_STATE_MACHINE_NAME:
        raise NameError_(
            f"state machine name {name!r} of {qualified} in {env} has {len(name)} characters; "
            f"Step Functions allows {_MAX_STATE_MACHINE_NAME}: shorten the flow's name"
        )
    return name


def state_machine_arn_sub(qualified: str, env: str) -> dict[str, str]:
    """``Fn::Sub`` of the state machine ARN of `qualified` in `env` (this account and region)."""
    name = state_machine_name(qualified, env)
    return {
        "Fn::Sub": f"arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}"
        f":stateMachine:{name}"
    }


def alias_arn_sub(qualified: str, env: str) -> dict[str, str]:
    """``Fn::Sub`` of the ARN of the ``live`` alias of `qualified` in `env`."""
    return {"Fn::Sub": state_machine_arn_sub(qualified, env)["Fn::Sub"] + f":{ALIAS}"}


def logical_id(*parts: str) -> str:
    """A CloudFormation logical id (letters and digits) made of `parts`, each capitalised."""
    words = []
    for part in parts:
        for word in re.split(r"[^A-Za-z0-9]+", part):
            if word:
                words.append(word[:1].upper() + word[1:])
    return "".join(words)
