"""The S3 and SFTP examples of docs/ run against moto and sshd (the unit docs test skips them).

A ```python block of docs/s3.md or docs/sftp.md whose marker names this file runs here, with
buckets ``landing`` and ``archive`` (emptied before each block) and connection ``vendor`` on a
real sshd. The SFTP paths of the examples (/outbox, /archive, /inbox) become folders of the test's
own on the server, seeded with the vendor files the examples expect.
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from .conftest import SftpFolder

REPO = Path(__file__).resolve().parents[4]
FENCE = re.compile(r"^```python\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
VENDOR_FILES = {
    "outbox/orders.csv": b"order,qty\nA-1,3\nA-2,5\nA-3,1\n",
    "outbox/stock.csv": b"sku,stock\nX,10\nY,0\n",
}


def _blocks() -> list[tuple[str, str]]:
    found = []
    for name in ("s3.md", "sftp.md"):
        text = (REPO / "docs" / name).read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            before = text[: match.start()].rstrip().splitlines()
            if before and "test_transfer_docs.py" in before[-1]:
                line = text.count("\n", 0, match.start()) + 1
                found.append((f"docs/{name}:{line}", match.group(1)))
    return found


BLOCKS = _blocks()


def test_the_transfer_docs_have_server_examples() -> None:
    assert {block_id.split(":")[0] for block_id, _ in BLOCKS} == {"docs/s3.md", "docs/sftp.md"}


@pytest.mark.parametrize(("block_id", "code"), BLOCKS, ids=[b for b, _ in BLOCKS])
def test_documented_transfer_example_runs(
    block_id: str,
    code: str,
    s3: tuple[Any, str],
    sftp_server: SftpFolder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, _ = s3
    for bucket in ("landing", "archive"):
        if any(b["Name"] == bucket for b in client.list_buckets()["Buckets"]):
            for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
                client.delete_object(Bucket=bucket, Key=item["Key"])
        else:
            client.create_bucket(Bucket=bucket)
    for relative, data in VENDOR_FILES.items():
        path = sftp_server.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for folder in ("archive", "inbox"):
        (sftp_server.root / folder).mkdir(exist_ok=True)
    local = re.sub(r"(?<=[\"':])/(outbox|archive|inbox)\b", rf"{sftp_server.root}/\1", code)
    module = types.ModuleType("transfer_docs_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(local, block_id, "exec"), module.__dict__)
