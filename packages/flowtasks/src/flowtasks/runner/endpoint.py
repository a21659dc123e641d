"""A loopback Step Functions endpoint through which the local engine answers its runners.

``flow-task run --isolate`` starts each Task in its own ``flow-task state`` process with
``AWS_ENDPOINT_URL_SFN`` pointing here, so the runner talks to the engine exactly as it talks
to AWS: boto3 sends ``SendTaskSuccess`` / ``SendTaskFailure`` / ``SendTaskHeartbeat`` and
``GetExecutionHistory`` in the AWS JSON 1.0 protocol (``X-Amz-Target: AWSStepFunctions.<Op>``)
and gets AWS's answers, including ``TaskTimedOut`` / ``InvalidToken`` for a token that no
longer waits. Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from flowtasks.history import parse_time

__all__ = ["Endpoint", "Report"]

Report = tuple[str, Mapping[str, Any]]
"""("success" | "failure" | "heartbeat", the request's fields)."""

_ACTIONS = {
    "SendTaskSuccess": "success",
    "SendTaskFailure": "failure",
    "SendTaskHeartbeat": "heartbeat",
}
_PAGE = 1000


def _epoch(timestamp: Any) -> Any:
    """An event's ISO 8601 timestamp as the epoch seconds AWS's JSON protocol sends (text
    without an offset is UTC, as `parse_time` reads it); anything but text unchanged."""
    if not isinstance(timestamp, str):
        return timestamp
    moment = parse_time(timestamp)
    if moment is None:
        raise ValueError(f"event timestamp {timestamp!r} is not ISO 8601")
    return moment.timestamp()


class Endpoint:
    """``with Endpoint() as endpoint:`` serves on ``endpoint.url`` until the block ends.

    `expect(token)` opens a mailbox for a token; the reports for it arrive there in order.
    `track(arn, events)` publishes an execution's (growing) event list to GetExecutionHistory.
    `refuse` (tests): ``{action: [error codes]}`` answered, one per call, before serving it.
    """

    def __init__(self, refuse: Mapping[str, Sequence[str]] | None = None) -> None:
        self._boxes: dict[str, queue.Queue[Report]] = {}
        self._closed: set[str] = set()
        self._histories: dict[str, Sequence[Mapping[str, Any]]] = {}
        self._lock = threading.Lock()
        self._refuse = {action: list(codes) for action, codes in (refuse or {}).items()}
        self.calls: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Endpoint:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def expect(self, token: str) -> queue.Queue[Report]:
        """The mailbox of `token` (reports arrive there until `close`)."""
        with self._lock:
            return self._boxes.setdefault(token, queue.Queue())

    def close(self, token: str) -> None:
        """The state of `token` is over: later reports get ``TaskTimedOut``."""
        with self._lock:
            self._boxes.pop(token, None)
            self._closed.add(token)

    def track(self, execution_arn: str, events: Sequence[Mapping[str, Any]]) -> None:
        """Serve `events` (oldest first) as the history of `execution_arn`."""
        with self._lock:
            self._histories[execution_arn] = events

    def _answer(self, action: str, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.calls.append(action)
            codes = self._refuse.get(action)
            if codes:
                code = codes.pop(0)
                return (400 if code.endswith("Exception") else 500), {
                    "__type": code,
                    "message": f"{code} (refused on purpose)",
                }
        if action == "GetExecutionHistory":
            return self._history(body)
        kind = _ACTIONS.get(action)
        if kind is None:
            return 400, {"__type": "UnknownOperationException", "message": action}
        token = str(body.get("taskToken", ""))
        with self._lock:
            box = self._boxes.get(token)
            closed = token in self._closed
        if box is None:
            code = "TaskTimedOut" if closed else "InvalidToken"
            return 400, {"__type": code, "message": f"{code}: the task no longer waits"}
        box.put((kind, dict(body)))
        if kind != "heartbeat":
            self.close(token)
        return 200, {}

    def _history(self, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        arn = str(body.get("executionArn", ""))
        with self._lock:
            events = self._histories.get(arn)
        if events is None:
            return 400, {"__type": "ExecutionDoesNotExist", "message": f"no execution {arn}"}
        snapshot = list(events)
        if body.get("reverseOrder"):
            snapshot.reverse()
        start = int(body.get("nextToken") or 0)
        size = int(body.get("maxResults") or _PAGE)
        page = [
            {**event, "timestamp": _epoch(event.get("timestamp"))}
            for event in snapshot[start : start + size]
        ]
        answer: dict[str, Any] = {"events": page}
        if start + size < len(snapshot):
            answer["nextToken"] = str(start + size)
        return 200, answer

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                target = self.headers.get("X-Amz-Target", "")
                action = target.rsplit(".", 1)[-1]
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    status, answer = 400, {"__type": "SerializationException", "message": "JSON"}
                else:
                    status, answer = endpoint._answer(action, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: the engine's progress owns the terminal

        return Handler
