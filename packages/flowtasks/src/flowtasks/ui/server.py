"""Run the UI: `serve` binds 127.0.0.1 (never another address) and serves until interrupted."""

from __future__ import annotations

import socket
import threading
import webbrowser
from collections.abc import Callable, Sequence

from flowtasks.errors import UsageError
from flowtasks.ui.assets import find_elk
from flowtasks.ui.sources import RunSource

__all__ = ["HOST", "bind", "serve"]

HOST = "127.0.0.1"
"""The one address the UI listens on: loopback, so only this machine reaches it."""


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:`port` (0: a free port). UsageError if it is taken."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {port}")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {HOST}:{port} ({exc.strerror}); try --port N") from None
    sock.listen(128)
    return sock


def serve(
    sources: Sequence[RunSource],
    *,
    port: int = 8765,
    open_browser: bool = False,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the UI over `sources` on 127.0.0.1:`port` until Ctrl-C. `ready(url)` is called
    once it accepts connections (the CLI prints the URL); `open_browser` opens it."""
    import uvicorn

    from flowtasks.ui.app import create_app

    sock = bind(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/"
    app = create_app(sources, elk=find_elk())
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)

    def announce() -> None:
        while not server.started and not server.should_exit:
            threading.Event().wait(0.01)
        if server.started:
            if ready is not None:
                ready(url)
            if open_browser:
                webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
