"""A PostgreSQL server on 127.0.0.1: the local stand-in for Redshift (tests and `flow-task dev`).

`PostgresServer(data_dir, ...)` initialises a cluster once (``initdb``), gives its user an **md5**
password (redshift-connector's SCRAM handshake fails against PostgreSQL 15+, so the cluster
stores md5 hashes and ``pg_hba.conf`` asks for md5 on TCP), creates the database, and runs
``postgres`` listening on loopback only, with no unix socket. The binaries come from, in order:
``$FLOWTASKS_PG_BIN``, the `pgserver` wheel (``pip install pgserver``: no root needed), Debian's
``/usr/lib/postgresql/<version>/bin``, then ``PATH`` (as root, only folders other users can
enter, since the server then runs as another user).

PostgreSQL refuses to run as root; as root the server runs as the ``postgres`` system user if
there is one, else ``nobody``, and `data_dir` is handed to that user (its parent folders must be
traversable by others, as ``/tmp`` is).

redshift-connector still cannot talk to this server directly: put `flowtasks.dev.pgshim` in
front of it.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

__all__ = ["PostgresError", "PostgresServer", "find_bin_dir"]

BIN_ENV = "FLOWTASKS_PG_BIN"
"""Folder holding ``initdb``/``postgres``/``pg_isready``, if not found automatically."""

START_TIMEOUT_SECONDS = 30.0

# Settings for a disposable server: durability traded for speed, loopback only, no unix socket.
_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "password_encryption": "md5",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
    "shared_buffers": "32MB",
}


class PostgresError(RuntimeError):
    """The PostgreSQL server could not be found, initialised or started."""


def find_bin_dir() -> Path:
    """The folder of the PostgreSQL server binaries (see the module docstring for the order)."""
    candidates: list[Path] = []
    if os.environ.get(BIN_ENV):
        candidates.append(Path(os.environ[BIN_ENV]))
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) / "pginstall" / "bin" for p in spec.submodule_search_locations]
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    candidates += [Path(p) for p in debian]
    on_path = shutil.which("postgres")
    if on_path:
        candidates.append(Path(on_path).parent)
    for candidate in candidates:
        if (candidate / "postgres").exists() and (candidate / "initdb").exists():
            if _service_user() is not None and not _others_can_enter(candidate):
                continue  # as root the server runs as another user, who must reach the binaries
            return candidate
    raise PostgresError(
        "no PostgreSQL server binaries found: `pip install pgserver` (no root needed), or "
        f"install Debian's postgresql, or set {BIN_ENV} to the folder holding initdb and postgres"
    )


def _others_can_enter(folder: Path) -> bool:
    return all(p.stat().st_mode & 0o001 for p in (folder, *folder.parents))


def _service_user() -> str | None:
    """The unprivileged user to run as when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise PostgresError("running as root, and neither a 'postgres' nor a 'nobody' user exists")


def _check_traversable(folder: Path, user: str) -> None:
    """Refuse clearly when `user` could not reach a data folder inside `folder`."""
    for part in (folder, *folder.parents):
        if not part.stat().st_mode & 0o001:
            raise PostgresError(
                f"PostgreSQL runs as {user!r} (not root), which cannot enter {part}: "
                f"put the data folder elsewhere, or `chmod o+x {part}`"
            )


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote_ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@dataclass
class PostgresServer:
    """One PostgreSQL server process on 127.0.0.1:`port`, its cluster kept in `data_dir`.

    Use as a context manager, or call `start` and `stop`. Starting again over an initialised
    `data_dir` keeps its data (the password must be the same one).
    """

    data_dir: Path
    port: int
    user: str = "flowtasks"
    password: str = "flowtasks"
    database: str = "dev"
    bin_dir: Path | None = None
    log_file: Path | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def __repr__(self) -> str:  # never the password
        return (
            f"PostgresServer(data_dir={str(self.data_dir)!r}, port={self.port}, "
            f"user={self.user!r}, database={self.database!r})"
        )

    @property
    def pid(self) -> int | None:
        """The postmaster's process id while it runs."""
        return self._process.pid if self._process and self._process.poll() is None else None

    def _bin(self, name: str) -> str:
        folder = self.bin_dir or find_bin_dir()
        return str(folder / name)

    def _run(self, argv: list[str], stdin: bytes | None = None) -> str:
        result = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            check=False,
            user=_service_user(),
            env={**os.environ, "LC_ALL": "C"},
        )
        output = (result.stdout + result.stderr).decode("utf-8", "replace")
        if result.returncode != 0:
            raise PostgresError(f"{Path(argv[0]).name} failed ({result.returncode}): {output}")
        return output

    def initialise(self) -> None:
        """Create the cluster, the md5 password of `user` and `database`, unless already there."""
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        user = _service_user()
        if user is not None:
            _check_traversable(self.data_dir.resolve().parent, user)
            entry = pwd.getpwnam(user)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        self.data_dir.chmod(0o700)
        self._run(
            [
                self._bin("initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                self.user,
                "-E",
                "UTF8",
                "--no-locale",
                "--auth-local=trust",
                "--auth-host=md5",
                "--no-sync",
            ]
        )
        # Single-user mode sets the md5 password and creates the database before any listener
        # exists, so no window where the server accepts connections without a password.
        script = (
            f"ALTER ROLE {_quote_ident(self.user)} PASSWORD {_quote_literal(self.password)};\n"
            f"CREATE DATABASE {_quote_ident(self.database)};\n"
        )
        if self.database in ("postgres", "template1"):
            script = script.splitlines(keepends=True)[0]
        self._run(
            [
                self._bin("postgres"),
                "--single",
                "-D",
                str(self.data_dir),
                "-c",
                "password_encryption=md5",
                "postgres",
            ],
            stdin=script.encode(),
        )

    def start(self) -> PostgresServer:
        """Initialise if needed, start the server and wait until it accepts connections."""
        self.initialise()
        argv = [self._bin("postgres"), "-D", str(self.data_dir), "-p", str(self.port)]
        for name, value in _SETTINGS.items():
            argv += ["-c", f"{name}={value}"]
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        try:
            self._process = subprocess.Popen(
                argv,
                stdout=log,
                stderr=log,
                user=_service_user(),
                env={**os.environ, "LC_ALL": "C"},
                start_new_session=True,  # Ctrl-C in a terminal reaches us, not the server
            )
        finally:
            if log is not subprocess.DEVNULL:
                log.close()  # type: ignore[union-attr]
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                where = f"; see {self.log_file}" if self.log_file else ""
                raise PostgresError(
                    f"postgres exited with code {self._process.returncode} while starting{where}"
                )
            ready = subprocess.run(
                [self._bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        self.stop()
        raise PostgresError(f"postgres did not accept connections within {START_TIMEOUT_SECONDS} s")

    def stop(self, timeout: float = 15.0) -> None:
        """Fast shutdown (SIGINT: running queries are cancelled), then SIGKILL if it lingers."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
