"""``flow-task run`` (a flow, an ASL file, or a redrive of a saved run) and ``flow-task runs``."""

from __future__ import annotations

import argparse
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowtasks.cli.app import EXIT_CODES
from flowtasks.cli.dev import use_local_services
from flowtasks.cli.io import err, json_text, out, read_input, read_valid_asl
from flowtasks.errors import UsageError

if TYPE_CHECKING:
    from flowtasks.history import Failure
    from flowtasks.live_runs import LiveRun
    from flowtasks.local import Execution


@dataclass
class _Ran:
    """One finished execution and what `save_run` records with it."""

    execution: Execution
    run_id: str
    flow_label: str
    started: str
    mocks: dict[str, Any]
    extra: dict[str, Any]
    live: LiveRun


def run_command(args: argparse.Namespace) -> int:
    """Run, print the output (or the error), save the run; exit code by status (EXIT_CODES)."""
    from datetime import UTC, datetime

    from flowtasks.cli.mocks import parse_mocks
    from flowtasks.runs import save_run

    sources = sum(x is not None for x in (args.flow, args.asl, args.redrive))
    if sources != 1:
        raise UsageError("run needs exactly one of FLOW, --asl PATH or --redrive RUN_ID")
    use_local_services()
    mocks = parse_mocks(args.mock)
    _, value = read_input(args)
    if args.trigger is not None or args.event is not None:
        value = _trigger_input(args, value)
    started = datetime.now(UTC).isoformat(timespec="milliseconds")
    with contextlib.ExitStack() as stack:
        if getattr(args, "isolate", None):
            from flowtasks.runner.isolate import Isolation

            args.isolation = stack.enter_context(Isolation(args.isolate))
        if args.redrive is not None:
            ran = _redrive(args, mocks, started)
        else:
            ran = _run(args, mocks, started, value)
    execution, run_id = ran.execution, ran.run_id
    finished = datetime.now(UTC).isoformat(timespec="milliseconds")
    saved_run = save_run(
        run_id, execution, flow=ran.flow_label, mocks=ran.mocks, started=ran.started,
        finished=finished, extra=ran.extra,
    )  # fmt: skip
    isolation = getattr(args, "isolation", None)
    if isolation is not None:  # the runners' JSON logs, kept with the run
        logs = "".join(line + "\n" for line in isolation.logs)
        (saved_run.path / "runner.log.jsonl").write_text(logs, encoding="utf-8")
    ran.live.close()
    if execution.status == "SUCCEEDED":
        out(json_text(execution.output))
        err(f"SUCCEEDED  run {run_id} saved in {saved_run.path}")
        return 0
    err(f"{execution.status}  run {run_id} saved in {saved_run.path}")
    # A Fail state without Error leaves none, as in AWS.
    err(f"  Error: {execution.error if execution.error is not None else '(none given)'}")
    if execution.cause:
        err(f"  Cause: {execution.cause}")
    failure = _raised(execution.history, execution.definition, execution.error)
    if failure is not None and failure.location is not None:
        err(f"  At:    {failure.location}")
    if failure is not None and failure.traceback is not None:
        err(f"  Traceback: flow-task runs {run_id} (or run again with FLOWTASKS_DEBUG=1)")
    return EXIT_CODES.get(str(execution.status), 1)


def _raised(history: Any, definition: Any, error: str | None) -> Failure | None:
    """The failed attempt, raised by a task's own code, that failed the execution with `error`
    (the last one), or None."""
    from flowtasks.history import read_history

    states = read_history(history, definition).states
    for state in reversed(states):
        for failure in reversed(state.failures):
            if failure.traceback is not None and failure.error == error:
                return failure
    return None


def _trigger_input(args: argparse.Namespace, value: Any) -> Any:
    """The input that trigger ``--trigger`` sends for ``--event`` (or a sample event)."""
    from flowtasks.cli.io import parse_json
    from flowtasks.deploy.triggers import sample_event, trigger_input
    from flowtasks.registry import get_flow, qualified_name_of

    if args.trigger is None:
        raise UsageError("--event needs --trigger NAME (the trigger that receives the event)")
    if args.flow is None or value is not None:
        raise UsageError("--trigger needs FLOW and makes the input itself: drop --input/--asl")
    qualified = qualified_name_of(args.flow)
    triggers = {t.name: t for t in get_flow(qualified).triggers}
    trigger = triggers.get(args.trigger)
    if trigger is None:
        known = ", ".join(sorted(triggers)) or "(none: the flow declares no triggers)"
        raise UsageError(f"{qualified} has no trigger {args.trigger!r}; its triggers: {known}")
    event = (
        parse_json(args.event, "--event")
        if args.event is not None
        else sample_event(trigger, qualified)
    )
    return trigger_input(trigger, qualified, event)


def _redrive(args: argparse.Namespace, mocks: dict[str, Any], now: str) -> _Ran:
    """Resume the failed saved run ``--redrive`` names, under the same id, with its mocks."""
    from flowtasks.cli.progress import Progress
    from flowtasks.live_runs import LiveRun, tee
    from flowtasks.local import Execution, redrive
    from flowtasks.runs import load_run

    saved = load_run(args.redrive)
    if args.input is not None or args.input_file is not None:
        raise UsageError("--redrive reuses the run's input; drop --input / --input-file")
    if saved.meta.get("status") == "SUCCEEDED":
        raise UsageError(f"run {saved.id} succeeded; only a failed run can be redriven")
    mocks = {**saved.meta.get("mocks", {}), **mocks}
    saved_file = saved.path / "execution.json"
    execution = Execution.from_dict(
        saved.read("execution.json"), source=f"run {saved.id!r}: {saved_file}"
    )
    flow_label, run_id = str(saved.meta.get("flow")), saved.id
    extra = {key: saved.meta[key] for key in ("source",) if key in saved.meta}
    extra["redriven"] = now
    started = str(saved.meta.get("started", now))
    progress = Progress(
        execution.definition,
        header=f"redriving run {run_id} ({flow_label})",
        skip_waits=args.skip_waits,
        tracebacks=_debug(),
    )
    live = LiveRun(
        run_id, flow=flow_label, definition=execution.definition, input=execution.input,
        started=started, prior=execution.history, meta={**saved.meta, "mocks": mocks},
    )  # fmt: skip
    try:
        execution = redrive(
            execution,
            _handlers(args, mocks, execution.definition),
            skip_waits=args.skip_waits,
            on_event=tee(progress, live),
        )
    except BaseException:
        live.abandon()
        raise
    progress.close()
    return _Ran(execution, run_id, flow_label, started, mocks, extra, live)


def _run(args: argparse.Namespace, mocks: dict[str, Any], started: str, value: Any) -> _Ran:
    """A new run of the flow FLOW, or of the ASL file ``--asl``, under a new run id."""
    from flowtasks.cli.progress import Progress
    from flowtasks.live_runs import LiveRun, tee
    from flowtasks.local import run
    from flowtasks.runs import new_run_id

    extra: dict[str, Any]
    if args.asl is not None:
        definition = read_valid_asl(args.asl)
        flow_label = machine_name = asl_name(args.asl)
        extra = {"source": str(Path(args.asl).resolve())}
    else:
        from flowtasks.registry import compiled_definition, qualified_name_of, split_name

        flow_label = qualified_name_of(args.flow)
        machine_name = split_name(flow_label)[1]
        definition = compiled_definition(flow_label)
        extra = {"source": "flow"}
    run_id = new_run_id()
    header = f"run {run_id}: {flow_label}"
    progress = Progress(definition, header=header, skip_waits=args.skip_waits, tracebacks=_debug())
    live = LiveRun(
        run_id, flow=flow_label, definition=definition, input=value, started=started,
        meta={"mocks": mocks, **extra},
    )  # fmt: skip
    try:
        execution = run(
            definition,
            value,
            _handlers(args, mocks, definition),
            args.skip_waits,
            on_event=tee(progress, live),
            name=run_id,
            state_machine_name=machine_name,
        )
    except BaseException:
        live.abandon()
        raise
    progress.close()
    return _Ran(execution, run_id, flow_label, started, mocks, extra, live)


def _handlers(args: argparse.Namespace, mocks: dict[str, Any], definition: Any) -> Any:
    """The engine's handlers: mocks, else our tasks in-process, or isolated (``--isolate``)."""
    from flowtasks.asl.walk import iter_states
    from flowtasks.cli.mocks import mock_handlers

    handlers = mock_handlers(mocks, definition)
    isolation = getattr(args, "isolation", None)
    if isolation is None:
        return handlers
    resources = {
        name: str(spec.get("Resource"))
        for name, spec in iter_states(definition)
        if spec.get("Type") == "Task"
    }
    return isolation.handlers(handlers, mocks, resources)


def _debug() -> bool:
    """``FLOWTASKS_DEBUG=1``: show full tracebacks."""
    import os

    return bool(os.environ.get("FLOWTASKS_DEBUG"))


def asl_name(path: str) -> str:
    """The run's flow label for an ASL file: its name without ``.json``/``.yaml`` and ``.asl``
    (``samt--nodejs20.x-app.json`` -> ``samt--nodejs20.x-app``; ``order.asl.json`` -> ``order``)."""
    name = Path(path).name
    for suffix in (".json", ".yaml", ".yml", ".asl"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return name


def runs_command(args: argparse.Namespace) -> int:
    """Recent saved runs, newest first: id, status, flow (or each meta.json with ``--json``);
    with RUN_ID, that run (`show_run`)."""
    from flowtasks.runs import list_runs

    if args.run is not None:
        return show_run(args.run, as_json=args.json)

    runs = list_runs(limit=args.limit)
    if args.json:
        out(json_text([run.meta for run in runs]))
        return 0
    for saved in runs:
        meta = saved.meta
        out(f"{saved.id}  {meta.get('status', '?'):9}  {meta.get('flow', '?')}")
    return 0


def show_run(run_id: str, *, as_json: bool = False) -> int:
    """One saved run: its outcome, then each failed attempt of each state with its error,
    cause, where the task's code raised it and the full traceback (``--json``: meta.json and
    the failures as a JSON object)."""
    from flowtasks.history import read_history
    from flowtasks.runs import load_run

    saved = load_run(run_id)
    meta = saved.meta
    record = read_history(saved.history, saved.definition)
    failures = [(state, failure) for state in record.states for failure in state.failures]
    if as_json:
        rows = [
            {
                "state": state.name,
                "attempt": failure.attempt,
                "error": failure.error,
                "cause": failure.cause,
                "location": failure.location,
                "traceback": failure.traceback,
            }
            for state, failure in failures
        ]
        out(json_text({"meta": meta, "failures": rows}))
        return 0
    out(f"run {saved.id}  {meta.get('status', '?')}  {meta.get('flow', '?')}")
    out(f"  started {meta.get('started', '?')}, finished {meta.get('finished', '?')}")
    out(f"  saved in {saved.path}")
    if meta.get("error") is not None:
        out(f"  Error: {meta.get('error')}")
    if meta.get("cause"):
        out(f"  Cause: {meta.get('cause')}")
    if not failures:
        return 0
    out("failed attempts:")
    for state, failure in failures:
        attempt = f"attempt {failure.attempt}" if failure.attempt else "its run"
        cause = f": {failure.cause}" if failure.cause else ""
        out(f"  {state.name} ({attempt}): {failure.error}{cause}")
        if failure.location is not None:
            out(f"    at {failure.location}")
        for line in (failure.traceback or "").splitlines():
            out(f"    {line}")
    return 0
