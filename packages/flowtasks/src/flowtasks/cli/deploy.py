"""``flow-task synth`` and ``flow-task deploy``: a domain's stack in an environment.

Both check everything before any AWS call, in this order: the image has a digest, the
environment exists in the domain's environments.toml (and is valid), every flow of the domain
compiles, the template is within CloudFormation's limits. A refusal changes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from flowtasks.cli.io import err, json_text, out

__all__ = ["deploy_command", "synth_command"]


def _template(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """(environment, template) of ``--domain``/``--env``/``--image``, all checks done."""
    from flowtasks.deploy.domain import domain_environment, domain_template
    from flowtasks.deploy.image import parse_image

    image = parse_image(args.image)
    path = Path(args.environments) if args.environments else None
    env = domain_environment(args.domain, args.env, path)
    return env, domain_template(args.domain, env, image)


def synth_command(args: argparse.Namespace) -> int:
    """Print the domain's CloudFormation template for the environment (JSON)."""
    _, template = _template(args)
    text = json_text(template)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        err(f"wrote {args.output}")
    else:
        out(text)
    return 0


def deploy_command(args: argparse.Namespace) -> int:
    """Create or update the domain's stack through a change set (``--dry-run``: show it only)."""
    from flowtasks.deploy.naming import stack_name
    from flowtasks.deploy.stack import deploy_stack

    env, template = _template(args)
    stack = stack_name(args.domain, env.name)
    result = deploy_stack(
        template, domain=args.domain, env=env, stack=stack, dry_run=args.dry_run, say=err
    )
    if result.executed:
        out(f"{stack}: {result.status}")
    return 0
