"""``flow-task ui`` as a command: where it listens and how it refuses a bad port."""

from __future__ import annotations

import socket

import pytest

from flowtasks.cli import main
from flowtasks.ui.server import HOST, bind


def test_it_listens_on_loopback_only() -> None:
    sock = bind(0)
    try:
        assert sock.getsockname()[0] == HOST == "127.0.0.1"
    finally:
        sock.close()


def test_a_taken_port_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["ui", "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_a_port_out_of_range_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ui", "--port", "70000"]) == 2
    assert "between 0 and 65535" in capsys.readouterr().err
    assert main(["ui", "--port", "-1"]) == 2
