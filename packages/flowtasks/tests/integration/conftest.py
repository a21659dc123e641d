"""Integration fixtures: a real moto server and a real OpenSSH sshd on 127.0.0.1.

`moto_endpoint` starts ``moto_server`` (`flowtasks.dev.moto`, shared with `flow-task dev up`) on
a free port, waits until it answers, points boto3 at it (AWS_ENDPOINT_URL, dummy credentials,
region) and stops it at the end. `s3` gives a client and a fresh bucket name per test.

`sshd` starts one OpenSSH server for the session (`flowtasks.testing.servers.SshdServer`:
internal-sftp, key auth, a pinned temporary host key); `sftp_server` gives each test a fresh
folder on it and the connection ``vendor`` (FLOWTASKS_CONN_VENDOR); `own_sshd` is a server of the
test's own, for tests that kill it. Without sshd they skip, except under CI, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flowtasks.dev.moto import MotoServer
from flowtasks.dev.services import free_port
from flowtasks.testing.servers import SshdServer, SshdUnavailableError

ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """URL of a moto server on loopback; boto3 is pointed at it for the whole session.

    The server is `flowtasks.dev.moto.MotoServer`, the one `flow-task dev up` runs."""
    with MotoServer(free_port()) as server, pytest.MonkeyPatch.context() as patch:
        for key, value in {**ENV, "AWS_ENDPOINT_URL": server.url}.items():
            patch.setenv(key, value)
        patch.delenv("AWS_PROFILE", raising=False)
        yield server.url


@pytest.fixture
def s3(moto_endpoint: str) -> tuple[Any, str]:
    """(boto3 S3 client, name of a fresh empty bucket)."""
    import boto3

    client = boto3.client("s3", endpoint_url=moto_endpoint)
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    return client, bucket


def _start_sshd(root: Path | None = None) -> SshdServer:
    try:
        return SshdServer.start(root)
    except SshdUnavailableError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc} (CI must install it: see .ci/run)")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def sshd() -> Iterator[SshdServer]:
    """One OpenSSH sshd on loopback for the whole session."""
    server = _start_sshd()
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class SftpFolder:
    """A test's own folder on the shared sshd, reachable as connection ``vendor``."""

    server: SshdServer
    root: Path

    def path(self, relative: str = "") -> str:
        """The remote (absolute) path of `relative` inside this test's folder."""
        return str(self.root / relative) if relative else str(self.root)


@pytest.fixture
def sftp_server(sshd: SshdServer, monkeypatch: pytest.MonkeyPatch) -> SftpFolder:
    """A fresh folder on the session's sshd; FLOWTASKS_CONN_VENDOR points at the server."""
    root = sshd.root / uuid.uuid4().hex[:12]
    root.mkdir()
    monkeypatch.setenv("FLOWTASKS_CONN_VENDOR", sshd.connection_uri())
    return SftpFolder(sshd, root)


@pytest.fixture
def own_sshd(monkeypatch: pytest.MonkeyPatch) -> Iterator[SshdServer]:
    """An sshd of this test alone (it may kill it); FLOWTASKS_CONN_VENDOR points at it."""
    server = _start_sshd()
    monkeypatch.setenv("FLOWTASKS_CONN_VENDOR", server.connection_uri())
    try:
        yield server
    finally:
        server.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.integration)
