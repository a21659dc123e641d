"""``flow-task new domain`` and ``flow-task new flow``: scaffold a domain package or a flow."""

from __future__ import annotations

import argparse
from pathlib import Path

from flowtasks.cli.io import err


def new_domain_command(args: argparse.Namespace) -> int:
    """Create domains/NAME-flows (and pip install it unless ``--no-install``)."""
    from flowtasks.scaffold import new_domain

    root = Path(args.root) if args.root else None
    created = new_domain(args.name, root=root, install=not args.no_install, log=err)
    err(f"created domain {args.name} in {created}")
    if args.no_install:
        try:
            shown = created.relative_to(Path.cwd())
        except ValueError:
            shown = created
        err(
            f"next: install it (not done, --no-install) with scripts/bootstrap, or with "
            f"`pip install -e {shown}` in the environment; then `flow-task list` shows "
            f"{args.name}.HelloItems"
        )
    return 0


def new_flow_command(args: argparse.Namespace) -> int:
    """Write a new flow file and its test in an existing domain."""
    from flowtasks.scaffold import new_flow

    root = Path(args.root) if args.root else None
    files = new_flow(args.domain, args.name, root=root)
    for path in files:
        err(f"wrote {path}")
    return 0
