"""A compiled flow bound to an environment: its DefinitionString and DefinitionSubstitutions.

The compiler is environment-free: our ECS Tasks name ``${ClusterArn}``, ``${TaskDefinitionArn}``,
``${ContainerName}``, two subnets and one security group as placeholders, Lambda Tasks
``${FunctionArn}``, StartFlow states ``${StartFlow_<domain>_<Flow>}``. `bind` rewrites every ECS
Task's network configuration to the environment's own lists (``${Subnet1}``..``${SubnetN}``,
``${SecurityGroup1}``..) and maps every placeholder to its value in the stack, so the deployed
definition is the compiled one plus exactly these substitutions.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowtasks.asl.walk import iter_states
from flowtasks.deploy.environments import Environment
from flowtasks.deploy.naming import CONTAINER, alias_arn_sub
from flowtasks.dsl.start_flow import placeholder_flows
from flowtasks.errors import UsageError
from flowtasks.limits import MAX_DEFINITION_BYTES
from flowtasks.protocol import ECS_RESOURCE

__all__ = ["Bound", "bind"]


@dataclass(frozen=True)
class Bound:
    """A definition ready for the template: its JSON text and its substitutions (values may be
    CloudFormation intrinsics such as ``{"Ref": "TaskDefinition"}``)."""

    text: str
    substitutions: dict[str, Any]
    started: tuple[str, ...]
    """Qualified names of the flows its StartFlow states start."""


def _network(machine: Mapping[str, Any], subnets: list[str], groups: list[str]) -> None:
    for _, state in iter_states(machine):
        if state.get("Type") != "Task" or state.get("Resource") != ECS_RESOURCE:
            continue
        params = state.get("Parameters")
        network = params.get("NetworkConfiguration") if isinstance(params, dict) else None
        vpc = network.get("AwsvpcConfiguration") if isinstance(network, dict) else None
        if isinstance(vpc, dict):
            vpc["Subnets"] = list(subnets)
            vpc["SecurityGroups"] = list(groups)


def bind(
    qualified: str,
    definition: Mapping[str, Any],
    env: Environment,
    *,
    known_flows: list[str],
    function: Any = None,
) -> Bound:
    """Bind the compiled `definition` of `qualified` to `env`.

    `known_flows`: every qualified flow name a StartFlow may target (all registered flows);
    `function`: the value of ``${FunctionArn}`` (None when the domain has no Lambda tasks).
    Raises UsageError for a placeholder nothing fills, or a definition over 1 MiB.
    """
    machine = copy.deepcopy(dict(definition))
    subnets = [f"${{Subnet{i}}}" for i in range(1, len(env.subnets) + 1)]
    groups = [f"${{SecurityGroup{i}}}" for i in range(1, len(env.security_groups) + 1)]
    _network(machine, subnets, groups)
    text = json.dumps(machine, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if len(text.encode()) > MAX_DEFINITION_BYTES:
        raise UsageError(
            f"{qualified}: its definition has {len(text.encode())} bytes; Step Functions "
            f"accepts at most {MAX_DEFINITION_BYTES}: split the flow (StartFlow) or move large "
            "constants into its input"
        )
    values: dict[str, Any] = {
        "ClusterArn": env.cluster_arn,
        "TaskDefinitionArn": {"Ref": "TaskDefinition"},
        "ContainerName": CONTAINER,
    }
    values.update({f"Subnet{i}": s for i, s in enumerate(env.subnets, 1)})
    values.update({f"SecurityGroup{i}": g for i, g in enumerate(env.security_groups, 1)})
    if function is not None:
        values["FunctionArn"] = function
    names = sorted(set(re.findall(r"\$\{([^}]+)\}", text)))
    started = placeholder_flows(names, known_flows)
    for placeholder, target in started.items():
        values[placeholder] = alias_arn_sub(target, env.name)
    missing = [n for n in names if n not in values]
    if missing:
        what = (
            "a StartFlow of a flow that is not registered"
            if missing[0].startswith("StartFlow_")
            else "a placeholder that nothing in the stack fills"
        )
        raise UsageError(f"{qualified}: its definition uses ${{{missing[0]}}}: {what}")
    substitutions = {n: values[n] for n in names}
    return Bound(text, substitutions, tuple(sorted(set(started.values()))))
