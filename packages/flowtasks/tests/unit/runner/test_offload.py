"""Payload offload: large results travel as references, small fields stay inline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowtasks.runner.offload import (
    INLINE_BYTES,
    REF_KEY,
    FolderStore,
    OffloadError,
    is_ref,
    key_prefix,
    offload,
    resolve,
    store_from_env,
)


@pytest.fixture
def store(tmp_path: Path) -> FolderStore:
    return FolderStore(tmp_path, "bucket")


def size(value: object) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())


def test_a_small_result_travels_as_it_is(store: FolderStore) -> None:
    result = {"count": 3, "names": ["a", "b"]}
    assert offload(result, store, "f/e/s/1") is result
    assert list(store.root.rglob("*")) == []


def test_large_fields_go_to_the_store_and_small_ones_stay_inline(store: FolderStore) -> None:
    result = {"count": 2, "status": "ok", "rows": ["x" * 100] * 100, "more": "y" * 3000}
    shrunk = offload(result, store, "f/e/s/1")
    assert shrunk["count"] == 2
    assert shrunk["status"] == "ok"
    assert is_ref(shrunk["rows"])
    assert shrunk["rows"][REF_KEY].startswith("s3://bucket/f/e/s/1/")
    assert size(shrunk) <= INLINE_BYTES
    assert resolve(shrunk, store) == result


def test_a_large_list_or_many_small_fields_are_stored_whole(store: FolderStore) -> None:
    many = {f"k{n}": n for n in range(1000)}
    for result in (list(range(5000)), many, "z" * 10_000):
        shrunk = offload(result, store, "f/e/s/2")
        assert is_ref(shrunk)
        assert shrunk[REF_KEY].endswith("/result.json")
        assert resolve(shrunk, store) == result


def test_references_resolve_at_any_depth(store: FolderStore) -> None:
    refs = [offload({"blob": "b" * 5000, "n": n}, store, f"f/e/s/{n}") for n in range(3)]
    resolved = resolve({"results": refs, "keep": 1}, store)
    assert resolved == {"results": [{"blob": "b" * 5000, "n": n} for n in range(3)], "keep": 1}


def test_keys_name_flow_execution_and_state() -> None:
    arn = "arn:aws:states:us-east-1:123456789012:execution:Machine:run-1"
    prefix = key_prefix("demo.VendorIngest", arn, "Load Files")
    assert prefix.startswith("demo.VendorIngest/run-1/Load_Files/")


def test_a_reference_without_a_store_names_the_setting() -> None:
    with pytest.raises(OffloadError, match="FLOWTASKS_ARTIFACT_BUCKET"):
        resolve({REF_KEY: "s3://b/k", "bytes": 3}, None)


def test_the_folder_store_stays_inside_its_folder(store: FolderStore) -> None:
    with pytest.raises(OffloadError, match="outside"):
        store.get("bucket", "../../etc/passwd")
    with pytest.raises(OffloadError, match="not in the local artifact folder"):
        store.get("bucket", "missing.json")


def test_the_store_follows_the_environment(tmp_path: Path) -> None:
    assert store_from_env({}) is None
    folder = store_from_env({"FLOWTASKS_ARTIFACT_DIR": str(tmp_path)})
    assert isinstance(folder, FolderStore)
    assert folder.root == tmp_path
    s3 = store_from_env({"FLOWTASKS_ARTIFACT_BUCKET": "acme-artifacts"})
    assert s3 is not None
    assert s3.bucket == "acme-artifacts"
