"""``flow-task graph``: draw a flow, an ASL file or a saved run's state machine."""

from __future__ import annotations

import argparse

from flowtasks.cli.io import out, read_valid_asl
from flowtasks.errors import UsageError


def graph_command(args: argparse.Namespace) -> int:
    """Mermaid or dot text; with ``--run``, each state coloured by its outcome in that run."""
    from flowtasks.asl.diagram import render

    run = None
    if args.run is not None:
        from flowtasks.runs import load_run

        run = load_run(args.run)
    if args.asl is not None:
        definition = read_valid_asl(args.asl)
    elif args.flow is not None:
        from flowtasks.registry import compiled_definition, qualified_name_of

        name = qualified_name_of(args.flow)
        if run is not None and run.meta.get("flow") != name:
            raise UsageError(f"run {run.id} is a run of {run.meta.get('flow')}, not of {name}")
        definition = compiled_definition(name)
    elif run is not None:
        definition = run.definition
    else:
        raise UsageError("graph needs a FLOW, --asl PATH or --run RUN_ID")
    outcomes = None
    if run is not None:
        from flowtasks.runs import outcomes_of

        outcomes = outcomes_of(run.history, definition)
    out(render(definition, args.format, outcomes=outcomes))
    return 0
