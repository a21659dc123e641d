"""``flow-task list`` and ``flow-task asl``: the registered flows and their compiled ASL."""

from __future__ import annotations

import argparse

from flowtasks.cli.io import json_text, out, report_broken


def list_command(args: argparse.Namespace) -> int:
    """Every flow (domain.Flow), one a line, or with ``--json`` its states, tasks and triggers."""
    from flowtasks.registry import load_all, split_name

    flows, broken = load_all()
    report_broken(broken)
    code = 1 if broken else 0
    if not args.json:
        for name in flows:
            out(name)
        return code
    rows = []
    for name, flow in flows.items():
        rows.append(
            {
                "name": name,
                "domain": split_name(name)[0],
                "description": flow.description,
                "states": [state.name for state in flow.states()],
                "tasks": list(flow.task_states()),
                "triggers": [
                    {"name": t.name, "kind": t.kind, "description": t.describe()}
                    for t in flow.triggers
                ],
            }
        )
    out(json_text(rows))
    return code


def asl_command(args: argparse.Namespace) -> int:
    """A flow's compiled ASL as canonical JSON."""
    from flowtasks.asl.canonical import to_json
    from flowtasks.registry import compiled_definition

    out(to_json(compiled_definition(args.flow)))
    return 0
