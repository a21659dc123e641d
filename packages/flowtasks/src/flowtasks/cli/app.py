"""``main``: parse the arguments, run the chosen command, turn errors into exit codes."""

from __future__ import annotations

import argparse
import importlib
import os
from collections.abc import Callable, Sequence

from flowtasks.cli.io import err
from flowtasks.errors import FlowtasksError

__all__ = ["EXIT_CODES", "main"]

EXIT_CODES = {"SUCCEEDED": 0, "FAILED": 1, "TIMED_OUT": 3, "ABORTED": 4}
"""Exit code of ``flow-task run`` by execution status."""

Handler = Callable[[argparse.Namespace], int]


def handler_of(args: argparse.Namespace) -> Handler:
    """The command function `args` names (``"module:function"`` under flowtasks.cli)."""
    module, _, function = str(args.handler).partition(":")
    found: Handler = getattr(importlib.import_module(f"flowtasks.cli.{module}"), function)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``flow-task`` with `argv` (default: sys.argv[1:]); return the exit code."""
    from flowtasks.cli.parser import build_parser

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage or help
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return handler_of(args)(args)
    except FlowtasksError as exc:
        if os.environ.get("FLOWTASKS_DEBUG"):
            raise
        err(f"flow-task: error: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        err("flow-task: interrupted")
        return 130
    except BrokenPipeError:  # e.g. `flow-task asl X | head`
        return 0
    except Exception as exc:
        if os.environ.get("FLOWTASKS_DEBUG"):
            raise
        err(f"flow-task: internal error: {type(exc).__name__}: {exc}")
        err("  (set FLOWTASKS_DEBUG=1 to see the traceback)")
        return 1
