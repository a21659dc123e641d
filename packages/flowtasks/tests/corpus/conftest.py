"""Fixtures of the real-world corpus suite: a local S3 (moto) server.

The corpus lives beside the repository; each test module reading it calls
`corpus_presence.require_corpus` (skip without it, or fail with ``FLOWTASKS_REQUIRE_CORPUS=1``).
The helper modules of this folder (``corpus_*.py``) are made importable by the tests here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 (a free port), with boto3 pointed at it for the session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    names = (
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
        "AWS_SESSION_TOKEN",
    )
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_SESSION_TOKEN": "testing",
        }
    )
    try:
        yield endpoint
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """In GitHub Actions, end with a ``::warning`` annotation when the corpus was skipped."""
    from corpus_presence import annotation

    line = annotation()
    if line is not None:
        terminalreporter.write_line(line)
