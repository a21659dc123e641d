"""`flow-task dev up|status|down` starts real servers in the background and writes settings that
reach each of them; `flow-task run` applies those settings while the services are up."""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import paramiko
import pytest

from flowtasks.cli import main
from flowtasks.dev import services
from flowtasks.tasks import redshift


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A folder other users may enter (as root, PostgreSQL runs as another user)."""
    folder = Path(tempfile.mkdtemp(prefix="flowtasks-dev-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def dev_up(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The local services of ``workdir/.flowtasks/dev``, started through the CLI; stopped after."""
    tmp_path = workdir
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(services.DEV_DIR_ENV, raising=False)
    seed = tmp_path / "seed" / "outbox"
    seed.mkdir(parents=True)
    (seed / "orders-1.csv").write_text("id,amount\n1,2.50\n")
    assert main(["dev", "up", "--seed", str(tmp_path / "seed")]) == 0
    try:
        yield tmp_path / ".flowtasks" / "dev"
    finally:
        main(["dev", "down"])


def test_dev_up_writes_settings_that_reach_every_service(
    dev_up: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    settings = json.loads((dev_up / "settings.json").read_text())
    assert (dev_up / "settings.json").stat().st_mode & 0o777 == 0o600
    for key, value in settings.items():
        monkeypatch.setenv(key, value)

    s3 = boto3.client("s3")
    assert services.BUCKET in [b["Name"] for b in s3.list_buckets()["Buckets"]]

    assert redshift.query("warehouse", "SELECT 40 + %s AS answer", [2]) == [{"answer": 42}]

    from flowtasks.connections import get_sftp

    vendor = get_sftp("vendor")
    client = paramiko.SSHClient()
    client.load_host_keys(str(vendor.known_hosts))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        vendor.host, vendor.port, vendor.username, key_filename=vendor.key_file,
        look_for_keys=False, allow_agent=False,
    )  # fmt: skip
    try:
        sftp = client.open_sftp()
        assert sftp.listdir("/outbox") == ["orders-1.csv"]
        with sftp.open("/outbox/orders-1.csv") as remote:
            assert remote.read() == b"id,amount\n1,2.50\n"
        with pytest.raises(OSError):
            sftp.stat("/../../etc/passwd")  # the served folder is a chroot
    finally:
        client.close()

    capsys.readouterr()
    assert main(["dev", "status"]) == 0
    shown = capsys.readouterr().out
    assert [line.split()[0] for line in shown.splitlines()] == ["s3", "sftp", "redshift"]


def test_up_twice_keeps_the_running_services_and_down_stops_them(dev_up: Path) -> None:
    before = services.status(dev_up)
    assert before is not None
    assert main(["dev", "up"]) == 0
    assert services.status(dev_up) == before
    port = json.loads((dev_up / "settings.json").read_text())["AWS_ENDPOINT_URL"].rsplit(":", 1)[1]

    assert main(["dev", "down"]) == 0
    assert services.status(dev_up) is None
    assert main(["dev", "status"]) == 1
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", int(port)), timeout=1):
        pass


def test_flow_task_run_uses_the_running_services(
    dev_up: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # overridden by the settings
    monkeypatch.setenv("FLOWTASKS_RUNS_DIR", str(dev_up.parent / "runs"))
    machine = dev_up.parent / "pass.asl.json"
    machine.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    assert main(["run", "--asl", str(machine), "--input", "{}"]) == 0
    assert "using the local services of" in capsys.readouterr().err
    settings = json.loads((dev_up / "settings.json").read_text())
    assert os.environ["AWS_ENDPOINT_URL"] == settings["AWS_ENDPOINT_URL"]
    assert os.environ["FLOWTASKS_CONN_WAREHOUSE"] == settings["FLOWTASKS_CONN_WAREHOUSE"]


def test_a_bad_seed_is_refused_clearly(tmp_path: Path, capsys: Any) -> None:
    code = main(["dev", "up", "--dir", str(tmp_path / "dev"), "--seed", str(tmp_path / "nope")])
    assert code == 1
    assert "not a folder" in capsys.readouterr().err
    assert services.status(tmp_path / "dev") is None
