"""flowtasks.tasks.sftp against a real OpenSSH sshd and a real moto server."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flowtasks.connections import ConnectionConfigError
from flowtasks.tasks import s3 as s3_lib
from flowtasks.tasks import sftp
from flowtasks.testing.servers import KEY_PASSPHRASE, SshdServer

from .conftest import SftpFolder

MiB = 1024**2


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _keys(client: Any, bucket: str) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_fetch_to_s3_takes_every_match_and_keeps_sources(
    sftp_server: SftpFolder, s3: tuple[Any, str]
) -> None:
    client, bucket = s3
    out = sftp_server.root / "outbox"
    for name in ("a.csv", "b.csv", "c.csv"):
        _write(out / name, f"id\n{name}\n".encode())
    _write(out / "notes.txt", b"not me")
    _write(out / "sub" / "d.csv", b"not recursive")
    records = sftp.fetch_to_s3("vendor", f"{out}/*.csv", f"s3://{bucket}/landing/")
    assert records == [
        {"source": f"{out}/{n}", "s3_uri": f"s3://{bucket}/landing/{n}", "bytes": 9}
        for n in ("a.csv", "b.csv", "c.csv")
    ]
    assert s3_lib.read_bytes(f"s3://{bucket}/landing/b.csv") == b"id\nb.csv\n"
    assert _keys(client, bucket) == ["landing/a.csv", "landing/b.csv", "landing/c.csv"]
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.csv", "c.csv", "notes.txt", "sub"]


def test_after_move_archives_recursively_and_delete_removes(
    sftp_server: SftpFolder, s3: tuple[Any, str]
) -> None:
    _, bucket = s3
    out = sftp_server.root / "outbox"
    _write(out / "a.csv", b"a")
    _write(out / "2024" / "01" / "b.csv", b"bb")
    archive = sftp_server.root / "archive"
    records = sftp.fetch_to_s3(
        "vendor", f"{out}/*.csv", f"s3://{bucket}/in/", after=f"move:{archive}", recursive=True
    )
    assert [r["s3_uri"] for r in records] == [
        f"s3://{bucket}/in/2024/01/b.csv",
        f"s3://{bucket}/in/a.csv",
    ]
    assert (archive / "2024" / "01" / "b.csv").read_bytes() == b"bb"
    assert (archive / "a.csv").read_bytes() == b"a"
    assert not (out / "a.csv").exists()
    _write(out / "c.csv", b"c")
    sftp.fetch_to_s3("vendor", f"{out}/c.csv", f"s3://{bucket}/one.csv", after="delete")
    assert not (out / "c.csv").exists()
    assert s3_lib.read_bytes(f"s3://{bucket}/one.csv") == b"c"


def test_newer_than_checks_every_file_not_just_the_first(
    sftp_server: SftpFolder, s3: tuple[Any, str]
) -> None:
    _, bucket = s3
    out = sftp_server.root
    old = time.time() - 86400
    for name in ("a.csv", "b.csv", "c.csv"):
        os.utime(_write(out / name, b"x"), (old, old))
    _write(out / "d.csv", b"new")
    since = datetime.now(UTC) - timedelta(hours=1)
    files = sftp.list_files("vendor", f"{out}/*.csv", newer_than=since.isoformat())
    assert [f.relative for f in files] == ["d.csv"]
    records = sftp.fetch_to_s3("vendor", f"{out}/*.csv", f"s3://{bucket}/", newer_than=since)
    assert [r["source"] for r in records] == [f"{out}/d.csv"]
    zulu = since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert [f.relative for f in sftp.list_files("vendor", f"{out}/*.csv", newer_than=zulu)] == [
        "d.csv"
    ]
    with pytest.raises(ValueError, match="needs a time zone"):
        sftp.list_files("vendor", f"{out}/*.csv", newer_than="2024-01-01T00:00:00")
    with pytest.raises(ValueError, match="needs a time zone"):
        sftp.fetch_to_s3("vendor", f"{out}/*.csv", f"s3://{bucket}/", newer_than=datetime.now())
    with pytest.raises(ValueError, match="newer_than 'yesterday' is not an ISO 8601 time"):
        sftp.list_files("vendor", f"{out}/*.csv", newer_than="yesterday")
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.csv", "c.csv", "d.csv"]


def test_no_match_is_empty_unless_files_are_required(
    sftp_server: SftpFolder, s3: tuple[Any, str]
) -> None:
    _, bucket = s3
    pattern = f"{sftp_server.root}/*.csv"
    assert sftp.fetch_to_s3("vendor", pattern, f"s3://{bucket}/") == []
    with pytest.raises(sftp.NoFilesFoundError, match="no file matches"):
        sftp.fetch_to_s3("vendor", pattern, f"s3://{bucket}/", require_files=True)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        sftp.list_files("vendor", f"{sftp_server.root}/missing/*.csv")


def test_one_object_destination_refuses_several_files_before_transferring(
    sftp_server: SftpFolder, s3: tuple[Any, str]
) -> None:
    client, bucket = s3
    for name in ("a.csv", "b.csv"):
        _write(sftp_server.root / name, b"x")
    with pytest.raises(ValueError, match="end it with '/'"):
        sftp.fetch_to_s3(
            "vendor", f"{sftp_server.root}/*.csv", f"s3://{bucket}/x.csv", after="delete"
        )
    assert _keys(client, bucket) == []
    assert (sftp_server.root / "a.csv").exists()


def test_a_large_file_streams_through_multipart_unchanged(
    sftp_server: SftpFolder, s3: tuple[Any, str]
) -> None:
    client, bucket = s3
    data = os.urandom(23 * MiB)
    _write(sftp_server.root / "big.bin", data)
    [record] = sftp.fetch_to_s3(
        "vendor", f"{sftp_server.root}/big.bin", f"s3://{bucket}/", part_size=5 * MiB
    )
    assert record["bytes"] == len(data)
    body = client.get_object(Bucket=bucket, Key="big.bin")["Body"].read()
    assert hashlib.sha256(body).digest() == hashlib.sha256(data).digest()
    assert client.head_object(Bucket=bucket, Key="big.bin", PartNumber=1)["PartsCount"] == 5


def test_sessions_use_aes_gcm_when_the_server_offers_it(sftp_server: SftpFolder) -> None:
    from flowtasks import connections
    from flowtasks.tasks._sftp_session import SftpSession

    with SftpSession(connections.get_sftp("vendor")) as session:
        transport = session.sftp.get_channel().get_transport()
        assert transport.remote_cipher == "aes128-gcm@openssh.com"
        assert transport.local_cipher == "aes128-gcm@openssh.com"
        assert "aes128-ctr" in transport.get_security_options().ciphers  # the fallback stays


def test_many_small_files_in_parallel(sftp_server: SftpFolder, s3: tuple[Any, str]) -> None:
    client, bucket = s3
    for i in range(60):
        _write(sftp_server.root / "many" / f"f{i:03}.json", json.dumps({"i": i}).encode())
    records = sftp.fetch_to_s3(
        "vendor", f"{sftp_server.root}/many/*.json", f"s3://{bucket}/m/", concurrency=8
    )
    assert len(records) == 60
    assert len(_keys(client, bucket)) == 60
    assert s3_lib.read_bytes(f"s3://{bucket}/m/f042.json") == b'{"i": 42}'


def test_s3_to_sftp_writes_a_temporary_name_then_renames(
    sftp_server: SftpFolder, s3: tuple[Any, str]
) -> None:
    _, bucket = s3
    data = os.urandom(3 * MiB + 5)
    s3_lib.write_bytes(f"s3://{bucket}/exports/report.csv", data)
    inbox = sftp_server.root / "inbox"
    inbox.mkdir()
    record = sftp.s3_to_sftp(f"s3://{bucket}/exports/report.csv", "vendor", f"{inbox}/")
    assert record == {
        "s3_uri": f"s3://{bucket}/exports/report.csv",
        "destination": f"{inbox}/report.csv",
        "bytes": len(data),
    }
    assert (inbox / "report.csv").read_bytes() == data
    assert [p.name for p in inbox.iterdir()] == ["report.csv"]  # no temporary file left
    with pytest.raises(FileExistsError, match="overwrite=False"):
        sftp.s3_to_sftp(
            f"s3://{bucket}/exports/report.csv", "vendor", f"{inbox}/report.csv", overwrite=False
        )
    with pytest.raises(FileNotFoundError):
        sftp.s3_to_sftp(f"s3://{bucket}/exports/missing.csv", "vendor", f"{inbox}/")
    assert [p.name for p in inbox.iterdir()] == ["report.csv"]


def test_key_with_passphrase_and_inline_keys(
    sftp_server: SftpFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = sftp_server.server
    _write(sftp_server.root / "a.csv", b"a")
    pattern = f"{sftp_server.root}/*.csv"
    monkeypatch.setenv("FLOWTASKS_CONN_LOCKED", server.connection_uri(passphrase=True))
    assert [f.relative for f in sftp.list_files("locked", pattern)] == ["a.csv"]
    inline = {
        "type": "sftp",
        "host": server.host,
        "port": server.port,
        "user": server.user,
        "private_key": server.passphrase_key_file.read_text(),
        "private_key_passphrase": KEY_PASSPHRASE,
        "host_key": server.host_key,
    }
    monkeypatch.setenv("FLOWTASKS_CONN_INLINE", json.dumps(inline))
    assert len(sftp.list_files("inline", pattern)) == 1
    inline["private_key_passphrase"] = "wrong horse"
    monkeypatch.setenv("FLOWTASKS_CONN_INLINE", json.dumps(inline))
    with pytest.raises(sftp.SftpAuthError, match="wrong private_key_passphrase") as caught:
        sftp.list_files("inline", pattern)
    assert "wrong horse" not in str(caught.value)


# --- faults --------------------------------------------------------------------------------------


def test_a_wrong_host_key_is_refused(
    sftp_server: SftpFolder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server = sftp_server.server
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", tmp_path / "other"], check=True
    )
    other = " ".join((tmp_path / "other.pub").read_text().split()[:2])
    uri = server.connection_uri(known_hosts="", host_key=other)
    monkeypatch.setenv("FLOWTASKS_CONN_VENDOR", uri)
    with pytest.raises(sftp.HostKeyError, match="does not match the pinned one"):
        sftp.list_files("vendor", f"{sftp_server.root}/*")
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    monkeypatch.setenv("FLOWTASKS_CONN_VENDOR", server.connection_uri(known_hosts=str(empty)))
    with pytest.raises(sftp.HostKeyError, match=r"unknown .*FLOWTASKS_CONN_VENDOR"):
        sftp.list_files("vendor", f"{sftp_server.root}/*")
    missing = server.connection_uri(known_hosts=str(tmp_path / "nope"))
    monkeypatch.setenv("FLOWTASKS_CONN_VENDOR", missing)
    with pytest.raises(ConnectionConfigError, match=r"known_hosts file .* does not exist"):
        sftp.list_files("vendor", f"{sftp_server.root}/*")


def test_skipping_the_host_key_check_needs_the_option_and_warns(
    sftp_server: SftpFolder, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    uri = sftp_server.server.connection_uri(known_hosts="", no_host_key_check="true")
    monkeypatch.setenv("FLOWTASKS_CONN_VENDOR", uri)
    with caplog.at_level(logging.WARNING, logger="flowtasks.tasks.sftp"):
        assert sftp.list_files("vendor", f"{sftp_server.root}/*") == []
    assert "NOT verified (no_host_key_check=true)" in caplog.text


def test_an_auth_failure_is_reported_clearly(
    sftp_server: SftpFolder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", tmp_path / "stranger"], check=True
    )
    uri = sftp_server.server.connection_uri(key_file=str(tmp_path / "stranger"))
    monkeypatch.setenv("FLOWTASKS_CONN_VENDOR", uri)
    with pytest.raises(sftp.SftpAuthError) as caught:
        sftp.list_files("vendor", f"{sftp_server.root}/*")
    message = str(caught.value)
    assert message.startswith(f"authentication to {sftp_server.server.user}@127.0.0.1:")
    assert "(connection 'vendor') failed" in message
    assert "check the user, key or password" in message


@pytest.mark.parametrize("name", ["evil\nname.csv", "esc\x1b[31m.csv", "tab\tname.csv"])
def test_malicious_remote_names_are_refused_before_anything_moves(
    sftp_server: SftpFolder, s3: tuple[Any, str], name: str
) -> None:
    client, bucket = s3
    _write(sftp_server.root / "a.csv", b"fine")
    _write(sftp_server.root / name, b"evil")
    with pytest.raises(sftp.UnsafeRemoteNameError, match="is refused"):
        sftp.fetch_to_s3("vendor", f"{sftp_server.root}/*.csv", f"s3://{bucket}/", after="delete")
    assert _keys(client, bucket) == []
    assert sorted(p.name for p in sftp_server.root.iterdir()) == sorted(["a.csv", name])


def test_unsafe_names_from_s3_and_bad_patterns_are_refused(sftp_server: SftpFolder) -> None:
    with pytest.raises(sftp.UnsafeRemoteNameError):
        sftp.s3_to_sftp("s3://bucket/exports/..", "vendor", f"{sftp_server.root}/")
    with pytest.raises(ValueError, match="wildcards go in the file name only"):
        sftp.list_files("vendor", f"{sftp_server.root}/*/x.csv")
    with pytest.raises(ValueError, match="after must be"):
        sftp.fetch_to_s3("vendor", f"{sftp_server.root}/*", "s3://b/", after="archive")


def test_server_killed_mid_transfer_loses_nothing(
    own_sshd: SshdServer, s3: tuple[Any, str]
) -> None:
    client, bucket = s3
    data = os.urandom(96 * MiB)
    source = _write(own_sshd.root / "big.bin", data)
    killed = threading.Event()

    def kill_once_uploading() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if client.list_multipart_uploads(Bucket=bucket).get("Uploads"):
                own_sshd.kill()
                killed.set()
                return
            time.sleep(0.005)

    killer = threading.Thread(target=kill_once_uploading)
    killer.start()
    with pytest.raises(sftp.SftpTransientError) as caught:
        sftp.fetch_to_s3(
            "vendor",
            f"{own_sshd.root}/big.bin",
            f"s3://{bucket}/",
            after="delete",
            part_size=5 * MiB,
        )
    killer.join()
    assert killed.is_set()
    assert "0 of 1 files done" in str(caught.value)
    assert _keys(client, bucket) == []
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert source.read_bytes() == data


def test_a_stopped_server_is_a_retryable_error(own_sshd: SshdServer) -> None:
    own_sshd.kill()
    with pytest.raises(sftp.SftpTransientError, match="cannot reach"):
        sftp.list_files("vendor", f"{own_sshd.root}/*")


# --- as reusable flow tasks, through the local engine ------------------------------------------

INGEST = """
from flowtasks.dsl import Flow, Retry, Var
from flowtasks.tasks import s3, sftp

Ingest = Flow(
    "Ingest",
    sftp.fetch_to_s3_task(
        connection="vendor",
        pattern=Var("$.pattern"),
        destination=Var("$.landing"),
        after="delete",
        name="FetchFiles",
        retry=Retry([sftp.SftpTransientError], max_attempts=3),
        result_path="$.fetched",
    )
    >> s3.list_task(pattern=Var("$.listing"), name="ListLanded"),
)
__all__ = ["Ingest"]
"""


@pytest.fixture
def ingest_domain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A domain package `ingestx` holding INGEST, registered by an entry_points.txt."""
    from flowtasks import registry

    site = tmp_path / "site"
    (site / "ingestx_flows").mkdir(parents=True)
    (site / "ingestx_flows" / "__init__.py").write_text(INGEST)
    dist = site / "ingestx_flows-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ingestx-flows\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[flowtasks.domains]\ningestx = ingestx_flows\n")
    monkeypatch.syspath_prepend(str(site))
    registry.clear_cache()
    yield "ingestx.Ingest"
    registry.clear_cache()
    sys.modules.pop("ingestx_flows", None)


def test_fetch_to_s3_task_runs_in_a_flow_on_real_servers(
    ingest_domain: str,
    sftp_server: SftpFolder,
    s3: tuple[Any, str],
    capsys: pytest.CaptureFixture[str],
    asl_validator: Any,
) -> None:
    from flowtasks.cli import main

    _, bucket = s3
    for name in ("a.csv", "b.csv"):
        _write(sftp_server.root / "outbox" / name, name.encode())
    assert main(["asl", ingest_domain]) == 0
    asl_validator(json.loads(capsys.readouterr().out))
    payload = {
        "pattern": f"{sftp_server.root}/outbox/*.csv",
        "landing": f"s3://{bucket}/vendor/",
        "listing": f"s3://{bucket}/vendor/*.csv",
    }
    code = main(["run", ingest_domain, "--input", json.dumps(payload)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [o["s3_uri"] for o in json.loads(out)] == [
        f"s3://{bucket}/vendor/a.csv",
        f"s3://{bucket}/vendor/b.csv",
    ]
    assert list((sftp_server.root / "outbox").iterdir()) == []
