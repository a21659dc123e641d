"""A domain's deployment environments, read from its checked-in ``environments.toml``.

The file sits at the domain's root (``domains/demo-flows/environments.toml``), one table per
environment::

    [dev]
    account = "111111111111"              # 12 digits
    region = "eu-west-1"
    cluster = "data-dev"                  # ECS cluster name or ARN
    subnets = ["subnet-0a1b...", "subnet-0c2d..."]   # at least one
    security_groups = ["sg-0a1b..."]      # at least one
    artifact_bucket = "acme-flows-artifacts-dev"     # payload offload, templates
    log_retention_days = 14               # a CloudWatch Logs retention value
    cpu = 512                             # optional: the task definition's size
    memory = 1024                         # optional

    [dev.connections]                     # connection NAME -> Secrets Manager secret name
    warehouse = "flows/dev/warehouse"     # becomes FLOWTASKS_CONN_WAREHOUSE in the container

    [dev.tags]                            # optional: tags on every resource of the stack
    team = "data-platform"

Every problem is an `EnvironmentError` naming the file and the key (``[dev].subnets``) and
what to write instead; nothing is deployed from a file with a problem.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowtasks.errors import UsageError

__all__ = [
    "FILE_NAME",
    "LOG_RETENTION_DAYS",
    "Environment",
    "EnvironmentFileError",
    "environment",
    "environments_file",
    "load_environments",
]

FILE_NAME = "environments.toml"

LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
"""The retention periods CloudWatch Logs accepts (AWS::Logs::LogGroup RetentionInDays)."""

# Fargate's valid (cpu, memory) pairs, memory in MiB (ECS developer guide, "Task size").
_FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}

_ENV_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_CLUSTER = re.compile(r"^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster/)?[A-Za-z0-9_-]{1,255}$")
_SUBNET = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SECURITY_GROUP = re.compile(r"^sg-[0-9a-f]{8,17}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_CONNECTION = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_SECRET = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
_TAG_KEY = re.compile(r"^[A-Za-z0-9 _.:/=+@-]{1,128}$")

_KEYS = {
    "account",
    "region",
    "cluster",
    "subnets",
    "security_groups",
    "artifact_bucket",
    "log_retention_days",
    "cpu",
    "memory",
    "connections",
    "tags",
}


class EnvironmentFileError(UsageError):
    """An environments file is missing, unreadable, or has a missing or invalid setting.

    `path` is the file, `key` the setting (``[dev].subnets``) or None for the whole file.
    """

    def __init__(self, path: Path, key: str | None, message: str) -> None:
        self.path = path
        self.key = key
        where = f"{path}" + (f": {key}" if key else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Environment:
    """One deployment target of a domain: where its stack goes and what it uses there."""

    name: str
    account: str
    region: str
    cluster: str
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    artifact_bucket: str
    log_retention_days: int
    cpu: int = 512
    memory: int = 1024
    connections: dict[str, str] = field(default_factory=dict)
    """Connection name (upper-cased in FLOWTASKS_CONN_<NAME>) -> Secrets Manager secret name."""
    tags: dict[str, str] = field(default_factory=dict)
    source: Path = field(default=Path(FILE_NAME), compare=False)

    @property
    def cluster_arn(self) -> str:
        """The ECS cluster's ARN (built from account and region when a name is given)."""
        if self.cluster.startswith("arn:"):
            return self.cluster
        return f"arn:aws:ecs:{self.region}:{self.account}:cluster/{self.cluster}"

    def secret_arn_pattern(self, secret: str) -> str:
        """The ARN of secret `secret` for IAM: Secrets Manager appends ``-`` and 6 characters."""
        return f"arn:aws:secretsmanager:{self.region}:{self.account}:secret:{secret}-??????"


def environments_file(module_file: str | Path) -> Path:
    """The ``environments.toml`` of the domain whose flows module is `module_file`: the nearest
    one walking up from its folder to the domain's root (the folder with pyproject.toml)."""
    folder = Path(module_file).resolve().parent
    for candidate in (folder, *folder.parents):
        path = candidate / FILE_NAME
        if path.is_file():
            return path
        if (candidate / "pyproject.toml").is_file():
            return path
    return folder / FILE_NAME


def load_environments(path: Path) -> dict[str, Environment]:
    """Every environment of the file at `path`, by name. Raises `EnvironmentFileError`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EnvironmentFileError(
            path,
            None,
            f"no such file: create {FILE_NAME} at the domain's root with one [ENV] table per "
            "environment (see docs/deploying-to-aws.md)",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvironmentFileError(path, None, f"cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise EnvironmentFileError(path, None, f"is not valid TOML: {exc}") from None
    if not data:
        raise EnvironmentFileError(path, None, "declares no environment; add a [dev] table")
    return {name: _environment(path, name, table) for name, table in data.items()}


def environment(path: Path, name: str) -> Environment:
    """Environment `name` of the file at `path`; an unknown name lists the known ones."""
    found = load_environments(path)
    if name not in found:
        raise EnvironmentFileError(
            path,
            None,
            f"unknown environment {name!r}; this domain declares: {', '.join(sorted(found))}",
        )
    return found[name]


class _Reader:
    def __init__(self, path: Path, env: str, table: dict[str, Any]) -> None:
        self.path, self.env, self.table = path, env, table

    def fail(self, key: str, message: str) -> EnvironmentFileError:
        return EnvironmentFileError(self.path, f"[{self.env}].{key}", message)

    def get(self, key: str, default: Any = ...) -> Any:
        if key not in self.table:
            if default is ...:
                raise self.fail(key, "missing; every environment needs it")
            return default
        return self.table[key]

    def text(self, key: str, pattern: re.Pattern[str], example: str) -> str:
        value = self.get(key)
        if not isinstance(value, str) or not pattern.match(value):
            raise self.fail(key, f"{value!r} is not valid; write e.g. {example!r}")
        return value

    def texts(self, key: str, pattern: re.Pattern[str], example: str) -> tuple[str, ...]:
        value = self.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(key, f"must be a non-empty list, e.g. [{example!r}]")
        for index, item in enumerate(value):
            if not isinstance(item, str) or not pattern.match(item):
                raise self.fail(f"{key}[{index}]", f"{item!r} is not valid; write e.g. {example!r}")
        if len(set(value)) != len(value):
            raise self.fail(key, "lists the same value twice")
        return tuple(value)

    def number(self, key: str, default: Any = ...) -> int:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"{value!r} must be a whole number")
        return value

    def mapping(self, key: str, keys: re.Pattern[str], values: re.Pattern[str]) -> dict[str, str]:
        value = self.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table ([{self.env}.{key}])")
        for name, item in value.items():
            if not keys.match(name):
                raise self.fail(f"{key}.{name}", "is not a valid name")
            if not isinstance(item, str) or not values.match(item):
                raise self.fail(f"{key}.{name}", f"{item!r} is not a valid value")
        return dict(value)


def _environment(path: Path, name: str, table: Any) -> Environment:
    if not _ENV_NAME.match(name):
        raise EnvironmentFileError(
            path, f"[{name}]", "environment names are 1-16 lower-case letters, digits or '-'"
        )
    if not isinstance(table, dict):
        raise EnvironmentFileError(path, name, f"must be a table ([{name}]), not a value")
    read = _Reader(path, name, table)
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise read.fail(unknown[0], f"is not a setting; known settings: {', '.join(sorted(_KEYS))}")
    retention = read.number("log_retention_days")
    if retention not in LOG_RETENTION_DAYS:
        raise read.fail(
            "log_retention_days",
            f"{retention} is not a CloudWatch Logs retention; use one of "
            + ", ".join(map(str, LOG_RETENTION_DAYS)),
        )
    cpu = read.number("cpu", 512)
    memory = read.number("memory", 1024)
    if cpu not in _FARGATE_MEMORY:
        raise read.fail(
            "cpu", f"{cpu} is not a Fargate CPU size; use one of {list(_FARGATE_MEMORY)}"
        )
    if memory not in _FARGATE_MEMORY[cpu]:
        sizes = _FARGATE_MEMORY[cpu]
        raise read.fail(
            "memory", f"{memory} MiB does not go with cpu {cpu}; use {sizes[0]}..{sizes[-1]}"
        )
    connections = read.mapping("connections", _CONNECTION, _SECRET)
    upper = [c.upper() for c in connections]
    if len(set(upper)) != len(upper):
        raise read.fail("connections", "two connections differ only in case")
    return Environment(
        name=name,
        account=read.text("account", _ACCOUNT, "111111111111"),
        region=read.text("region", _REGION, "eu-west-1"),
        cluster=read.text("cluster", _CLUSTER, "data-dev"),
        subnets=read.texts("subnets", _SUBNET, "subnet-0a1b2c3d4e5f60001"),
        security_groups=read.texts("security_groups", _SECURITY_GROUP, "sg-0a1b2c3d4e5f60001"),
        artifact_bucket=read.text("artifact_bucket", _BUCKET, "acme-flows-artifacts-dev"),
        log_retention_days=retention,
        cpu=cpu,
        memory=memory,
        connections=connections,
        tags=read.mapping("tags", _TAG_KEY, re.compile(r"^.{0,256}$")),
        source=path,
    )
