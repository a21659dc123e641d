"""PostgreSQL on 127.0.0.1 standing in for Redshift, reached through the real redshift_connector.

`postgres` starts one server for the session (Debian's PostgreSQL when installed, so the shim's
``server_version`` trimming is exercised; else the pgserver wheel's); `shim` puts
`flowtasks.dev.pgshim` in front of it; `warehouse` sets ``FLOWTASKS_CONN_WAREHOUSE`` to reach it
through the shim and returns the connection name. Both servers come from `flowtasks.dev`, the
same code `flow-task dev up` runs.
"""

from __future__ import annotations

import glob
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowtasks.dev.pgshim import PgShim
from flowtasks.dev.postgres import PostgresServer
from flowtasks.dev.services import free_port


def _debian_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session (md5 auth, loopback only)."""
    folder = Path(tempfile.mkdtemp(prefix="flowtasks-pg-"))
    folder.chmod(0o755)  # as root, the server runs as an unprivileged user that must enter it
    server = PostgresServer(
        folder / "data",
        free_port(),
        password=secrets.token_urlsafe(12),
        bin_dir=_debian_bin_dir(),
        log_file=folder / "postgres.log",
    )
    try:
        with server:
            yield server
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def shim(postgres: PostgresServer) -> Iterator[PgShim]:
    """The redshift-connector shim in front of `postgres`, served from a thread."""
    relay = PgShim(upstream_port=postgres.port)
    stop = relay.run_in_thread()
    yield relay
    stop()


def uri_of(postgres: PostgresServer, port: int, password: str | None = None) -> str:
    secret = postgres.password if password is None else password
    return (
        f"redshift://{postgres.user}:{secret}@127.0.0.1:{port}/{postgres.database}?sslmode=disable"
    )


@pytest.fixture
def warehouse(postgres: PostgresServer, shim: PgShim, monkeypatch: pytest.MonkeyPatch) -> str:
    """The connection name ``warehouse``, configured to reach `postgres` through `shim`."""
    monkeypatch.setenv("FLOWTASKS_CONN_WAREHOUSE", uri_of(postgres, shim.port))
    return "warehouse"


@pytest.fixture
def table() -> str:
    """A table name no other test uses."""
    return f"t_{secrets.token_hex(6)}"
