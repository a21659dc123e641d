"""``flow-task run --isolate``: every Task of ours runs in its own ``flow-task state`` process.

Each unmocked Task of ours starts the runner exactly as the container would: the same command
(``flow-task state FLOW STATE``), the same environment (the compiled variables: task token and
execution ARN), the same offload store, and ``AWS_ENDPOINT_URL_SFN`` pointing at the engine's
loopback `Endpoint`. The engine waits for the runner's SendTaskSuccess / SendTaskFailure,
counts its heartbeats as the state's (so HeartbeatSeconds applies), and fails the state with
``FlowTasks.ContainerStopped`` when the process exits without reporting, as the ECS
STOPPED-event reporter does in AWS.

``--isolate=docker`` runs ``docker run`` of the domain's image instead of a local process
(`docker_command`); it needs a Docker engine and the image built by ``scripts/build-image``.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flowtasks.asl.states_errors import StatesErrorName
from flowtasks.errors import TaskError, UsageError
from flowtasks.protocol import (
    ECS_RESOURCE,
    ENV_ARTIFACT_BUCKET,
    ENV_ARTIFACT_DIR,
    ENV_EXECUTION,
    ENV_TASK_TOKEN,
    ERROR_CONTAINER_STOPPED,
    LAMBDA_RESOURCE,
    TaskCall,
    task_call_of,
)
from flowtasks.runner.endpoint import Endpoint

__all__ = ["MODES", "Isolation", "docker_command", "image_of", "process_command"]

MODES = ("process", "docker")
_POLL = 0.1


def image_of(flow: str) -> str:
    """The image ``scripts/build-image DOMAIN`` tags: ``flowtasks-<domain>:latest``
    (``FLOWTASKS_IMAGE`` overrides it)."""
    return os.environ.get("FLOWTASKS_IMAGE") or f"flowtasks-{flow.split('.', 1)[0]}:latest"


def process_command(call: TaskCall) -> list[str]:
    """The runner's command line as a local process (this environment's ``flow-task``)."""
    script = Path(sys.executable).parent / "flow-task"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "flowtasks.cli"]
    return [*program, "state", call.flow, call.state]


def docker_command(call: TaskCall, env: Mapping[str, str], image: str) -> list[str]:
    """``docker run`` of `image` with the container's command and environment: host network
    (the loopback endpoint and moto are on 127.0.0.1), the artifact folder mounted at the same
    path. Variable values travel through the environment (``-e NAME``), never argv."""
    argv = ["docker", "run", "--rm", "--network", "host"]
    for name in sorted(env):
        argv += ["-e", name]
    folder = env.get(ENV_ARTIFACT_DIR)
    if folder:
        argv += ["-v", f"{folder}:{folder}"]
    return [*argv, image, "flow-task", "state", call.flow, call.state]


class Isolation:
    """The engine's handlers for isolated Tasks, sharing one loopback endpoint.

    ``with Isolation("process") as isolation: handlers = isolation.handlers(base, definition)``
    """

    def __init__(self, mode: str = "process", artifacts: Path | None = None) -> None:
        if mode not in MODES:
            raise UsageError(f"--isolate={mode}: expected one of {', '.join(MODES)}")
        if mode == "docker" and shutil.which("docker") is None:
            raise UsageError(
                "--isolate=docker needs the docker command and a Docker engine; "
                "use --isolate (local processes) here"
            )
        self.mode = mode
        if artifacts is None:
            from flowtasks.runner.inputs import local_artifacts

            artifacts = local_artifacts()
        self.artifacts = artifacts
        self.endpoint = Endpoint()
        self.logs: list[str] = []  # the runners' JSON log lines, in order

    def __enter__(self) -> Isolation:
        self.endpoint.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.endpoint.__exit__(*exc)

    def handlers(
        self,
        base: Mapping[str, Callable[[Any], Any]],
        mocked: Mapping[str, Any],
        resources: Mapping[str, str],
    ) -> dict[str, Callable[[Any], Any]]:
        """`base` (the engine handlers of a run) with each unmocked Task of `resources`
        ({state: Resource}) replaced by an isolated one (which falls back to the base handler
        for a Task that is not ours)."""
        handlers = dict(base)
        for state, resource in resources.items():
            if state in mocked or resource in mocked:
                continue
            if resource not in (ECS_RESOURCE, LAMBDA_RESOURCE):
                continue  # not a task of ours: the engine's own handling applies
            handlers[state] = self._handler(resource, base.get(state))
        return handlers

    def environment(self, call: TaskCall) -> dict[str, str]:
        """The runner's environment: this one, the compiled variables, the endpoint, the store."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWTASKS_PARAM_")}
        env.update(call.env)
        env["AWS_ENDPOINT_URL_SFN"] = self.endpoint.url
        for key, value in (
            ("AWS_ACCESS_KEY_ID", "local"),
            ("AWS_SECRET_ACCESS_KEY", "local"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
        ):
            env.setdefault(key, value)
        if not env.get(ENV_ARTIFACT_BUCKET) and not env.get(ENV_ARTIFACT_DIR):
            env[ENV_ARTIFACT_DIR] = str(self.artifacts)
        return env

    def _handler(
        self, resource: str, fallback: Callable[[Any], Any] | None
    ) -> Callable[[Any], Any]:
        def handler(parameters: Any) -> Any:
            call = task_call_of(resource, parameters)
            if call is None:
                if fallback is None:
                    raise TaskError(StatesErrorName.RUNTIME, "no handler for this Task")
                return fallback(parameters)
            return self._run(call)

        return handler

    def _run(self, call: TaskCall) -> Any:
        from flowtasks.local.state_task import current_events
        from flowtasks.runner.execute import resolve

        task_state = resolve(call)
        limits = [
            (seconds, kind)
            for seconds, kind in (
                (getattr(task_state, "heartbeat_seconds", None), "heartbeat"),
                (getattr(task_state, "timeout_seconds", None), "timeout"),
            )
            if seconds
        ]
        token = call.env.get(ENV_TASK_TOKEN, "")
        events = current_events()
        if events is not None:
            self.endpoint.track(call.env.get(ENV_EXECUTION, ""), events)
        box = self.endpoint.expect(token)
        env = self.environment(call)
        if self.mode == "docker":
            argv = docker_command(call, env, image_of(call.flow))
        else:
            argv = process_command(call)
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as output:
            process = subprocess.Popen(argv, env=env, stdout=output, stderr=subprocess.STDOUT)
            try:
                return self._await(process, box, limits)
            finally:
                self.endpoint.close(token)
                if process.poll() is None:
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
                output.seek(0)
                self.logs.extend(line.rstrip("\n") for line in output if line.strip())

    def _await(
        self,
        process: subprocess.Popen[bytes],
        box: queue.Queue[tuple[str, Mapping[str, Any]]],
        limits: list[tuple[float, str]],
    ) -> Any:
        """The runner's outcome: its result, TaskError for its failure, None when it timed out
        (the engine then records the timeout from the heartbeats it counted)."""
        from flowtasks.local.state_task import heartbeat

        started = last_beat = time.monotonic()
        while True:
            try:
                kind, fields = box.get(timeout=_POLL)
            except queue.Empty:
                if process.poll() is None:
                    now = time.monotonic()
                    if any(
                        now - (last_beat if what == "heartbeat" else started) > seconds
                        for seconds, what in limits
                    ):
                        # Step Functions would time the state out now: stop the runner
                        process.kill()
                        return None
                    continue
                try:  # a report sent just before exiting
                    kind, fields = box.get(timeout=_POLL)
                except queue.Empty:
                    raise TaskError(
                        ERROR_CONTAINER_STOPPED,
                        f"the runner exited with code {process.returncode} without reporting",
                    ) from None
            if kind == "heartbeat":
                heartbeat()
                last_beat = time.monotonic()
                continue
            if kind == "success":
                return json.loads(str(fields.get("output", "null")))
            raise TaskError(str(fields.get("error", "")), str(fields.get("cause", "")))
