"""`flow-task dev up|down|status`: real local services on loopback, and the settings to reach them.

``up`` starts one background supervisor process (``python -m flowtasks.dev.services``) that runs:

| service | what | reached through |
| --- | --- | --- |
| S3 | ``moto_server`` | ``AWS_ENDPOINT_URL`` (bucket `BUCKET` created) |
| SFTP | asyncssh serving ``<dev dir>/sftp`` as ``/`` | ``FLOWTASKS_CONN_VENDOR`` |
| Redshift | PostgreSQL behind the redshift-connector shim | ``FLOWTASKS_CONN_WAREHOUSE`` |

The dev folder is ``$FLOWTASKS_DEV_DIR`` or ``./.flowtasks/dev``. It keeps the PostgreSQL data,
the SFTP folder and keys between ``down`` and ``up``; ``settings.json`` (mode 600) holds the
environment variables above, which ``flow-task run`` applies while the services are up
(`active_settings`). S3 content lives in memory: it is empty after each ``up``.

`LocalServices` is the same set of servers as a context manager, for tests.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flowtasks.dev.moto import MotoServer
from flowtasks.dev.pgshim import PgShim
from flowtasks.dev.postgres import PostgresServer
from flowtasks.dev.state import (
    DEV_DIR_ENV,
    Status,
    active_settings,
    alive,
    dev_dir,
    settings_file,
    state_file,
    status,
)

__all__ = [
    "BUCKET",
    "DEV_DIR_ENV",
    "DevServicesError",
    "LocalServices",
    "Status",
    "active_settings",
    "dev_dir",
    "down",
    "status",
    "up",
]

BUCKET = "flowtasks-dev"
"""The bucket ``up`` creates for flows to write to."""

SFTP_CONNECTION = "vendor"
REDSHIFT_CONNECTION = "warehouse"
UP_TIMEOUT_SECONDS = 90.0

_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


class DevServicesError(RuntimeError):
    """The local services could not be started or stopped."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _password(folder: Path) -> str:
    path = folder / "postgres.password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(18))
        path.chmod(0o600)
    return path.read_text().strip()


def _postgres_data_dir(folder: Path) -> Path:
    """``<folder>/postgres``; as root, when an unprivileged PostgreSQL could not enter `folder`,
    a folder of the system's temporary directory named after `folder` instead."""
    if os.geteuid() != 0:
        return folder / "postgres"
    absolute = folder.absolute()
    if all(p.stat().st_mode & 0o001 for p in (absolute, *absolute.parents) if p.exists()):
        return folder / "postgres"
    import hashlib
    import tempfile

    digest = hashlib.sha256(str(absolute).encode()).hexdigest()[:12]
    outside = Path(tempfile.gettempdir()) / f"flowtasks-dev-{digest}"
    outside.mkdir(mode=0o755, exist_ok=True)
    outside.chmod(0o755)
    return outside / "postgres"


class LocalServices:
    """moto (S3), an SFTP server and PostgreSQL behind the shim, all on 127.0.0.1.

    ``with LocalServices(folder) as services: services.settings`` gives the environment
    variables that reach them (AWS endpoint and dummy credentials, the two connections).
    """

    def __init__(self, folder: Path) -> None:
        from flowtasks.dev.sftp import SftpServer

        self.folder = folder
        self.moto = MotoServer(free_port(), log_file=folder / "moto.log")
        self.postgres = PostgresServer(
            _postgres_data_dir(folder),
            free_port(),
            password="",  # read (or made) in `start`, kept in the folder
            log_file=folder / "postgres.log",
        )
        self.sftp = SftpServer(folder / "sftp", folder / "keys")
        self.shim = PgShim(upstream_port=self.postgres.port)
        self._stop_loop: Any = None

    @property
    def sftp_root(self) -> Path:
        """The folder the SFTP server serves as ``/``."""
        return self.sftp.root

    @property
    def settings(self) -> dict[str, str]:
        """Environment variables reaching the services (the Redshift one holds the password)."""
        pg = self.postgres
        return {
            **_AWS,
            "AWS_ENDPOINT_URL": self.moto.url,
            "FLOWTASKS_DEV_BUCKET": BUCKET,
            "FLOWTASKS_CONN_VENDOR": self.sftp.connection_uri(),
            "FLOWTASKS_CONN_WAREHOUSE": (
                f"redshift://{pg.user}:{pg.password}@127.0.0.1:{self.shim.port}/{pg.database}"
                "?sslmode=disable"
            ),
        }

    def start(self) -> LocalServices:
        """Start every server (PostgreSQL and moto in parallel with the SFTP server and shim)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.postgres.password = _password(self.folder)
        try:
            self.moto.start()
            self.postgres.start()
            self._start_loop()
            _create_bucket(self.moto.url)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_loop(self) -> None:
        import threading

        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.shim.start())
                loop.run_until_complete(self.sftp.start())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.shim.close())
            loop.run_until_complete(self.sftp.close())
            loop.close()

        thread = threading.Thread(target=serve, name="flowtasks-dev", daemon=True)
        thread.start()
        ready.wait(30)
        if failure:
            raise DevServicesError(f"the SFTP server or the shim failed to start: {failure[0]}")

        def stop() -> None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)

        self._stop_loop = stop

    def stop(self) -> None:
        """Stop every server that runs (data and keys stay in the folder)."""
        if self._stop_loop is not None:
            self._stop_loop()
            self._stop_loop = None
        self.postgres.stop()
        self.moto.stop()

    def __enter__(self) -> LocalServices:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _create_bucket(endpoint: str) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=_AWS["AWS_DEFAULT_REGION"],
        aws_access_key_id=_AWS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=_AWS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)


# ------------------------------------------------------------------ the background supervisor


def _seed(source: Path, root: Path) -> int:
    """Copy the files under `source` into the SFTP root (same relative paths); how many."""
    count = 0
    for path in sorted(source.rglob("*")):
        if path.is_file():
            target = root / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            count += 1
    return count


def up(folder: Path | None = None, *, seed: Path | None = None) -> Status:
    """Start the services in the background unless they run already; copy `seed` (a folder)
    into the SFTP root. Returns their status once every one answers."""
    folder = folder or dev_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if seed is not None:
        if not seed.is_dir():
            raise DevServicesError(f"--seed {seed}: not a folder")
        _seed(seed, folder / "sftp")
    running = status(folder)
    if running is not None:
        return running
    log = folder / "dev.log"
    with open(log, "ab") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "flowtasks.dev.services", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=stream,
            stderr=stream,
            start_new_session=True,  # survives the terminal; `down` stops it
        )
    deadline = time.monotonic() + UP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            raise DevServicesError(
                "the local services failed to start:\n  " + "\n  ".join(tail) + f"\n(see {log})"
            )
        found = status(folder)
        if found is not None and found.pid == process.pid:
            return found
        time.sleep(0.2)
    process.terminate()
    raise DevServicesError(
        f"the local services did not start within {UP_TIMEOUT_SECONDS} s (see {log})"
    )


def down(folder: Path | None = None, timeout: float = 30.0) -> bool:
    """Stop the services of `folder`; False when they were not running."""
    folder = folder or dev_dir()
    running = status(folder)
    if running is None:
        state_file(folder).unlink(missing_ok=True)
        return False
    os.kill(running.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive(running.pid):
        time.sleep(0.1)
    if alive(running.pid):
        os.kill(running.pid, signal.SIGKILL)
    state_file(folder).unlink(missing_ok=True)
    return True


def _write_private(path: Path, data: Mapping[str, Any]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2))
    temporary.chmod(0o600)
    temporary.replace(path)


def supervise(folder: Path) -> int:
    """The supervisor's body: run the services until SIGTERM, then stop them."""
    import threading

    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, lambda *_: stop.set())
    services = LocalServices(folder)
    services.start()
    try:
        _write_private(settings_file(folder), services.settings)
        _write_private(
            state_file(folder),
            {
                "pid": os.getpid(),
                "services": {
                    "s3": f"{services.moto.url} (bucket {BUCKET})",
                    "sftp": f"sftp://{services.sftp.user}@127.0.0.1:{services.sftp.port} "
                    f"serving {services.sftp_root}",
                    "redshift": f"127.0.0.1:{services.shim.port} (PostgreSQL "
                    f"127.0.0.1:{services.postgres.port}, database {services.postgres.database})",
                },
            },
        )
        print(f"local services up (pid {os.getpid()})", flush=True)
        while not stop.wait(1):
            pass
    finally:
        state_file(folder).unlink(missing_ok=True)
        services.stop()
        print("local services stopped", flush=True)
    return 0


if __name__ == "__main__":
    import warnings

    warnings.filterwarnings("ignore", message="DSA is deprecated")  # asyncssh imports DSA support
    sys.exit(supervise(Path(sys.argv[1])))
