"""An S3 endpoint on 127.0.0.1: moto in server mode (``moto_server``), reached by boto3 through
``AWS_ENDPOINT_URL`` like any AWS endpoint."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["MotoServer", "MotoServerError"]

START_TIMEOUT_SECONDS = 30.0


class MotoServerError(RuntimeError):
    """moto_server is missing or did not start."""


def _binary() -> str:
    beside = Path(sys.executable).parent / "moto_server"
    if beside.exists():
        return str(beside)
    found = shutil.which("moto_server")
    if found is None:
        raise MotoServerError(
            "moto_server not found: pip install 'moto[server]' (scripts/bootstrap installs it)"
        )
    return found


@dataclass
class MotoServer:
    """``moto_server`` on 127.0.0.1:`port`; `url` is the endpoint to give boto3."""

    port: int
    log_file: Path | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process and self._process.poll() is None else None

    def start(self) -> MotoServer:
        """Start it and wait until it answers."""
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        try:
            self._process = subprocess.Popen(
                [_binary(), "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        finally:
            if log is not subprocess.DEVNULL:
                log.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise MotoServerError(f"moto_server exited with code {self._process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise MotoServerError(
            f"moto_server did not answer on {self.url} within {START_TIMEOUT_SECONDS} s"
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
