"""An SFTP server on 127.0.0.1 serving one local folder (asyncssh; no root, no OpenSSH needed).

`SftpServer(root, keys_dir, port)` serves `root` as ``/`` (a chroot: clients cannot leave it)
to one user who logs in with a key. `keys_dir` keeps the server's host key, the client's key
pair and a ``known_hosts`` line, generated on first use and reused afterwards, so a connection
URI written once keeps working: ``sftp://USER@127.0.0.1:PORT?key_file=...&known_hosts=...``
(`connection_uri`). Host keys are verified as in production; nothing is turned off.

The test suite's SFTP tests use OpenSSH ``sshd`` (the real production-like server); this one is
for ``flow-task dev up``, where a laptop may have no sshd and no root.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

try:
    with warnings.catch_warnings():  # asyncssh imports cryptography's deprecated DSA support
        warnings.filterwarnings("ignore", message="DSA is deprecated")
        import asyncssh
except ImportError:  # pragma: no cover - `flowtasks[dev]` not installed
    asyncssh = None  # type: ignore[assignment]

__all__ = ["SftpServer"]

HOST_KEY = "ssh_host_ed25519_key"
CLIENT_KEY = "client_ed25519_key"
KNOWN_HOSTS = "known_hosts"


def _key(path: Path) -> Any:
    """The ed25519 private key at `path`, generated (mode 600) if missing."""
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519")
        path.write_bytes(key.export_private_key("openssh"))
        path.chmod(0o600)
        Path(str(path) + ".pub").write_bytes(key.export_public_key("openssh"))
    return asyncssh.read_private_key(str(path))


@dataclass
class SftpServer:
    """Serves `root` on 127.0.0.1:`port` (0: a free port) to `user`, key authentication only."""

    root: Path
    keys_dir: Path
    port: int = 0
    user: str = "vendor"
    _server: Any = field(default=None, repr=False)

    @property
    def key_file(self) -> Path:
        """The client's private key (give it to the SFTP client)."""
        return self.keys_dir / CLIENT_KEY

    @property
    def known_hosts(self) -> Path:
        """A known_hosts file holding this server's host key for 127.0.0.1:`port`."""
        return self.keys_dir / KNOWN_HOSTS

    def connection_uri(self) -> str:
        """The `flowtasks.connections` URI of this server (paths only: no secret inside)."""
        key = quote(str(self.key_file), safe="/")
        known = quote(str(self.known_hosts), safe="/")
        return f"sftp://{self.user}@127.0.0.1:{self.port}?key_file={key}&known_hosts={known}"

    async def start(self) -> int:
        """Generate keys if needed, listen, write known_hosts for the port; returns the port."""
        if asyncssh is None:
            raise RuntimeError(
                "the local SFTP server needs asyncssh: pip install 'flowtasks[dev]' "
                "(scripts/bootstrap installs it)"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        self.keys_dir.mkdir(parents=True, exist_ok=True)
        host_key = _key(self.keys_dir / HOST_KEY)
        client_key = _key(self.key_file)
        allowed = client_key.public_data
        user = self.user
        root = str(self.root.resolve()).encode()

        class Server(asyncssh.SSHServer):
            def begin_auth(self, username: str) -> bool:
                return True  # authentication is always required

            def public_key_auth_supported(self) -> bool:
                return True

            def validate_public_key(self, username: str, key: Any) -> bool:
                return username == user and key.public_data == allowed

        self._server = await asyncssh.create_server(
            Server,
            "127.0.0.1",
            self.port,
            server_host_keys=[host_key],
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=root),
            allow_scp=False,
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        public = host_key.export_public_key("openssh").decode().split()[:2]
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {' '.join(public)}\n")
        return self.port

    async def close(self) -> None:
        """Stop listening and close the open sessions."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
