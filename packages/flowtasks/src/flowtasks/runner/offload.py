"""Payload offload: large task results go to the artifact bucket and travel as references.

A result whose JSON text is at most `INLINE_BYTES` travels as it is. A larger object keeps its
small fields inline (so Choice rules and paths can still read them) and has its largest fields
replaced, one by one, by references until it fits; anything else (a large list or string, an
object of many small fields) is stored whole. A reference is::

    {"flowtasks.ref": "s3://<bucket>/<flow>/<execution>/<state>/<id>/<field>.json", "bytes": N}

and `resolve` (run on every task's input by the runner, in AWS and locally) replaces each one,
wherever it sits in the input, by the JSON value it points to. Every result therefore stays
under ~4 KiB in the state data, and a Map of N results under ~4 KiB x N.

The store is S3 (``FLOWTASKS_ARTIFACT_BUCKET``, through boto3, so ``AWS_ENDPOINT_URL`` reaches
moto) or, for local runs, a folder standing in for S3 (``FLOWTASKS_ARTIFACT_DIR``:
``<dir>/<bucket>/<key>``): references look the same either way.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from flowtasks.protocol import ENV_ARTIFACT_BUCKET, ENV_ARTIFACT_DIR

__all__ = [
    "INLINE_BYTES",
    "LOCAL_BUCKET",
    "REF_KEY",
    "FolderStore",
    "OffloadError",
    "S3Store",
    "Store",
    "is_ref",
    "key_prefix",
    "offload",
    "resolve",
    "store_from_env",
]

INLINE_BYTES = 4096
"""A result (or what is left of it inline) is at most this many bytes of JSON."""
REF_KEY = "flowtasks.ref"
"""The key that marks a reference object."""
LOCAL_BUCKET = "flowtasks-local-artifacts"
"""The bucket name local runs use when no ``FLOWTASKS_ARTIFACT_BUCKET`` is set."""
_SAFE = re.compile(r"[^A-Za-z0-9._=-]+")


class OffloadError(Exception):
    """A reference cannot be resolved (missing object, bad URI) or stored."""


class Store(Protocol):
    """Where offloaded payloads live: `bucket` is where `put` writes."""

    bucket: str

    def put(self, key: str, data: bytes) -> None:
        """Write `data` under `key` in `bucket`."""

    def get(self, bucket: str, key: str) -> bytes:
        """The bytes under `key` in `bucket`; OffloadError if absent."""


class S3Store:
    """The artifact bucket in S3 (or moto: boto3 honours ``AWS_ENDPOINT_URL``)."""

    def __init__(self, bucket: str, client: Any = None) -> None:
        self.bucket = bucket
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.session.Session().client("s3")
        return self._client

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType="application/json"
        )

    def get(self, bucket: str, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            body: bytes = self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as exc:
            raise OffloadError(f"cannot read s3://{bucket}/{key}: {exc}") from None
        return body


class FolderStore:
    """A local folder standing in for S3: object ``s3://b/k`` is the file ``<root>/b/k``."""

    def __init__(self, root: Path, bucket: str = LOCAL_BUCKET) -> None:
        self.root = root
        self.bucket = bucket

    def _path(self, bucket: str, key: str) -> Path:
        path = (self.root / bucket / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise OffloadError(f"s3://{bucket}/{key} points outside {self.root}")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(self.bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # never a half-written object

    def get(self, bucket: str, key: str) -> bytes:
        try:
            return self._path(bucket, key).read_bytes()
        except FileNotFoundError:
            raise OffloadError(
                f"s3://{bucket}/{key} is not in the local artifact folder {self.root}"
            ) from None


def store_from_env(env: Mapping[str, str] | None = None, local: Path | None = None) -> Store | None:
    """The store `env` (default: os.environ) configures: a folder if ``FLOWTASKS_ARTIFACT_DIR``
    is set, else S3 if ``FLOWTASKS_ARTIFACT_BUCKET`` is, else a folder at `local` if given
    (local runs), else None (no offload)."""
    env = os.environ if env is None else env
    bucket = env.get(ENV_ARTIFACT_BUCKET) or ""
    folder = env.get(ENV_ARTIFACT_DIR)
    if folder:
        return FolderStore(Path(folder), bucket or LOCAL_BUCKET)
    if bucket:
        return S3Store(bucket)
    if local is not None:
        return FolderStore(local)
    return None


def key_prefix(flow: str, execution_arn: str, state: str) -> str:
    """``<flow>/<execution>/<state>/<unique id>``: where one attempt's payloads go."""
    execution = execution_arn.rsplit(":", 1)[-1] or "unknown-execution"
    parts = (flow, execution, state)
    return "/".join(_SAFE.sub("_", part) for part in parts) + f"/{uuid.uuid4().hex}"


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _size(value: Any) -> int:
    return len(_text(value).encode("utf-8"))


def is_ref(value: Any) -> bool:
    """True for a reference object."""
    return isinstance(value, dict) and isinstance(value.get(REF_KEY), str)


def _put(store: Store, key: str, value: Any) -> dict[str, Any]:
    data = _text(value).encode("utf-8")
    store.put(key, data)
    return {REF_KEY: f"s3://{store.bucket}/{key}", "bytes": len(data)}


def offload(result: Any, store: Store | None, prefix: str) -> Any:
    """`result` with its large parts in `store` under `prefix` (see the module docstring).

    Returns `result` itself when it fits inline or when there is no store.
    """
    size = _size(result)
    if store is None or size <= INLINE_BYTES:
        return result
    if isinstance(result, dict) and not is_ref(result):
        sizes = {key: _size(value) for key, value in result.items()}
        shrunk = dict(result)
        for number, key in enumerate(sorted(sizes, key=lambda k: (-sizes[k], k))):
            if size <= INLINE_BYTES:
                break
            if sizes[key] <= 2 * len(store.bucket) + len(prefix) + 64:
                break  # a reference would not be smaller than the field
            name = _SAFE.sub("_", key)[:64] or "field"
            ref = _put(store, f"{prefix}/{number:03d}-{name}.json", result[key])
            shrunk[key] = ref
            size -= sizes[key] - _size(ref)
        if size <= INLINE_BYTES:
            return shrunk
    return _put(store, f"{prefix}/result.json", result)


def resolve(value: Any, store: Store | None) -> Any:
    """`value` with every reference replaced by the JSON it points to (at any depth)."""
    if is_ref(value):
        if store is None:
            raise OffloadError(
                f"the input holds a reference ({value[REF_KEY]}) but no artifact store is "
                f"configured: set {ENV_ARTIFACT_BUCKET} (or {ENV_ARTIFACT_DIR} locally)"
            )
        uri = str(value[REF_KEY])
        if not uri.startswith("s3://") or "/" not in uri[5:]:
            raise OffloadError(f"bad reference {uri!r}: expected s3://bucket/key")
        bucket, key = uri[5:].split("/", 1)
        return resolve(json.loads(store.get(bucket, key)), store)
    if isinstance(value, dict):
        return {key: resolve(item, store) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, store) for item in value]
    return value
