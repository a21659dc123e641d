"""``flow-task validate``: compile and check flows, one verdict a flow, a summary on stderr."""

from __future__ import annotations

import argparse
import os
from typing import Any

from flowtasks.cli.io import err, out


def validate_command(args: argparse.Namespace) -> int:
    """Check the flows named (default: all); 1 if any is invalid or a domain cannot be loaded."""
    from flowtasks.asl.validate import validate_definition
    from flowtasks.errors import DefinitionError
    from flowtasks.registry import compiled, load_all, qualified_name_of

    broken: dict[str, Any] = {}
    if args.flows:
        names = [qualified_name_of(name) for name in args.flows]
    else:
        flows, broken = load_all()
        names = list(flows)
    if broken and os.environ.get("FLOWTASKS_DEBUG"):
        raise next(iter(broken.values()))
    for domain, error in broken.items():
        out(f"{'invalid':8}domain {domain}")
        out(f"  error: {error}")
    invalid = 0
    for name in names:
        try:
            result = compiled(name)
        except DefinitionError as exc:
            problems = list(exc.problems)
        else:
            problems = list(result.warnings)
            problems += [p for p in validate_definition(result.definition) if p not in problems]
        errors = [p for p in problems if p.severity != "warning"]
        invalid += bool(errors)
        out(f"{'invalid' if errors else 'ok':8}{name}")
        for problem in sorted(problems, key=lambda p: (p.severity != "error", p)):
            label = "error" if problem.severity != "warning" else "warning"
            out(f"  {label}: {problem}")
    noun = "flow" if len(names) == 1 else "flows"
    summary = f"{len(names)} {noun} checked, {invalid} invalid"
    if broken:
        summary += f", {len(broken)} {'domain' if len(broken) == 1 else 'domains'} not loaded"
    err(summary)
    return 1 if invalid or broken else 0
