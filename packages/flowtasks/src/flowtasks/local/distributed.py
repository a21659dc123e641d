"""Map in DISTRIBUTED mode, run locally: a Map Run whose iterations are child executions.

https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html. Items come
from ItemReader (S3, see `flowtasks.local.items`) or from ItemsPath; ItemSelector shapes each;
ItemBatcher (MaxItemsPerBatch, MaxInputBytesPerBatch, their Path forms, BatchInput) groups them
into ``{"BatchInput": ..., "Items": [...]}``. Each item or batch runs the ItemProcessor as a
child execution with its own history, kept in `Execution.children`; the parent's history shows
``MapStateStarted``, ``MapRunStarted``, then ``MapRunSucceeded`` + ``MapStateSucceeded`` (or
``MapRunFailed`` + ``MapStateFailed``). A failed child counts against
ToleratedFailureCount/Percentage (default 0): beyond them the state fails with
``States.ExceedToleratedFailureThreshold``. ResultWriter writes the results to S3 as AWS does
(https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html):
``<Prefix>/<map run id>/manifest.json`` and ``SUCCEEDED_0.json`` / ``FAILED_0.json``, and the
state's result becomes ``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.local.context import execution_arn, map_run_arn
from flowtasks.local.engine import CancelToken, Runtime, Scope, run_scope
from flowtasks.local.fanout import Outcome, fan_out
from flowtasks.local.history import History, iso
from flowtasks.local.limits import dumps
from flowtasks.local.retry import StateFailed
from flowtasks.local.state import template
from flowtasks.local.state_map import read_number, threshold

if TYPE_CHECKING:
    from flowtasks.local.state_map import MapState

__all__ = ["batches", "run_distributed"]


def batches(
    items: list[Any], max_items: int, max_bytes: int, batch_input: Any
) -> list[dict[str, Any]]:
    """Group items into batch inputs (``BatchInput`` only when given)."""
    groups: list[list[Any]] = []
    current: list[Any] = []
    size = 0
    for item in items:
        item_size = len(dumps(item).encode("utf-8"))
        full = (max_items and len(current) >= max_items) or (
            max_bytes and current and size + item_size > max_bytes
        )
        if full:
            groups.append(current)
            current, size = [], 0
        current.append(item)
        size += item_size
    if current:
        groups.append(current)
    result = []
    for group in groups:
        entry: dict[str, Any] = {"Items": group}
        if batch_input is not None:
            entry = {"BatchInput": batch_input, "Items": group}
        result.append(entry)
    return result


def _items(state: MapState, scope: Scope, effective: Any, ctx: dict[str, Any]) -> list[Any]:
    reader = state.spec.get("ItemReader")
    if reader is None:
        return state.items(effective, ctx, scope.variables)
    from flowtasks.local.items import read_items

    config = reader.get("ReaderConfig") or {}
    max_items = read_number(state.name, config, "MaxItems", effective, ctx) or 0
    evaluate = template(reader.get("Parameters") or {})
    assert evaluate is not None
    return read_items(reader, evaluate(effective, ctx), int(max_items))


def run_distributed(
    rt: Runtime, scope: Scope, state: MapState, effective: Any, ctx: dict[str, Any]
) -> Any:
    """Run the Map Run of a distributed Map state; returns the state's result."""
    run_id = str(uuid.uuid4())
    arn = map_run_arn(rt.state_machine_name, state.name, run_id)
    try:
        items = _items(state, scope, effective, ctx)
    except StatesFailure as failure:
        # As recorded against AWS (LocalStack's test_map_item_reader_csv_max_items_paths[-1],
        # [1.5]): MapStateStarted {"length": 0}; an ItemReader failure then fails the Map Run
        # (MapRunStarted, MapRunFailed, MapStateFailed), a States.Runtime the execution.
        scope.previous_event = rt.history.add(
            "MapStateStarted", scope.previous_event, {"length": 0}, scope.take_decision()
        )
        if failure.error != StatesErrorName.ITEM_READER_FAILED:
            raise
        history = rt.history
        scope.previous_event = history.add(
            "MapRunStarted", scope.previous_event, {"mapRunArn": arn}
        )
        details = failure.event_details()
        scope.previous_event = history.add("MapRunFailed", scope.previous_event, details)
        raise StateFailed(failure.error, failure.cause, "MapStateFailed") from failure
    inputs = state.item_inputs(items, effective, ctx, scope.variables)
    batcher = state.spec.get("ItemBatcher")
    if batcher is not None:
        max_items = read_number(state.name, batcher, "MaxItemsPerBatch", effective, ctx) or 0
        max_bytes = read_number(state.name, batcher, "MaxInputBytesPerBatch", effective, ctx) or 0
        batch_input_template = template(batcher.get("BatchInput"))
        batch_input = (
            batch_input_template(effective, ctx) if batch_input_template is not None else None
        )
        inputs = batches(inputs, int(max_items), int(max_bytes), batch_input)
    tolerate = state.tolerance(effective, ctx, scope.variables) or threshold(0, None)
    key = f"{scope.key}/{state.name}"
    done = rt.previous.take_done(key) if rt.previous is not None else {}
    # AWS's history of a Map Run (LocalStack's AWS-recorded snapshots): MapStateStarted
    # {"length"}, MapRunStarted, then MapRunSucceeded + MapStateSucceeded (or ...Failed).
    scope.previous_event = rt.history.add(
        "MapStateStarted", scope.previous_event, {"length": len(items)}, scope.take_decision()
    )
    scope.previous_event = rt.history.add("MapRunStarted", scope.previous_event, {"mapRunArn": arn})
    records: list[dict[str, Any] | None] = [None] * len(inputs)

    def job(index: int) -> Callable[[CancelToken], Any]:
        if index in done:
            return lambda _cancel: done[index]

        def child(cancel: CancelToken) -> Any:
            record = _run_child(rt, state, inputs[index], cancel)
            records[index] = record
            if record["Status"] != "SUCCEEDED":
                raise StatesFailure(record.get("Error"), record.get("Cause"))
            return record["_output"]

        return child

    outcomes: list[Outcome | None] = fan_out(
        [job(i) for i in range(len(inputs))],
        state.concurrency(effective, ctx, scope.variables),
        scope.cancel,
        tolerate=tolerate,
        clock=rt.clock,
    )
    with rt.children_lock:
        rt.children.extend(r["_execution"] for r in records if r is not None)
    results = state.conclude(rt, scope, key, outcomes, tolerate, distributed=True)
    writer = state.spec.get("ResultWriter")
    if writer is not None:
        return _write_results(rt, writer, arn, run_id, records, results, effective, ctx)
    return results


def _run_child(rt: Runtime, state: MapState, value: Any, cancel: CancelToken) -> dict[str, Any]:
    """Run one child execution of the Map Run; returns its result record (AWS's shape)."""
    name = str(uuid.uuid4())
    child_arn = execution_arn(f"{rt.state_machine_name}/{state.name}", name)
    history = History(rt.clock.now, None)
    start = iso(rt.clock.now())
    child = Runtime(
        history=history,
        clock=rt.clock,
        handlers=rt.handlers,
        skip_waits=rt.skip_waits,
        execution={
            "Id": child_arn,
            "Input": value,
            "Name": name,
            "RoleArn": rt.execution["RoleArn"],
            "StartTime": start,
            "RedriveCount": 0,
        },
        machine={"Id": f"{rt.machine['Id']}/{state.name}", "Name": rt.state_machine_name},
        state_machine_name=rt.state_machine_name,
        deadline=rt.deadline,
        root=cancel.child(),
    )
    text = dumps(value)
    first = history.add("ExecutionStarted", 0, {"input": text, "roleArn": rt.execution["RoleArn"]})
    inner = Scope("", first, child.root)
    record: dict[str, Any] = {
        "ExecutionArn": child_arn,
        "Input": text,
        "InputDetails": {"Included": True},
        "Name": name,
        "RedriveCount": 0,
        "StartDate": start,
        "StateMachineArn": child.machine["Id"],
    }
    try:
        output = run_scope(child, state.processor, value, inner)
    except StatesFailure as failure:
        record.update(Status="FAILED", Error=failure.error, Cause=failure.cause)
        history.add(
            "ExecutionFailed",
            inner.previous_event,
            failure.event_details(),
        )
    else:
        out_text = dumps(output)
        record.update(Status="SUCCEEDED", Output=out_text, OutputDetails={"Included": True})
        record["_output"] = output
        history.add("ExecutionSucceeded", inner.previous_event, {"output": out_text})
    record["StopDate"] = iso(rt.clock.now())
    record["_execution"] = {
        "name": name,
        "execution_arn": child_arn,
        "status": record["Status"],
        "input": value,
        "output": record.get("_output"),
        "error": record.get("Error"),
        "cause": record.get("Cause"),
        "history": history.events,
        "map_run_arn": map_run_arn(rt.state_machine_name, state.name, ""),
    }
    return record


def _write_results(
    rt: Runtime,
    writer: Mapping[str, Any],
    arn: str,
    run_id: str,
    records: list[dict[str, Any] | None],
    results: list[Any],
    effective: Any,
    ctx: Any,
) -> Any:
    config = writer.get("WriterConfig") or {}
    transformation = config.get("Transformation", "NONE" if "Resource" in writer else "COMPACT")
    if "Resource" not in writer:
        return _transform(results, transformation)
    evaluate = template(writer.get("Parameters") or {})
    assert evaluate is not None
    params = evaluate(effective, ctx)
    bucket = params["Bucket"]
    prefix = str(params.get("Prefix") or "").rstrip("/")
    base = f"{prefix}/{run_id}" if prefix else run_id
    public = [{k: v for k, v in r.items() if not k.startswith("_")} for r in records if r]
    files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    try:
        from flowtasks.local.items import s3_client

        client = s3_client()
        for status in ("SUCCEEDED", "FAILED"):
            chosen = [r for r in public if r["Status"] == status]
            if not chosen:
                continue
            if status == "SUCCEEDED" and transformation != "NONE":
                outputs = _transform([json.loads(r["Output"]) for r in chosen], transformation)
                body = json.dumps(outputs)
            else:
                body = json.dumps(chosen)
            key = f"{base}/{status}_0.json"
            client.put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"))
            files[status].append({"Key": key, "Size": len(body.encode("utf-8"))})
        manifest = {"DestinationBucket": bucket, "MapRunArn": arn, "ResultFiles": files}
        manifest_key = f"{base}/manifest.json"
        client.put_object(Bucket=bucket, Key=manifest_key, Body=json.dumps(manifest).encode())
    except Exception as exc:
        raise StatesFailure(
            StatesErrorName.RESULT_WRITER_FAILED, f"{type(exc).__name__}: {exc}"
        ) from exc
    return {"MapRunArn": arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}


def _transform(outputs: list[Any], transformation: str) -> list[Any]:
    if transformation == "FLATTEN":
        flat: list[Any] = []
        for output in outputs:
            flat.extend(output if isinstance(output, list) else [output])
        return flat
    return outputs
