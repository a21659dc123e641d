"""Benchmark of the SFTP and S3 transfers (flowtasks.tasks.sftp / .s3), one command:

    .venv/bin/python benchmarks/transfers.py [--size-mib 500] [--files 1000] [--rounds 3]

Starts its own OpenSSH sshd (flowtasks.testing.servers) and moto server on 127.0.0.1, then
measures, each against a baseline of standard tools run in the same session on the same files:

(a) SFTP read: draining a `--size-mib` file into a null sink with paramiko as flowtasks
    configures it, against OpenSSH ``sftp`` getting it to /dev/null. Target >= 0.8x.
(b) fetch_to_s3 of that file, against ``sftp`` get to a local file followed by boto3's managed
    ``upload_file`` to the same endpoint (the standard tools cannot stream: ``sftp`` seeks, so
    it cannot write into a pipe). Target >= 1x, peak RSS <= 150 MiB whatever the size (also
    measured at a quarter of the size to show it does not grow).
(c) many small files: `--files` files of `--file-kib` KiB, against ``sftp`` ``get dir/*``
    followed by boto3 uploading them one after another. Target >= 2x.
(d) Redshift query_to_s3 of `--redshift-rows` rows, against ``psql \\copy`` piped into boto3's
    ``upload_fileobj``: benchmarks/redshift_export.py, run last (``--redshift-rows 0`` skips it).

Every measurement runs in its own process (peak RSS from wait4); rounds alternate ours and the
baseline and the median of each is reported. Ratio = baseline time / our time (higher is
better). Absolute speeds on a shared machine are noise; the same-run ratio is the figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MiB = 1024**2
BUCKET = "bench"
ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


# --- workers (each runs in its own process) ------------------------------------------------------


def worker(case: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run one measured operation; return its timing (the process's RSS is read by the parent)."""
    if case == "ours_read":
        from flowtasks import connections
        from flowtasks.tasks._sftp_session import SftpSession, open_prefetching
        from flowtasks.tasks.sftp import READ_CHUNK_SIZE

        start = time.perf_counter()
        conn = connections.get_sftp("bench")
        total = 0
        with (
            SftpSession(conn) as session,
            open_prefetching(session.sftp, args["path"], args["size"]) as remote,
        ):
            while chunk := remote.read(READ_CHUNK_SIZE):  # as fetch_to_s3 reads
                total += len(chunk)
        assert total == args["size"], total
        return {"seconds": time.perf_counter() - start}
    if case == "ours_fetch":
        from flowtasks.tasks import sftp

        start = time.perf_counter()
        records = sftp.fetch_to_s3("bench", args["pattern"], args["destination"])
        seconds = time.perf_counter() - start
        assert len(records) == args["count"], len(records)
        return {"seconds": seconds}
    if case == "boto3_upload":
        import boto3

        start = time.perf_counter()
        client = boto3.client("s3")
        for path in args["paths"]:
            client.upload_file(path, BUCKET, args["prefix"] + Path(path).name)
        return {"seconds": time.perf_counter() - start}
    raise SystemExit(f"unknown worker case {case}")


# --- the parent ----------------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    rss_mib: float


def _child(argv: list[str], env: dict[str, str], stdin: bytes | None = None) -> tuple[Any, float]:
    """(stdout parsed as JSON or None, peak RSS in MiB) of one child process."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.PIPE, env=env
        )
        assert process.stdin is not None
        if stdin:
            process.stdin.write(stdin)
        process.stdin.close()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        error = process.stderr.read().decode(errors="replace") if process.stderr else ""
        if process.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({process.returncode}): {error[-2000:]}")
        out.seek(0)
        text = out.read().decode()
    value = json.loads(text) if text.strip().startswith("{") else None
    return value, usage.ru_maxrss / 1024


def _worker(case: str, args: dict[str, Any], env: dict[str, str]) -> Sample:
    value, rss = _child([sys.executable, __file__, "--worker", case, json.dumps(args)], env)
    return Sample(value["seconds"], rss)


def _sftp_cli(server: Any, commands: str, env: dict[str, str]) -> Sample:
    argv = [
        "sftp",
        "-q",
        "-b",
        "-",
        "-P",
        str(server.port),
        "-i",
        str(server.key_file),
        "-o",
        f"UserKnownHostsFile={server.known_hosts}",
        "-o",
        "BatchMode=yes",
        f"{server.user}@{server.host}",
    ]
    start = time.perf_counter()
    _, rss = _child(argv, env, commands.encode())
    return Sample(time.perf_counter() - start, rss)


def _start_moto(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("moto_server did not start")


def _write_file(path: Path, size: int) -> None:
    block = os.urandom(16 * MiB)
    with path.open("wb") as out:
        left = size
        while left:
            n = min(left, len(block))
            out.write(block[:n])
            left -= n


def _empty_bucket(client: Any) -> None:
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=BUCKET, Delete={"Objects": keys})


def _median(samples: list[Sample]) -> Sample:
    return Sample(statistics.median(s.seconds for s in samples), max(s.rss_mib for s in samples))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=500, help="the large file (500)")
    parser.add_argument("--files", type=int, default=1000, help="how many small files (1000)")
    parser.add_argument("--file-kib", type=int, default=10, help="size of a small file (10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per case (3)")
    parser.add_argument(
        "--redshift-rows", type=int, default=2_000_000, help="query_to_s3 rows (2000000; 0: skip)"
    )
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        print(json.dumps(worker(options.worker[0], json.loads(options.worker[1]))))
        return 0

    import boto3

    from flowtasks.testing.servers import SshdServer

    if shutil.which("sftp") is None:
        raise SystemExit("the OpenSSH sftp client is needed: apt-get install openssh-client")
    work = Path(tempfile.mkdtemp(prefix="flowtasks-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWTASKS_CONN_")} | ENV
    moto, url = _start_moto(env)
    server = SshdServer.start(work / "remote")
    try:
        env |= {"AWS_ENDPOINT_URL": url, "FLOWTASKS_CONN_BENCH": server.connection_uri()}
        client = boto3.client("s3", endpoint_url=url, **_boto_credentials())
        client.create_bucket(Bucket=BUCKET)
        size = options.size_mib * MiB
        big = server.root / "big.bin"
        quarter = server.root / "quarter" / "big.bin"
        quarter.parent.mkdir()
        _write_file(big, size)
        _write_file(quarter, size // 4)
        small_dir = server.root / "small"
        small_dir.mkdir()
        for i in range(options.files):
            (small_dir / f"f{i:05}.dat").write_bytes(os.urandom(options.file_kib * 1024))
        local = work / "local"
        results: list[tuple[str, Sample, Sample, str, float]] = []

        print(f"sshd on port {server.port}, moto at {url}; {options.rounds} rounds each")
        # (a) SFTP read
        ours, base = [], []
        for _ in range(options.rounds):
            ours.append(_worker("ours_read", {"path": str(big), "size": size}, env))
            base.append(_sftp_cli(server, f"get {big} /dev/null\n", env))
        results.append(
            (f"SFTP read {options.size_mib} MiB", _median(ours), _median(base), ">= 0.8x", size)
        )

        # (b) fetch_to_s3 of the large file (and of a quarter of it, for RSS)
        ours, base, small_rss = [], [], []
        for _ in range(options.rounds):
            prefix = f"ours/{uuid.uuid4().hex}/"
            args = {"pattern": str(big), "destination": f"s3://{BUCKET}/{prefix}", "count": 1}
            ours.append(_worker("ours_fetch", args, env))
            _empty_bucket(client)
            args = {"pattern": str(quarter), "destination": f"s3://{BUCKET}/q/", "count": 1}
            small_rss.append(_worker("ours_fetch", args, env).rss_mib)
            _empty_bucket(client)
            shutil.rmtree(local, ignore_errors=True)
            local.mkdir()
            got = _sftp_cli(server, f"get {big} {local / 'big.bin'}\n", env)
            up = _worker(
                "boto3_upload", {"paths": [str(local / "big.bin")], "prefix": "base/"}, env
            )
            base.append(Sample(got.seconds + up.seconds, max(got.rss_mib, up.rss_mib)))
            _empty_bucket(client)
        results.append(
            (
                f"fetch_to_s3 {options.size_mib} MiB",
                _median(ours),
                _median(base),
                ">= 1x, <= 150 MiB",
                size,
            )
        )
        quarter_rss = max(small_rss)

        # (c) many small files
        ours, base = [], []
        count = options.files
        for _ in range(options.rounds):
            args = {
                "pattern": f"{small_dir}/*.dat",
                "destination": f"s3://{BUCKET}/s/",
                "count": count,
            }
            ours.append(_worker("ours_fetch", args, env))
            _empty_bucket(client)
            shutil.rmtree(local, ignore_errors=True)
            local.mkdir()
            got = _sftp_cli(server, f"get {small_dir}/* {local}/\n", env)
            paths = sorted(str(p) for p in local.iterdir())
            assert len(paths) == count, len(paths)
            up = _worker("boto3_upload", {"paths": paths, "prefix": "base/"}, env)
            base.append(Sample(got.seconds + up.seconds, max(got.rss_mib, up.rss_mib)))
            _empty_bucket(client)
        results.append(
            (
                f"{count} files of {options.file_kib} KiB",
                _median(ours),
                _median(base),
                ">= 2x",
                count * options.file_kib * 1024,
            )
        )
    finally:
        server.stop()
        moto.terminate()
        moto.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(
        f"{'case':28} {'ours s':>8} {'base s':>8} {'ratio':>6}  {'ours MiB/s':>10} "
        f"{'base MiB/s':>10}  {'ours RSS':>8} {'base RSS':>8}  target"
    )
    for name, o, b, target, nbytes in results:
        print(
            f"{name:28} {o.seconds:8.2f} {b.seconds:8.2f} {b.seconds / o.seconds:5.2f}x"
            f"  {nbytes / MiB / o.seconds:10.1f} {nbytes / MiB / b.seconds:10.1f}"
            f"  {o.rss_mib:7.0f}M {b.rss_mib:7.0f}M  {target}"
        )
    print(f"peak RSS of fetch_to_s3 at a quarter of the size: {quarter_rss:.0f} MiB")
    print("base = OpenSSH sftp (+ boto3 upload_file for S3); ratio = base time / our time")
    if options.redshift_rows:
        print()  # (d): its own servers (PostgreSQL, the driver shim, moto)
        export = Path(__file__).with_name("redshift_export.py")
        rows = ["--rows", str(options.redshift_rows)]
        subprocess.run([sys.executable, str(export), *rows], check=True)
    return 0


def _boto_credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": ENV["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": ENV["AWS_SECRET_ACCESS_KEY"],
        "region_name": ENV["AWS_REGION"],
    }


if __name__ == "__main__":
    sys.exit(main())
