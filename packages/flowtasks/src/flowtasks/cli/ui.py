"""``flow-task ui``: serve the web view of saved runs (and, with ``--env``, of the executions
of an AWS environment) on 127.0.0.1."""

from __future__ import annotations

import argparse

from flowtasks.cli.io import err


def ui_command(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C; the URL goes to stderr once the server accepts connections."""
    from flowtasks.runs import runs_dir
    from flowtasks.ui.server import serve
    from flowtasks.ui.sources import LocalRuns, RunSource

    sources: list[RunSource] = [LocalRuns(runs_dir())]
    if args.env is not None:
        from pathlib import Path

        from flowtasks.ui.aws import environment_source

        path = Path(args.environments) if args.environments else None
        sources.append(environment_source(args.env, path))
    serve(
        sources,
        port=args.port,
        open_browser=args.open,
        ready=lambda url: err(f"flow-task ui: {url}  (runs of {runs_dir()}; Ctrl-C stops)"),
    )
    return 0
