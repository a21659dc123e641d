"""A registered domain, ready to deploy: its environment, its compiled flows, its template."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from flowtasks.deploy.environments import Environment, environment, environments_file
from flowtasks.deploy.image import Image
from flowtasks.errors import DefinitionError, FlowNotFoundError, Problem

__all__ = ["domain_environment", "domain_template", "environments_path"]


def environments_path(domain: str) -> Path:
    """The ``environments.toml`` of registered `domain` (at the root of its package folder)."""
    from flowtasks.registry import _domains_cached, load_domain

    load_domain(domain)  # FlowNotFoundError / DomainLoadError first
    registered = _domains_cached()[domain]
    module_name = registered.value.partition(":")[0].strip()
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    if file is None:
        raise FlowNotFoundError(domain)
    return environments_file(file)


def domain_environment(domain: str, env: str, path: Path | None = None) -> Environment:
    """Environment `env` of `domain` (from `path`, default its environments.toml)."""
    return environment(path or environments_path(domain), env)


def domain_template(
    domain: str, env: Environment, image: Image, extra_resources: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The stack template of `domain` in `env`. Every flow is compiled first: any invalid one
    raises `DefinitionError` listing every problem of every flow, before anything else."""
    from flowtasks.asl.compiler import compile_flow
    from flowtasks.deploy.template import synth
    from flowtasks.registry import load_all, load_domain

    flows = load_domain(domain)
    compiled: dict[str, Any] = {}
    problems: list[Problem] = []
    for qualified, flow in flows.items():
        try:
            compiled[qualified] = (flow, compile_flow(flow, domain).definition)
        except DefinitionError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DefinitionError(problems, subject=f"domain {domain} (nothing was deployed)")
    known, _ = load_all()
    return synth(
        domain, env, image, compiled, known_flows=list(known), extra_resources=extra_resources
    )
