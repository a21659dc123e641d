"""The web app of ``flow-task ui``: a Starlette application serving the page and its JSON.

Every GET only reads: nothing a plain GET (or a cross-site page) does changes a run. The one
action, redriving a failed local run, is a POST that must carry the server's CSRF token (given
by ``GET /api/sources``, which a page of another site cannot read) in the ``X-Flowtasks-Csrf``
header, and an ``Origin`` header naming this server; anything else is refused with 403.
Safety, in depth:

- only the hosts ``127.0.0.1`` and ``localhost`` are answered (a DNS-rebinding page cannot
  reach the server under another name);
- runs are found by id through their `RunSource`, which refuses anything that is not one of its
  runs (``..``, slashes, links); files come only from the UI's static folder and the one elkjs
  file;
- the page builds every element with ``textContent`` (never HTML from data), and the Content
  Security Policy allows only the server's own scripts and styles, so text such as
  ``<script>`` in a state's output is shown, never run.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flowtasks.ui import actions, views
from flowtasks.ui.assets import STATIC_DIR
from flowtasks.ui.sources import LocalRuns, RunNotFound, RunSource, SourceUnavailable

__all__ = ["ALLOWED_HOSTS", "create_app"]

ALLOWED_HOSTS = ("127.0.0.1", "localhost")

_SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class _SecurityHeaders:
    """Adds the Content Security Policy and friends to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _SECURITY_HEADERS if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _AnalysisCache:
    """The last few runs read, by (source, run id), valid while the run's version holds.
    Thread-safe: a run is read once even when its pages ask at the same time."""

    def __init__(self, size: int = 6) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], tuple[str, views.Analysis]] = OrderedDict()
        self._readers: dict[tuple[str, str], views.LiveReader] = {}  # of runs in progress
        self._lock = threading.Lock()

    def get(self, source: RunSource, run_id: str) -> views.Analysis:
        key = (source.name, run_id)
        with self._lock:
            version = source.version(run_id)
            cached = self._items.get(key)
            if cached is not None and cached[0] == version:
                self._items.move_to_end(key)
                return cached[1]
            record = source.record(run_id)
            reader = self._readers.pop(key, None)
            if record.summary.get("status") == "RUNNING":  # read on from where it was
                reader = reader if reader is not None else views.LiveReader(record.definition)
                if len(record.events) < reader.fed:  # rewritten: start again
                    reader = views.LiveReader(record.definition)
                self._readers[key] = reader
                analysis = views.analyse(record, source.name, reader)
            else:
                analysis = views.analyse(record, source.name)
            self._items[key] = (analysis.record.version, analysis)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            return analysis


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _int(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise _BadRequest(f"{name} must be a whole number, not {text!r}") from None


class _BadRequest(Exception):
    pass


def create_app(sources: Sequence[RunSource], *, elk: Path | None) -> Starlette:
    """The app over `sources` (the first is the default). `elk`: ``elk.bundled.js``, or None
    when elkjs is not installed (the page then says to run ``scripts/bootstrap``)."""
    by_name = {source.name: source for source in sources}
    cache = _AnalysisCache()
    csrf_token = secrets.token_urlsafe(32)

    def source_of(request: Request) -> RunSource:
        name = str(request.path_params["source"])
        if name not in by_name:
            raise RunNotFound(name)
        return by_name[name]

    async def index(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    async def elk_js(request: Request) -> Response:
        if elk is None:
            return _error(404, "elkjs is not installed: run scripts/bootstrap")
        return FileResponse(elk, media_type="text/javascript")

    async def sources_json(request: Request) -> Response:
        return JSONResponse(
            {
                "sources": [source.name for source in sources],
                "graph_layout": elk is not None,
                "csrf": csrf_token,
                "actions": [s.name for s in sources if isinstance(s, LocalRuns)],
            }
        )

    def runs_json(request: Request) -> Response:
        try:
            source = source_of(request)
            page = views.list_view(
                source.summaries(),
                flow=request.query_params.get("flow"),
                status=request.query_params.get("status"),
                text=request.query_params.get("q"),
                offset=_int(request, "offset", 0),
                limit=_int(request, "limit", 100),
            )
        except RunNotFound as exc:
            return _error(404, f"no source {exc.args[0]!r}")
        except _BadRequest as exc:
            return _error(400, str(exc))
        except SourceUnavailable as exc:
            return _error(502, str(exc))
        return JSONResponse({"source": source.name, **page})

    def on_run(request: Request, answer: Callable[[views.Analysis], dict[str, Any]]) -> Response:
        """`answer` about the run the path names; 404 for an unknown run, scope or state."""
        run_id = str(request.path_params["run_id"])
        try:
            source = source_of(request)
            return JSONResponse(answer(cache.get(source, run_id)))
        except RunNotFound:
            return _error(404, f"no run {run_id!r} in {request.path_params['source']!r}")
        except views.ScopeNotFound as exc:
            return _error(404, f"run {run_id!r} has no Map iteration {exc.args[0]!r}")
        except KeyError as exc:
            return _error(404, f"run {run_id!r} has no state {exc.args[0]!r}")
        except _BadRequest as exc:
            return _error(400, str(exc))
        except SourceUnavailable as exc:
            return _error(502, str(exc))

    def run_json(request: Request) -> Response:
        scope = request.query_params.get("scope", "")
        return on_run(request, lambda analysis: analysis.run_view(scope))

    def state_json(request: Request) -> Response:
        name = str(request.path_params["name"])
        scope = request.query_params.get("scope", "")
        return on_run(request, lambda analysis: analysis.state_view(name, scope))

    def iterations_json(request: Request) -> Response:
        name = str(request.path_params["name"])
        query = request.query_params

        def answer(analysis: views.Analysis) -> dict[str, Any]:
            return analysis.iterations_view(
                name,
                query.get("scope", ""),
                visit=_int(request, "visit", -1),
                status=query.get("status") or None,
                offset=_int(request, "offset", 0),
                limit=_int(request, "limit", 50),
            )

        return on_run(request, answer)

    def version_json(request: Request) -> Response:
        run_id = str(request.path_params["run_id"])
        try:
            source = source_of(request)
            return JSONResponse({"version": source.version(run_id)})
        except SourceUnavailable as exc:
            return _error(502, str(exc))
        except RunNotFound:
            return _error(404, f"no run {run_id!r} in {request.path_params['source']!r}")

    def refused(request: Request) -> str | None:
        """Why a POST is refused (None: it comes from this page): its Origin must be this
        server's and its X-Flowtasks-Csrf header the token."""
        origin = request.headers.get("origin")
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin is None or origin != own:
            return f"cross-site request refused (Origin {origin!r} is not {own!r})"
        token = request.headers.get("x-flowtasks-csrf", "")
        if not secrets.compare_digest(token.encode(), csrf_token.encode()):
            return "missing or wrong X-Flowtasks-Csrf token: reload the page"
        return None

    def redrive_json(request: Request) -> Response:
        problem = refused(request)
        if problem is not None:
            return _error(403, problem)
        run_id = str(request.path_params["run_id"])
        try:
            source = source_of(request)
            if not isinstance(source, LocalRuns):
                return _error(405, f"runs of {source.name!r} cannot be redriven from here")
            summary = source.record(run_id).summary
        except RunNotFound:
            return _error(404, f"no run {run_id!r} in {request.path_params['source']!r}")
        if summary["status"] not in actions.REDRIVABLE:
            return _error(409, f"run {run_id} is {summary['status']}: only a failed run "
                               "(FAILED, TIMED_OUT, ABORTED) can be redriven")  # fmt: skip
        try:
            actions.redrive_run(run_id, source.directory)
        except actions.RedriveRefused as exc:
            return _error(422, str(exc))
        return JSONResponse({"redriving": run_id}, status_code=202)

    routes = [
        Route("/", index),
        Route("/vendor/elk.js", elk_js),
        Route("/api/sources", sources_json),
        Route("/api/{source}/runs", runs_json),
        Route("/api/{source}/runs/{run_id}", run_json),
        Route("/api/{source}/runs/{run_id}/version", version_json),
        Route("/api/{source}/runs/{run_id}/redrive", redrive_json, methods=["POST"]),
        Route("/api/{source}/runs/{run_id}/states/{name}", state_json),
        Route("/api/{source}/runs/{run_id}/states/{name}/iterations", iterations_json),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=list(ALLOWED_HOSTS)),
        Middleware(_SecurityHeaders),
    ]
    return Starlette(routes=routes, middleware=middleware)
