"""``flow-task state``: run one Task state: in the container (a task token in the environment:
`flowtasks.runner.container`, which reports to Step Functions), or locally, printing the result."""

from __future__ import annotations

import argparse
import json
import os

from flowtasks.cli.dev import use_local_services
from flowtasks.cli.io import err, is_json, json_text, out, read_input
from flowtasks.errors import UsageError


def state_command(args: argparse.Namespace) -> int:
    """Print the task's result; 1 with its Error and Cause if it raises; 2 for bad input.

    With FLOWTASKS_TASK_TOKEN set (the container) and no --input, run as the container runner:
    report to Step Functions, JSON logs on stdout, exit codes of `runner.container.ExitCode`.
    """
    from flowtasks.protocol import (
        ENV_INPUT,
        ENV_PARAM_PREFIX,
        ENV_TASK_TOKEN,
        TaskCall,
        decode_input,
        error_of,
    )
    from flowtasks.registry import qualified_name_of
    from flowtasks.runner import execute, resolve

    given, value = read_input(args)
    if os.environ.get(ENV_TASK_TOKEN) and not given:
        from flowtasks.runner.container import run_container

        return run_container(args.flow, args.state)
    use_local_services()
    defaulted = False
    if given:
        env = {ENV_INPUT: json.dumps(value)}
    else:  # as in the container: the input comes from the environment
        env = {
            k: v for k, v in os.environ.items() if k == ENV_INPUT or k.startswith(ENV_PARAM_PREFIX)
        }
        if not env:
            env, defaulted = {ENV_INPUT: "{}"}, True
    call = TaskCall(qualified_name_of(args.flow), args.state, env)
    resolve(call)  # an unknown flow or state is a usage error, not the task's failure
    if defaulted:  # say so: a forgotten --input must not look like the input of a real run
        err(
            "flow-task: no --input, --input-file, FLOWTASKS_INPUT or FLOWTASKS_PARAM_*: "
            "running the task on the input {}"
        )
    try:
        decode_input(call.env)
    except ValueError as exc:
        # name the variable, never echo its value (it may hold a secret)
        bad = next(name for name in sorted(env) if not is_json(env[name]))
        raise UsageError(
            f"the task input in the environment is not valid JSON: {bad}: {exc}"
        ) from None
    try:
        result = execute(call)
    except Exception as exc:
        if os.environ.get("FLOWTASKS_DEBUG"):
            raise
        error, cause = error_of(exc)
        err(f"flow-task: state {call.flow} {call.state} failed")
        err(f"  Error: {error}")
        err(f"  Cause: {cause}")
        from flowtasks.origin import location

        where = location(exc)
        if where is not None:
            err(f"  At:    {where}  (FLOWTASKS_DEBUG=1 shows the traceback)")
        return 1
    out(json_text(result))
    return 0
