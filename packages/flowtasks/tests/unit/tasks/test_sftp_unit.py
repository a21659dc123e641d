"""Parts of flowtasks.tasks.sftp that need no server: its import cost and `newer_than`
(sessions, host keys and transfers run against a real sshd in integration/test_sftp.py)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest

from flowtasks.history import parse_time
from flowtasks.tasks._sftp_session import newer_than_time


def test_importing_the_sftp_module_does_not_load_paramiko() -> None:
    # A fresh process: this one may have loaded paramiko for other tests. Task modules import
    # flowtasks.tasks.sftp, so paramiko (~0.2-0.4 s) would otherwise slow every runner start.
    script = (
        "import sys\n"
        "from flowtasks.tasks import sftp\n"
        "assert sftp.fetch_to_s3_task and sftp.SftpTransientError\n"
        "print(sorted(m for m in sys.modules if m.partition('.')[0] == 'paramiko'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-31T10:00:00Z", datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("2024-01-31T10:00:00+00:00", datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("2024-01-31T12:00:00+02:00", datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("2024-01-31T04:30-0530", datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("2024-01-31 10:00:00.5Z", datetime(2024, 1, 31, 10, 0, 0, 500000, tzinfo=UTC)),
        (
            datetime(2024, 1, 31, 13, tzinfo=timezone(timedelta(hours=3))),
            datetime(2024, 1, 31, 10, tzinfo=UTC),
        ),
    ],
)
def test_newer_than_takes_aware_times_as_parse_time_reads_them(
    value: datetime | str, expected: datetime
) -> None:
    since = newer_than_time(value)
    assert since == expected  # an aware datetime: a naive one never equals an aware one
    assert since == parse_time(value)


def test_newer_than_none_is_no_limit() -> None:
    assert newer_than_time(None) is None


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-31T10:00:00",
        "2024-01-31T10",
        "2024-01-31 10:00:00.123456",
        "2024-01-31",
        "20240131T1000",
        datetime(2024, 1, 31, 10),
    ],
)
def test_newer_than_without_a_time_zone_is_refused(value: datetime | str) -> None:
    # parse_time would read these as UTC; the caller's clock is unknown, so they are refused
    with pytest.raises(ValueError) as caught:
        newer_than_time(value)
    assert str(caught.value) == "newer_than needs a time zone (e.g. 2024-01-31T00:00:00+00:00)"


@pytest.mark.parametrize(
    "value", ["yesterday", "", "2024-13-01T00:00:00Z", "2024-01-31T10:00:00+02:00Z"]
)
def test_newer_than_that_is_not_a_time_is_named(value: str) -> None:
    with pytest.raises(ValueError) as caught:
        newer_than_time(value)
    assert str(caught.value) == f"newer_than {value!r} is not an ISO 8601 time"


def test_newer_than_of_another_type_is_refused() -> None:
    with pytest.raises(TypeError, match="newer_than must be an aware datetime or ISO 8601 text"):
        newer_than_time(1706695200)  # type: ignore[arg-type]
