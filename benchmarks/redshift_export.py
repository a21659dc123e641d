"""Benchmark of `flowtasks.tasks.redshift.query_to_s3`, one command:

    .venv/bin/python benchmarks/redshift_export.py [--rows 2000000] [--rounds 1] [--naive]

Starts its own PostgreSQL (`flowtasks.dev.postgres`, Debian's binaries when installed), the
redshift-connector shim and a moto server on 127.0.0.1, fills a table with `--rows` rows
(id int, name text, amount numeric(10,2), day date), then measures, in the same session:

- ours: ``query_to_s3(conn, "SELECT * FROM bench", "s3://bench/ours.csv")``: the real
  redshift_connector driver through the shim, a server-side cursor, the aborting S3 writer;
- baseline: ``psql -c "\\copy (SELECT * FROM bench) TO STDOUT WITH CSV HEADER"`` piped into
  boto3's ``upload_fileobj`` to the same endpoint, psql connecting through the same shim as ours
  (the shim, a Python relay that only the local stand-in needs, costs about 0.4 s of CPU per
  100 MiB on the same two cores: both sides pay it); the same with psql connecting to
  PostgreSQL directly is reported too (``psql direct``), with its ratio;
- ours again on 3,000 rows of 96 KB each (288 MB of CSV), for peak memory whatever the width;
- with ``--naive``: the driver's plain ``execute`` + ``fetchall`` (what redshift-connector does
  without a cursor), for its memory.

Each measurement runs in its own process; peak RSS comes from wait4 (for the baseline, psql's and
the uploader's, summed). Rounds alternate ours and the baseline; medians are reported. Ratio =
baseline time / our time (higher is better; target >= 0.5, peak RSS <= 150 MiB).
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
from pathlib import Path
from typing import Any

MiB = 1024**2
ROOT = Path(__file__).resolve().parent.parent
AWS = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
QUERY = "SELECT * FROM bench"


def worker(case: str) -> None:
    """One measured operation, in this process (the parent reads its peak RSS)."""
    start = time.perf_counter()
    if case == "ours":
        from flowtasks.tasks import redshift

        result = redshift.query_to_s3("bench", QUERY, "s3://bench/ours.csv")
        print(json.dumps({"seconds": time.perf_counter() - start, "rows": result["rows"]}))
    elif case == "wide":
        from flowtasks.tasks import redshift

        result = redshift.query_to_s3("bench", "SELECT * FROM wide", "s3://bench/wide.csv")
        print(json.dumps({"seconds": time.perf_counter() - start, "rows": result["rows"]}))
    elif case == "naive":
        from flowtasks.tasks import redshift

        with redshift.connect("bench") as session:
            cursor = session.cursor()
            cursor.execute(QUERY)
            rows = len(cursor.fetchall())
        print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows}))
    elif case == "upload":
        import boto3

        boto3.client("s3").upload_fileobj(sys.stdin.buffer, "bench", "baseline.csv")
    else:
        raise SystemExit(f"unknown case {case}")


def _measured(argv: list[str], env: dict[str, str]) -> tuple[dict[str, Any], float]:
    """Run a worker process: (its JSON line, its peak RSS in MiB)."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"{argv[-1]} failed with status {status}")
    return json.loads(output), usage.ru_maxrss / 1024


def _baseline(
    psql: str, port: int, user: str, database: str, env: dict[str, str]
) -> tuple[float, float]:
    """psql \\copy piped into boto3 upload_fileobj: (seconds, summed peak RSS in MiB)."""
    start = time.perf_counter()
    copy = subprocess.Popen(
        [
            psql,
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            user,
            "-d",
            database,
            "-X",
            "-q",
            "-c",
            f"\\copy ({QUERY}) TO STDOUT WITH CSV HEADER",
        ],
        stdout=subprocess.PIPE,
        env=env,
    )
    upload = subprocess.Popen(
        [sys.executable, __file__, "--worker", "upload"], stdin=copy.stdout, env=env
    )
    assert copy.stdout is not None
    copy.stdout.close()
    _, upload_status, upload_usage = os.wait4(upload.pid, 0)
    _, copy_status, copy_usage = os.wait4(copy.pid, 0)
    seconds = time.perf_counter() - start
    if upload_status or copy_status:
        raise RuntimeError(f"baseline failed: psql {copy_status}, upload {upload_status}")
    return seconds, (upload_usage.ru_maxrss + copy_usage.ru_maxrss) / 1024


def _psql(bin_dir: Path) -> str:
    found = bin_dir / "psql"
    if found.exists():
        return str(found)
    on_path = shutil.which("psql")
    if on_path is None:
        raise SystemExit("psql not found (Debian: apt-get install postgresql-client)")
    return on_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--naive", action="store_true", help="also measure execute+fetchall")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return 0

    import glob

    import boto3

    from flowtasks.dev.moto import MotoServer
    from flowtasks.dev.pgshim import PgShim
    from flowtasks.dev.postgres import PostgresServer, find_bin_dir
    from flowtasks.dev.services import free_port

    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    bin_dir = Path(debian[-1]).parent if debian else find_bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="flowtasks-bench-"))
    folder.chmod(0o755)
    postgres = PostgresServer(folder / "pg", free_port(), bin_dir=bin_dir)
    moto = MotoServer(free_port())
    with postgres, moto:
        shim = PgShim(upstream_port=postgres.port)
        stop_shim = shim.run_in_thread()
        try:
            env = {
                **os.environ,
                **AWS,
                "AWS_ENDPOINT_URL": moto.url,
                "PGPASSWORD": postgres.password,
                "FLOWTASKS_CONN_BENCH": f"redshift://{postgres.user}:{postgres.password}"
                f"@127.0.0.1:{shim.port}/{postgres.database}?sslmode=disable",
            }
            os.environ.update(env)
            boto3.client("s3").create_bucket(Bucket="bench")
            from flowtasks.tasks import redshift

            redshift.execute(
                "bench",
                "CREATE TABLE bench AS SELECT g AS id, md5(g::text) AS name, "
                "((g % 100000) / 100.0)::numeric(10,2) AS amount, "
                f"DATE '2026-01-01' + (g % 365) AS day FROM generate_series(1, {args.rows}) g",
            )
            ours: list[tuple[float, float]] = []
            base: list[tuple[float, float]] = []
            direct: list[tuple[float, float]] = []
            psql = _psql(bin_dir)
            for _ in range(args.rounds):
                result, rss = _measured([sys.executable, __file__, "--worker", "ours"], env)
                assert result["rows"] == args.rows, result
                ours.append((result["seconds"], rss))
                base.append(_baseline(psql, shim.port, postgres.user, postgres.database, env))
                direct.append(_baseline(psql, postgres.port, postgres.user, postgres.database, env))
            client = boto3.client("s3")
            ours_size = client.head_object(Bucket="bench", Key="ours.csv")["ContentLength"]
            base_size = client.head_object(Bucket="bench", Key="baseline.csv")["ContentLength"]
            naive = None
            if args.naive:
                naive = _measured([sys.executable, __file__, "--worker", "naive"], env)
            # memory whatever the row width: 3,000 rows of 96 KB (288 MB of CSV)
            redshift.execute(
                "bench",
                "CREATE TABLE wide AS SELECT g AS id, repeat(md5(g::text), 3000) AS pad "
                "FROM generate_series(1, 3000) g",
            )
            wide, wide_rss = _measured([sys.executable, __file__, "--worker", "wide"], env)
        finally:
            stop_shim()
    shutil.rmtree(folder, ignore_errors=True)

    ours_s = statistics.median(s for s, _ in ours)
    base_s = statistics.median(s for s, _ in base)
    print(
        f"query_to_s3 of {args.rows:,} rows ({ours_size / MiB:.0f} MiB of CSV; "
        f"baseline object {base_size / MiB:.0f} MiB), median of {args.rounds} round(s)"
    )
    print(f"{'':32} {'seconds':>8} {'rows/s':>10} {'peak RSS':>9}")
    print(
        f"{'ours: query_to_s3':32} {ours_s:8.2f} {args.rows / ours_s:10,.0f} "
        f"{max(r for _, r in ours):7.0f} MiB"
    )
    direct_s = statistics.median(s for s, _ in direct)
    for label, seconds, runs in (
        ("baseline: psql \\copy | boto3", base_s, base),
        ("psql direct (no shim) | boto3", direct_s, direct),
    ):
        print(
            f"{label:32} {seconds:8.2f} {args.rows / seconds:10,.0f} "
            f"{max(r for _, r in runs):7.0f} MiB"
        )
    if naive is not None:
        (result, rss) = naive
        print(
            f"{'driver execute+fetchall (no S3)':32} {result['seconds']:8.2f} "
            f"{args.rows / result['seconds']:10,.0f} {rss:7.0f} MiB"
        )
    print(
        f"{'ours, 3,000 rows of 96 KB':32} {wide['seconds']:8.2f} "
        f"{wide['rows'] / wide['seconds']:10,.0f} {wide_rss:7.0f} MiB"
    )
    ratio = base_s / ours_s
    print(f"ratio (baseline time / ours): {ratio:.2f}x   target >= 0.5x, peak RSS <= 150 MiB")
    print(f"ratio against psql direct:    {direct_s / ours_s:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
