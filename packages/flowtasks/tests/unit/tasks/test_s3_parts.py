"""Pure parts of flowtasks.tasks.s3: part sizes, URIs, globs (the transfers run in integration/)."""

from __future__ import annotations

import pytest

from flowtasks.tasks import s3
from flowtasks.tasks._s3_upload import MAX_PART_SIZE, MAX_PARTS, UploadWriter, part_size_of

MiB = 1024**2


def test_part_size_doubles_so_that_any_object_fits_in_10000_parts() -> None:
    assert part_size_of(1, 6 * MiB) == 6 * MiB
    assert part_size_of(2000, 6 * MiB) == 6 * MiB
    assert part_size_of(2001, 6 * MiB) == 12 * MiB
    assert part_size_of(MAX_PARTS, 6 * MiB) == 96 * MiB
    total = sum(part_size_of(n, s3.DEFAULT_PART_SIZE) for n in range(1, MAX_PARTS + 1))
    assert total > 350 * 1024**3  # far beyond what the 6 MiB parts alone allow (58 GiB)
    assert part_size_of(MAX_PARTS, 4 * 1024**3) == MAX_PART_SIZE


def test_the_default_writer_memory_bound() -> None:
    bound = s3.DEFAULT_PART_SIZE * (s3.DEFAULT_CONCURRENCY + 1)
    assert bound <= 48 * MiB


def test_writer_options_are_checked() -> None:
    with pytest.raises(ValueError, match="part_size must be between"):
        UploadWriter(None, "b", "k", part_size=MiB, concurrency=1)
    with pytest.raises(ValueError, match="concurrency must be at least 1"):
        UploadWriter(None, "b", "k", part_size=5 * MiB, concurrency=0)


@pytest.mark.parametrize(
    ("uri", "expected"),
    [("s3://bucket/a/b.csv", ("bucket", "a/b.csv")), ("s3://bucket/", ("bucket", ""))],
)
def test_parse_uri(uri: str, expected: tuple[str, str]) -> None:
    assert s3.parse_uri(uri) == expected


@pytest.mark.parametrize(
    ("pattern", "key", "matches"),
    [
        ("in/*.csv", "in/a.csv", True),
        ("in/*.csv", "in/sub/a.csv", False),
        ("in/**.csv", "in/sub/a.csv", True),
        ("in/?.csv", "in/ab.csv", False),
        ("in/[ab].csv", "in/b.csv", True),
        ("in/[!ab].csv", "in/b.csv", False),
        ("in/a+b.csv", "in/a+b.csv", True),
    ],
)
def test_glob_semantics(pattern: str, key: str, matches: bool) -> None:
    assert bool(s3._glob_regex(pattern).fullmatch(key)) is matches
