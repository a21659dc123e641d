"""Real servers on loopback for tests and local runs: OpenSSH ``sshd`` serving SFTP.

::

    with SshdServer.start(tmp_path) as server:          # or .start() then .stop()
        os.environ["FLOWTASKS_CONN_VENDOR"] = server.connection_uri()
        (server.root / "outbox").mkdir()

`SshdServer.start` runs the system's ``sshd`` (Debian ``openssh-server``) on a free port of
127.0.0.1, in the foreground, with a fresh ed25519 host key, ``internal-sftp`` only (no shell),
public-key authentication for the current user (a fresh client key; a second one protected by
`KEY_PASSPHRASE`), and a ``known_hosts`` file pinning its host key. The SFTP session starts in
`root`. As root, sshd needs ``/run/sshd`` (its privilege-separation directory): it is created.
`kill` ends the listener and every session at once (a server crash, for fault tests).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Final
from urllib.parse import quote

__all__ = ["KEY_PASSPHRASE", "SshdServer", "SshdUnavailableError", "find_sshd"]

KEY_PASSPHRASE: Final = "correct horse battery staple"
"""Passphrase of the second client key (`SshdServer.passphrase_key_file`)."""

_SSHD_PATHS = ("/usr/sbin/sshd", "/usr/local/sbin/sshd", "/sbin/sshd")


class SshdUnavailableError(RuntimeError):
    """No usable OpenSSH sshd / ssh-keygen here (install Debian's openssh-server)."""


def find_sshd() -> str:
    """Path of the sshd binary. Raises SshdUnavailableError naming the package to install."""
    found = shutil.which("sshd") or next((p for p in _SSHD_PATHS if os.path.exists(p)), None)
    if found is None or shutil.which("ssh-keygen") is None:
        raise SshdUnavailableError(
            "OpenSSH sshd and ssh-keygen are needed: apt-get install openssh-server"
        )
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _keygen(path: Path, passphrase: str = "") -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "flowtasks-test", "-f", path],
        check=True,
        stdout=subprocess.DEVNULL,
    )


@dataclass
class SshdServer:
    """A running sshd. `root` is where SFTP sessions start; paths are the machine's own."""

    root: Path
    port: int
    user: str
    key_file: Path
    passphrase_key_file: Path
    known_hosts: Path
    host_key: str
    """The host's public key, ``ssh-ed25519 AAAA...``."""
    workdir: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    host: str = "127.0.0.1"

    @classmethod
    def start(cls, root: Path | None = None, *, timeout: float = 15) -> SshdServer:
        """Start sshd serving `root` (default: a fresh temporary folder)."""
        sshd = find_sshd()
        workdir = Path(tempfile.mkdtemp(prefix="flowtasks-sshd-"))
        root = root or workdir / "root"
        root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)
        host_key_file = workdir / "ssh_host_ed25519_key"
        key_file = workdir / "client_key"
        passphrase_key_file = workdir / "client_key_passphrase"
        _keygen(host_key_file)
        _keygen(key_file)
        _keygen(passphrase_key_file, KEY_PASSPHRASE)
        authorized = workdir / "authorized_keys"
        authorized.write_text(
            Path(f"{key_file}.pub").read_text() + Path(f"{passphrase_key_file}.pub").read_text()
        )
        authorized.chmod(0o600)
        port = _free_port()
        user = getpass.getuser()
        host_key = " ".join(Path(f"{host_key_file}.pub").read_text().split()[:2])
        known_hosts = workdir / "known_hosts"
        known_hosts.write_text(f"[127.0.0.1]:{port} {host_key}\n")
        config = workdir / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"Port {port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {host_key_file}",
                    f"PidFile {workdir / 'sshd.pid'}",
                    f"AuthorizedKeysFile {authorized}",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "StrictModes no",
                    "PermitRootLogin prohibit-password",
                    f"AllowUsers {user}",
                    "AllowTcpForwarding no",
                    "X11Forwarding no",
                    "MaxStartups 200",
                    "MaxSessions 100",
                    "LogLevel ERROR",
                    "Subsystem sftp internal-sftp",
                    f"ForceCommand internal-sftp -d {root}",
                    "",
                ]
            )
        )
        log = (workdir / "sshd.log").open("wb")
        process = subprocess.Popen(
            [sshd, "-D", "-e", "-f", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = cls(
            root=root,
            port=port,
            user=user,
            key_file=key_file,
            passphrase_key_file=passphrase_key_file,
            known_hosts=known_hosts,
            host_key=host_key,
            workdir=workdir,
            process=process,
        )
        try:
            server._wait_until_up(timeout)
        except BaseException:
            server.stop()
            raise
        return server

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.workdir / "sshd.log").read_text(errors="replace")
                raise SshdUnavailableError(f"sshd exited with {self.process.returncode}: {log}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(4).startswith(b"SSH-"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise SshdUnavailableError(f"sshd did not answer on port {self.port} within {timeout} s")

    def connection_uri(self, *, passphrase: bool = False, **query: str) -> str:
        """``sftp://`` URI of this server for FLOWTASKS_CONN_<NAME> (key auth, pinned host)."""
        params = {"known_hosts": str(self.known_hosts)}
        if passphrase:
            params |= {
                "key_file": str(self.passphrase_key_file),
                "private_key_passphrase": KEY_PASSPHRASE,
            }
        else:
            params["key_file"] = str(self.key_file)
        params |= query
        text = "&".join(f"{k}={quote(v, safe='/')}" for k, v in params.items() if v != "")
        return f"sftp://{quote(self.user)}@{self.host}:{self.port}?{text}"

    def session_pids(self) -> list[int]:
        """Process ids of sshd's children (one or more per open SSH connection)."""
        children: list[int] = []
        wanted = {self.process.pid}
        for _ in range(3):  # sshd forks a privileged monitor, which forks the session
            found = []
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid in wanted and int(entry.name) not in children:
                    found.append(int(entry.name))
            children += found
            wanted = set(found)
        return children

    def kill(self) -> None:
        """SIGKILL the listener and every session: connections drop mid-transfer."""
        for pid in [*self.session_pids(), self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop sshd and its sessions; remove its temporary folder (keys, config, default root).

        A `root` given to `start` is left alone."""
        if self.process.poll() is None:
            self.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> SshdServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
