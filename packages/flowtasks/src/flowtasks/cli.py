"""``flow-task``: list, compile, validate, draw, scaffold and run flows. See docs/cli.md.

Start-up is kept fast: nothing heavy is imported at module level; each command imports what it
needs. Every error flowtasks raises on purpose prints one clear message on stderr and exits with
its `exit_code`; set ``FLOWTASKS_DEBUG=1`` to get tracebacks instead.

Exit codes: 0 success; 1 failure (invalid flow, failed run, failed task, a domain that cannot be
loaded); 2 usage (bad arguments, malformed JSON, unknown flow / state / run); 3 the run timed out;
4 the run was aborted (Ctrl-C during `run` aborts the execution, which is saved); 130 interrupted
(Ctrl-C in any other command, or before a run starts).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from flowtasks.errors import FlowtasksError, UsageError

__all__ = ["EXIT_CODES", "main"]

EXIT_CODES = {"SUCCEEDED": 0, "FAILED": 1, "TIMED_OUT": 3, "ABORTED": 4}
"""Exit code of ``flow-task run`` by execution status."""

Handler = Callable[[argparse.Namespace], int]


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def _json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


# --- inputs ------------------------------------------------------------------------------------


def _parse_json(text: str, what: str) -> Any:
    from flowtasks.runner.mocks import parse_json

    return parse_json(text, what)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _read_input(args: argparse.Namespace) -> tuple[bool, Any]:
    """(given?, value) from --input / --input-file (``-`` reads stdin)."""
    if args.input is not None:
        return True, _parse_json(args.input, "--input")
    if args.input_file is not None:
        if args.input_file == "-":
            return True, _parse_json(sys.stdin.read(), "standard input")
        try:
            text = Path(args.input_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot read --input-file {args.input_file}: {exc.strerror}"
            ) from None
        return True, _parse_json(text, args.input_file)
    return False, None


def _read_asl(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    definition = _parse_json(text, path)
    if not isinstance(definition, dict):
        raise UsageError(f"{path} is not an ASL definition (expected a JSON object)")
    return definition


def _read_valid_asl(path: str) -> dict[str, Any]:
    """The ASL definition in `path`; DefinitionError listing every problem if it is invalid."""
    from flowtasks.asl.validate import validate_definition
    from flowtasks.errors import DefinitionError

    definition = _read_asl(path)
    errors = [p for p in validate_definition(definition) if p.severity != "warning"]
    if errors:
        raise DefinitionError(errors, f"the state machine definition in {path}")
    return definition


def _report_broken(broken: dict[str, Any]) -> None:
    """One line on stderr for each domain that cannot be loaded (its DomainLoadError)."""
    if broken and os.environ.get("FLOWTASKS_DEBUG"):
        raise next(iter(broken.values()))
    for error in broken.values():
        _err(f"flow-task: error: {error}")


# --- list, asl, validate, graph ---------------------------------------------------------------


def _cmd_list(args: argparse.Namespace) -> int:
    from flowtasks.registry import load_all, split_name

    flows, broken = load_all()
    _report_broken(broken)
    code = 1 if broken else 0
    if not args.json:
        for name in flows:
            _out(name)
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
                "triggers": [t if isinstance(t, str | dict) else repr(t) for t in flow.triggers],
            }
        )
    _out(_json_text(rows))
    return code


def _cmd_asl(args: argparse.Namespace) -> int:
    from flowtasks.asl.canonical import to_json
    from flowtasks.registry import compiled_definition

    _out(to_json(compiled_definition(args.flow)))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
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
        _out(f"{'invalid':8}domain {domain}")
        _out(f"  error: {error}")
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
        _out(f"{'invalid' if errors else 'ok':8}{name}")
        for problem in sorted(problems, key=lambda p: (p.severity != "error", p)):
            label = "error" if problem.severity != "warning" else "warning"
            _out(f"  {label}: {problem}")
    noun = "flow" if len(names) == 1 else "flows"
    summary = f"{len(names)} {noun} checked, {invalid} invalid"
    if broken:
        summary += f", {len(broken)} {'domain' if len(broken) == 1 else 'domains'} not loaded"
    _err(summary)
    return 1 if invalid or broken else 0


def _cmd_graph(args: argparse.Namespace) -> int:
    from flowtasks.asl.graph import render

    run = None
    if args.run is not None:
        from flowtasks.runs import load_run

        run = load_run(args.run)
    if args.asl is not None:
        definition = _read_valid_asl(args.asl)
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
    _out(render(definition, args.format, outcomes=outcomes))
    return 0


# --- state, run, runs -------------------------------------------------------------------------


def _cmd_state(args: argparse.Namespace) -> int:
    from flowtasks.protocol import ENV_INPUT, ENV_PARAM_PREFIX, TaskCall, decode_input, error_of
    from flowtasks.registry import qualified_name_of
    from flowtasks.runner import execute, resolve

    given, value = _read_input(args)
    if given:
        env = {ENV_INPUT: json.dumps(value)}
    else:  # as in the container: the input comes from the environment
        env = {
            k: v for k, v in os.environ.items() if k == ENV_INPUT or k.startswith(ENV_PARAM_PREFIX)
        }
        if not env:
            env = {ENV_INPUT: "{}"}
    call = TaskCall(qualified_name_of(args.flow), args.state, env)
    resolve(call)  # an unknown flow or state is a usage error, not the task's failure
    try:
        decode_input(call.env)
    except ValueError as exc:
        # name the variable, never echo its value (it may hold a secret)
        bad = next(name for name in sorted(env) if not _is_json(env[name]))
        raise UsageError(
            f"the task input in the environment is not valid JSON: {bad}: {exc}"
        ) from None
    try:
        result = execute(call)
    except Exception as exc:
        if os.environ.get("FLOWTASKS_DEBUG"):
            raise
        error, cause = error_of(exc)
        _err(f"flow-task: state {call.flow} {call.state} failed")
        _err(f"  Error: {error}")
        _err(f"  Cause: {cause}")
        return 1
    _out(_json_text(result))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from flowtasks.runner.mocks import mock_handlers, parse_mocks
    from flowtasks.runner.progress import Progress
    from flowtasks.runs import load_run, new_run_id, save_run

    sources = sum(x is not None for x in (args.flow, args.asl, args.redrive))
    if sources != 1:
        raise UsageError("run needs exactly one of FLOW, --asl PATH or --redrive RUN_ID")
    mocks = parse_mocks(args.mock)
    _, value = _read_input(args)
    started = datetime.now(UTC).isoformat(timespec="milliseconds")
    if args.redrive is not None:
        from flowtasks.local import Execution, redrive

        saved = load_run(args.redrive)
        if args.input is not None or args.input_file is not None:
            raise UsageError("--redrive reuses the run's input; drop --input / --input-file")
        if saved.meta.get("status") == "SUCCEEDED":
            raise UsageError(f"run {saved.id} succeeded; only a failed run can be redriven")
        mocks = {**saved.meta.get("mocks", {}), **mocks}
        execution = Execution.from_dict(saved.read("execution.json"))
        flow_label, run_id = str(saved.meta.get("flow")), saved.id
        extra = {key: saved.meta[key] for key in ("source",) if key in saved.meta}
        extra["redriven"] = started
        started = str(saved.meta.get("started", started))
        progress = Progress(
            execution.definition,
            header=f"redriving run {run_id} ({flow_label})",
            skip_waits=args.skip_waits,
        )
        execution = redrive(
            execution,
            mock_handlers(mocks, execution.definition),
            skip_waits=args.skip_waits,
            on_event=progress,
        )
    else:
        from flowtasks.local import run

        if args.asl is not None:
            definition = _read_valid_asl(args.asl)
            flow_label = machine_name = Path(args.asl).name.split(".")[0]
            extra = {"source": str(Path(args.asl).resolve())}
        else:
            from flowtasks.registry import compiled_definition, qualified_name_of, split_name

            flow_label = qualified_name_of(args.flow)
            machine_name = split_name(flow_label)[1]
            definition = compiled_definition(flow_label)
            extra = {"source": "flow"}
        run_id = new_run_id()
        progress = Progress(
            definition, header=f"run {run_id}: {flow_label}", skip_waits=args.skip_waits
        )
        execution = run(
            definition,
            value,
            mock_handlers(mocks, definition),
            args.skip_waits,
            on_event=progress,
            name=run_id,
            state_machine_name=machine_name,
        )
    progress.close()
    finished = datetime.now(UTC).isoformat(timespec="milliseconds")
    saved_run = save_run(
        run_id, execution, flow=flow_label, mocks=mocks, started=started, finished=finished,
        extra=extra,
    )  # fmt: skip
    if execution.status == "SUCCEEDED":
        _out(_json_text(execution.output))
        _err(f"SUCCEEDED  run {run_id} saved in {saved_run.path}")
        return 0
    _err(f"{execution.status}  run {run_id} saved in {saved_run.path}")
    _err(f"  Error: {execution.error}")
    if execution.cause:
        _err(f"  Cause: {execution.cause}")
    return EXIT_CODES.get(str(execution.status), 1)


def _cmd_runs(args: argparse.Namespace) -> int:
    from flowtasks.runs import list_runs

    runs = list_runs(limit=args.limit)
    if args.json:
        _out(_json_text([run.meta for run in runs]))
        return 0
    for run in runs:
        meta = run.meta
        _out(f"{run.id}  {meta.get('status', '?'):9}  {meta.get('flow', '?')}")
    return 0


# --- new ---------------------------------------------------------------------------------------


def _cmd_new_domain(args: argparse.Namespace) -> int:
    from flowtasks.scaffold import new_domain

    root = Path(args.root) if args.root else None
    created = new_domain(args.name, root=root, install=not args.no_install, log=_err)
    _err(f"created domain {args.name} in {created}")
    if args.no_install:
        try:
            shown = created.relative_to(Path.cwd())
        except ValueError:
            shown = created
        _err(
            f"next: install it (not done, --no-install) with scripts/bootstrap, or with "
            f"`pip install -e {shown}` in the environment; then `flow-task list` shows "
            f"{args.name}.HelloItems"
        )
    return 0


def _cmd_new_flow(args: argparse.Namespace) -> int:
    from flowtasks.scaffold import new_flow

    root = Path(args.root) if args.root else None
    files = new_flow(args.domain, args.name, root=root)
    for path in files:
        _err(f"wrote {path}")
    return 0


# --- parser ------------------------------------------------------------------------------------


def _count(text: str) -> int:
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


_FLOW_HELP = "a flow, as domain.Flow (e.g. demo.VendorIngest) or a unique bare Flow name"


def _parser() -> argparse.ArgumentParser:
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

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.set_defaults(handler=handler)
        return cmd

    cmd = command("list", _cmd_list, "list every flow (domain.Flow), one a line")
    cmd.add_argument("--json", action="store_true", help="states, tasks, description, triggers")

    cmd = command("asl", _cmd_asl, "print a flow's compiled ASL JSON")
    cmd.add_argument("flow", metavar="FLOW", help=_FLOW_HELP)

    cmd = command("validate", _cmd_validate, "compile and check flows (all, or those named)")
    cmd.add_argument(
        "flows", metavar="FLOW", nargs="*", help="flows to check (default: every registered flow)"
    )

    cmd = command("graph", _cmd_graph, "draw a flow's compiled state machine")
    cmd.add_argument("flow", metavar="FLOW", nargs="?", help=_FLOW_HELP)
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

    cmd = command("state", _cmd_state, "run one Task state's function locally, as the container")
    cmd.add_argument("flow", metavar="FLOW", help=_FLOW_HELP)
    cmd.add_argument("state", metavar="STATE", help="the name of one of the flow's Task states")
    _add_input(cmd)

    cmd = command("run", _cmd_run, "run a flow (or an ASL file) locally with the engine")
    cmd.add_argument(
        "flow", metavar="FLOW", nargs="?", help=_FLOW_HELP + " (or give --asl / --redrive)"
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

    cmd = command("runs", _cmd_runs, "list recent saved runs, newest first")
    cmd.add_argument(
        "--limit", type=_count, default=20, metavar="N", help="show at most N runs (default: 20)"
    )
    cmd.add_argument(
        "--json", action="store_true", help="print each run's meta.json as a JSON list"
    )

    new = command("new", _cmd_help(parser), "scaffold a domain or a flow")
    new_sub = new.add_subparsers(dest="what", metavar="WHAT", required=True, help="domain or flow")
    cmd = new_sub.add_parser("domain", help="a new domain package domains/NAME-flows")
    cmd.set_defaults(handler=_cmd_new_domain)
    cmd.add_argument("name", metavar="NAME", help="the domain: lower-case letters, digits and '_'")
    cmd.add_argument("--root", metavar="PATH", help="the monorepo root (default: found from cwd)")
    cmd.add_argument(
        "--no-install",
        action="store_true",
        help="don't pip install it into the environment (then run scripts/bootstrap)",
    )
    cmd = new_sub.add_parser("flow", help="a new flow file and its test in a domain")
    cmd.set_defaults(handler=_cmd_new_flow)
    cmd.add_argument("domain", metavar="DOMAIN", help="an existing domain, e.g. demo")
    cmd.add_argument(
        "name",
        metavar="NAME",
        help="the flow: invoice-export, invoice_export and InvoiceExport all give InvoiceExport",
    )
    cmd.add_argument("--root", metavar="PATH", help="the monorepo root (default: found from cwd)")
    return parser


def _cmd_help(parser: argparse.ArgumentParser) -> Handler:
    def show(_: argparse.Namespace) -> int:  # pragma: no cover - subcommands are required
        parser.print_help(sys.stderr)
        return 2

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``flow-task`` with `argv` (default: sys.argv[1:]); return the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage or help
        return exc.code if isinstance(exc.code, int) else 2
    handler: Handler = args.handler
    try:
        return handler(args)
    except FlowtasksError as exc:
        if os.environ.get("FLOWTASKS_DEBUG"):
            raise
        _err(f"flow-task: error: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        _err("flow-task: interrupted")
        return 130
    except BrokenPipeError:  # e.g. `flow-task asl X | head`
        return 0
    except Exception as exc:
        if os.environ.get("FLOWTASKS_DEBUG"):
            raise
        _err(f"flow-task: internal error: {type(exc).__name__}: {exc}")
        _err("  (set FLOWTASKS_DEBUG=1 to see the traceback)")
        return 1
