"""The ``flow-task`` argument parser: every command, argument and option, with its help.

Each command stores its handler as ``"module:function"`` (a module of flowtasks.cli), imported
only when that command runs, so that ``--help`` and argument errors import no command code.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

FLOW_HELP = "a flow, as domain.Flow (e.g. demo.VendorIngest) or a unique bare Flow name"


def count(text: str) -> int:
    """An argparse type: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, not {text!r}")
    return value


def _add_input(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--input", metavar="JSON", help="the input as JSON text")
    group.add_argument(
        "--input-file", metavar="PATH", help="read the input JSON from PATH (- = stdin)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``flow-task``; parsed arguments carry ``handler`` (``"module:function"``)."""
    parser = argparse.ArgumentParser(
        prog="flow-task",
        description="Define AWS Step Functions flows in Python: list, compile, validate, draw, "
        "scaffold and run them locally.",
        epilog="Exit codes: 0 ok, 1 failed, 2 usage error, 3 run timed out, 4 run aborted "
        "(also Ctrl-C during run), 130 interrupted. FLOWTASKS_DEBUG=1 shows tracebacks.",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, help="one of the commands below"
    )

    def command(name: str, handler: str, help_text: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.set_defaults(handler=handler)
        return cmd

    cmd = command("list", "catalog:list_command", "list every flow (domain.Flow), one a line")
    cmd.add_argument("--json", action="store_true", help="states, tasks, description, triggers")

    cmd = command("asl", "catalog:asl_command", "print a flow's compiled ASL JSON")
    cmd.add_argument("flow", metavar="FLOW", help=FLOW_HELP)

    cmd = command(
        "validate", "validate:validate_command", "compile and check flows (all, or those named)"
    )
    cmd.add_argument(
        "flows", metavar="FLOW", nargs="*", help="flows to check (default: every registered flow)"
    )

    cmd = command("graph", "graph:graph_command", "draw a flow's compiled state machine")
    cmd.add_argument("flow", metavar="FLOW", nargs="?", help=FLOW_HELP)
    cmd.add_argument(
        "--format",
        choices=("mermaid", "dot"),
        default="mermaid",
        help="mermaid: a Mermaid flowchart (GitHub renders it); dot: Graphviz (default: mermaid)",
    )
    cmd.add_argument(
        "--run",
        metavar="RUN_ID",
        help="colour each state by its outcome in a saved run ('latest': the most recent); "
        "without FLOW, draws the definition saved with the run",
    )
    cmd.add_argument(
        "--asl", metavar="PATH", help="draw an ASL JSON file instead of a flow (validated first)"
    )

    cmd = command(
        "state", "state:state_command", "run one Task state's function locally, as the container"
    )
    cmd.add_argument("flow", metavar="FLOW", help=FLOW_HELP)
    cmd.add_argument("state", metavar="STATE", help="the name of one of the flow's Task states")
    _add_input(cmd)

    cmd = command("run", "run:run_command", "run a flow (or an ASL file) locally with the engine")
    cmd.add_argument(
        "flow", metavar="FLOW", nargs="?", help=FLOW_HELP + " (or give --asl / --redrive)"
    )
    _add_input(cmd)
    cmd.add_argument(
        "--mock",
        metavar="STATE=JSON",
        action="append",
        default=[],
        help='replace a Task state\'s result; {"Error": ..., "Cause": ...} makes it fail',
    )
    cmd.add_argument("--skip-waits", action="store_true", help="record Wait states, don't sleep")
    cmd.add_argument("--asl", metavar="PATH", help="run any ASL file (its Tasks given as --mock)")
    cmd.add_argument("--redrive", metavar="RUN_ID", help="resume a failed saved run")
    cmd.add_argument(
        "--isolate",
        nargs="?",
        const="process",
        choices=("process", "docker"),
        metavar="MODE",
        help="run each Task of ours in its own `flow-task state` process through the container "
        "protocol (MODE process, the default; or docker: `docker run` of the domain's image)",
    )
    cmd.add_argument(
        "--trigger",
        metavar="NAME",
        help="start the flow as its trigger NAME does in AWS: the input is what that trigger "
        "sends (for --event, or a sample event)",
    )
    cmd.add_argument(
        "--event", metavar="JSON", help="with --trigger: the event the trigger receives"
    )

    cmd = command("runs", "run:runs_command", "list recent saved runs, newest first")
    cmd.add_argument(
        "run",
        metavar="RUN_ID",
        nargs="?",
        help="show this saved run instead ('latest': the most recent): its outcome and every "
        "failed attempt, with where the task's code raised and the full traceback",
    )
    cmd.add_argument(
        "--limit", type=count, default=20, metavar="N", help="show at most N runs (default: 20)"
    )
    cmd.add_argument(
        "--json", action="store_true", help="print each run's meta.json as a JSON list"
    )

    cmd = command("ui", "ui:ui_command", "look at saved runs in a browser (127.0.0.1 only)")
    cmd.add_argument(
        "--port", type=count, default=8765, metavar="N", help="port (default: 8765; 0: any free)"
    )
    cmd.add_argument("--open", action="store_true", help="open the page in the web browser")
    cmd.add_argument(
        "--env",
        metavar="ENV",
        help="also show the executions of the deployed flows in environment ENV (AWS)",
    )
    cmd.add_argument(
        "--environments",
        metavar="PATH",
        help="with --env: an environments file (default: each domain's environments.toml)",
    )

    cmd = command(
        "dev", "dev:dev_command", "start, stop or show local services (S3, SFTP, Redshift)"
    )
    cmd.add_argument(
        "action",
        choices=("up", "down", "status"),
        help="up: start them in the background (and write their settings); down: stop them; "
        "status: show them (exit 1 when not running)",
    )
    cmd.add_argument(
        "--seed", metavar="DIR", help="up: copy the files under DIR into the SFTP server's root"
    )
    cmd.add_argument(
        "--dir", metavar="PATH", help="where services keep data (default: ./.flowtasks/dev)"
    )

    help_text = "scaffold a domain or a flow"
    new = sub.add_parser("new", help=help_text, description=help_text)
    new_sub = new.add_subparsers(dest="what", metavar="WHAT", required=True, help="domain or flow")
    cmd = new_sub.add_parser("domain", help="a new domain package domains/NAME-flows")
    cmd.set_defaults(handler="new:new_domain_command")
    cmd.add_argument("name", metavar="NAME", help="the domain: lower-case letters, digits and '_'")
    cmd.add_argument("--root", metavar="PATH", help="the monorepo root (default: found from cwd)")
    cmd.add_argument(
        "--no-install",
        action="store_true",
        help="don't pip install it into the environment (then run scripts/bootstrap)",
    )
    cmd = new_sub.add_parser("flow", help="a new flow file and its test in a domain")
    cmd.set_defaults(handler="new:new_flow_command")
    cmd.add_argument("domain", metavar="DOMAIN", help="an existing domain, e.g. demo")
    cmd.add_argument(
        "name",
        metavar="NAME",
        help="the flow: invoice-export, invoice_export and InvoiceExport all give InvoiceExport",
    )
    cmd.add_argument("--root", metavar="PATH", help="the monorepo root (default: found from cwd)")
    _add_aws_commands(command)
    return parser


def _add_aws_commands(command: Callable[[str, str, str], argparse.ArgumentParser]) -> None:
    """synth, deploy, start, executions, status, redrive (flowtasks.cli.deploy / .operate)."""
    env_file = "the domain's environments file (default: environments.toml at the domain's root)"
    for name, handler, help_text in (
        ("synth", "deploy:synth_command", "print a domain's CloudFormation template for an env"),
        ("deploy", "deploy:deploy_command", "create or update a domain's stack (a change set)"),
    ):
        cmd = command(name, handler, help_text)
        cmd.add_argument("--domain", required=True, metavar="DOMAIN", help="e.g. demo")
        cmd.add_argument("--env", required=True, metavar="ENV", help="e.g. dev or prod")
        cmd.add_argument(
            "--image",
            required=True,
            metavar="URI@sha256:DIGEST",
            help="the domain's image, by digest (registry/repository[:tag]@sha256:...)",
        )
        cmd.add_argument("--environments", metavar="PATH", help=env_file)
        if name == "synth":
            cmd.add_argument("--output", metavar="PATH", help="write the template to PATH")
        else:
            cmd.add_argument(
                "--dry-run", action="store_true", help="show the change set, deploy nothing"
            )
    cmd = command("start", "operate:start_command", "start a deployed flow in an environment")
    cmd.add_argument("flow", metavar="FLOW", help=FLOW_HELP)
    cmd.add_argument("--env", required=True, metavar="ENV", help="e.g. dev or prod")
    _add_input(cmd)
    cmd.add_argument("--name", metavar="NAME", help="the execution's name (default: a UUID)")
    cmd.add_argument("--environments", metavar="PATH", help=env_file)
    cmd = command("executions", "operate:executions_command", "a deployed flow's executions")
    cmd.add_argument("flow", metavar="FLOW", help=FLOW_HELP)
    cmd.add_argument("--env", required=True, metavar="ENV", help="e.g. dev or prod")
    cmd.add_argument("--limit", type=count, default=20, metavar="N", help="at most N (default: 20)")
    cmd.add_argument("--json", action="store_true", help="as a JSON list")
    cmd.add_argument("--environments", metavar="PATH", help=env_file)
    cmd = command("status", "operate:status_command", "a deployed execution, state by state")
    cmd.add_argument("execution_arn", metavar="EXECUTION_ARN", help="from start or executions")
    cmd.add_argument("--watch", action="store_true", help="follow it until it ends")
    cmd.add_argument("--json", action="store_true", help="the execution and its events as JSON")
    cmd = command("redrive", "operate:redrive_command", "redrive a failed deployed execution")
    cmd.add_argument("execution_arn", metavar="EXECUTION_ARN", help="a FAILED execution's ARN")
