"""Named connections to external systems, resolved from ``FLOWTASKS_CONN_<NAME>``.

A connection named ``vendor`` is read from the environment variable ``FLOWTASKS_CONN_VENDOR``
(the name upper-cased, ``-`` and ``.`` becoming ``_``). Locally you export it; in AWS the ECS task
definition fills the same variable from Secrets Manager, so task code reads the environment in
both places. The value is a URI, spelled as libpq and Airflow users know it::

    sftp://user[:password]@host[:port][?key_file=PATH&known_hosts=PATH&...]
    redshift://user[:password]@host[:port]/database[?sslmode=disable&iam=true&...]

or a JSON object with the same keys (``{"type": "sftp", "host": ..., "user": ...}``; Airflow's
``conn_type`` / ``login`` / ``schema`` / ``extra`` spellings are accepted too). Percent-encode
reserved characters in URIs (a PEM key's newlines are ``%0A``).

SFTP query keys: ``key_file`` (path) or ``private_key`` (inline PEM), ``private_key_passphrase``,
``known_hosts`` (path) or ``host_key`` (inline known_hosts lines, or ``<type> <base64>``),
``no_host_key_check=true`` (explicit opt-out, logged as a warning), ``timeout`` (seconds).

Redshift query keys: ``sslmode`` (libpq's values: ``disable``, ``allow``, ``prefer``, ``require``,
``verify-ca``, ``verify-full``), ``timeout``, ``application_name``, and the driver's IAM options
(``iam``, ``cluster_identifier``, ``db_user``, ``db_groups``, ``auto_create``, ``region``,
``profile``, ``access_key_id``, ``secret_access_key``, ``session_token``, ``serverless_work_group``,
``serverless_acct_id``, ``is_serverless``).

Secrets (passwords, private keys and their passphrases, IAM secret keys) are held as `Secret`,
which prints as ``'***'``: reprs, logs and exceptions never show them. A missing or malformed
connection raises `ConnectionConfigError`: one line naming the variable and what to change,
never its value. S3 needs no connection: boto3's own configuration applies (credential chain,
``AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias
from urllib.parse import parse_qsl, unquote, urlsplit

from flowtasks.errors import FlowtasksError

__all__ = [
    "ENV_PREFIX",
    "Connection",
    "ConnectionConfigError",
    "RedshiftConnection",
    "Secret",
    "SftpConnection",
    "env_name",
    "get",
    "get_redshift",
    "get_sftp",
    "parse",
]

ENV_PREFIX: Final = "FLOWTASKS_CONN_"
"""A connection named ``vendor`` lives in ``FLOWTASKS_CONN_VENDOR``."""

SFTP_DEFAULT_PORT: Final = 22
REDSHIFT_DEFAULT_PORT: Final = 5439
SSLMODES: Final = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
"""libpq's sslmode values (https://www.postgresql.org/docs/current/libpq-ssl.html)."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ConnectionConfigError(FlowtasksError):
    """A connection is missing or malformed. `variable` names the environment variable.

    The message names the variable and what to change; it never contains the value.
    """

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable}: {message}")
        self.variable = variable


class Secret:
    """A secret string that never shows itself: ``repr`` and ``str`` give ``'***'``.

    Call `reveal` at the one place the value is handed to a driver.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret value itself."""
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))


@dataclass(frozen=True)
class SftpConnection:
    """An SFTP server. Exactly one way to verify its host key must be given (see the module doc).

    `key_file` / `known_hosts` are paths read when connecting; `private_key` / `host_key` are the
    inline contents. `no_host_key_check` turns verification off (a warning is logged).
    """

    name: str
    host: str
    username: str
    port: int = SFTP_DEFAULT_PORT
    password: Secret | None = None
    key_file: str | None = None
    private_key: Secret | None = None
    private_key_passphrase: Secret | None = None
    known_hosts: str | None = None
    host_key: str | None = None
    no_host_key_check: bool = False
    timeout: float = 30.0

    kind: Literal["sftp"] = field(default="sftp", init=False)


@dataclass(frozen=True)
class RedshiftConnection:
    """A Redshift cluster (or a PostgreSQL stand-in). `options` holds the other query keys.

    `driver_kwargs` gives the keyword arguments for ``redshift_connector.connect``.
    """

    name: str
    host: str
    database: str
    user: str
    port: int = REDSHIFT_DEFAULT_PORT
    password: Secret | None = None
    sslmode: str | None = None
    options: Mapping[str, str | Secret] = field(default_factory=dict)

    kind: Literal["redshift"] = field(default="redshift", init=False)

    def driver_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``redshift_connector.connect`` (secrets revealed here only).

        ``sslmode=disable`` becomes ``ssl=False``; other sslmodes set ``ssl=True`` and pass
        ``sslmode`` on (the driver knows ``verify-ca`` / ``verify-full``; ``allow`` / ``prefer`` /
        ``require`` map to ``verify-ca``, its weakest verifying mode). Booleans and numbers among
        the IAM options are converted.
        """
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "database": self.database,
            "user": self.user,
        }
        if self.password is not None:
            kwargs["password"] = self.password.reveal()
        if self.sslmode == "disable":
            kwargs["ssl"] = False
        elif self.sslmode is not None:
            kwargs["ssl"] = True
            kwargs["sslmode"] = self.sslmode if self.sslmode.startswith("verify") else "verify-ca"
        for key, value in self.options.items():
            raw = value.reveal() if isinstance(value, Secret) else value
            if key in _REDSHIFT_BOOL_KEYS:
                kwargs[key] = raw.lower() in ("1", "true", "yes", "on")
            elif key == "timeout":
                kwargs[key] = int(float(raw))
            elif key == "db_groups":
                kwargs[key] = [g for g in raw.split(",") if g]
            else:
                kwargs[key] = raw
        return kwargs


Connection: TypeAlias = SftpConnection | RedshiftConnection

_SFTP_KEYS = frozenset(
    {
        "key_file",
        "private_key",
        "private_key_passphrase",
        "known_hosts",
        "host_key",
        "no_host_key_check",
        "timeout",
    }
)
_REDSHIFT_BOOL_KEYS = frozenset({"iam", "auto_create", "is_serverless"})
_REDSHIFT_KEYS = frozenset(
    {
        "sslmode",
        "timeout",
        "application_name",
        "cluster_identifier",
        "db_user",
        "db_groups",
        "region",
        "profile",
        "access_key_id",
        "secret_access_key",
        "session_token",
        "serverless_work_group",
        "serverless_acct_id",
    }
    | _REDSHIFT_BOOL_KEYS
)
_SECRET_KEYS = frozenset(
    {"password", "private_key", "private_key_passphrase", "secret_access_key", "session_token"}
)
_SCHEMES = {"sftp": "sftp", "ssh": "sftp", "redshift": "redshift", "postgres": "redshift"}
_SCHEMES |= {"postgresql": "redshift"}


def env_name(name: str) -> str:
    """The variable holding connection `name`: ``vendor-a`` -> ``FLOWTASKS_CONN_VENDOR_A``.

    Raises ValueError for a name that cannot become a variable name.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"connection name {name!r} must start with a letter or digit and hold only "
            "letters, digits, '_', '-' and '.'"
        )
    return ENV_PREFIX + re.sub(r"[.-]", "_", name).upper()


def get(name: str, environ: Mapping[str, str] | None = None) -> Connection:
    """The connection called `name`, from ``FLOWTASKS_CONN_<NAME>`` in `environ` (default:
    ``os.environ``). Raises ConnectionConfigError when it is missing or malformed."""
    variable = env_name(name)
    value = (os.environ if environ is None else environ).get(variable)
    if value is None or not value.strip():
        raise ConnectionConfigError(
            variable,
            f"connection {name!r} is not configured: set {variable} to a URI such as "
            "sftp://user@host:22?known_hosts=PATH or redshift://user:password@host:5439/db "
            "(or a JSON object)",
        )
    return parse(value, name=name, variable=variable)


def get_sftp(
    name: str | SftpConnection, environ: Mapping[str, str] | None = None
) -> SftpConnection:
    """`get`, insisting on an SFTP connection (a connection object is returned as is)."""
    conn: SftpConnection = _typed(name, SftpConnection, "sftp", environ)
    return conn


def get_redshift(
    name: str | RedshiftConnection, environ: Mapping[str, str] | None = None
) -> RedshiftConnection:
    """`get`, insisting on a Redshift connection (a connection object is returned as is)."""
    conn: RedshiftConnection = _typed(name, RedshiftConnection, "redshift", environ)
    return conn


def _typed(name: Any, cls: type[Any], kind: str, environ: Mapping[str, str] | None) -> Any:
    if isinstance(name, cls):
        return name
    conn = get(name, environ)
    if not isinstance(conn, cls):
        raise ConnectionConfigError(
            env_name(name), f"connection {name!r} is a {conn.kind} connection, not {kind}"
        )
    return conn


def parse(value: str, *, name: str = "connection", variable: str | None = None) -> Connection:
    """A connection from its URI or JSON text. `variable` names it in errors (default: derived
    from `name`). Raises ConnectionConfigError; the message never contains `value`."""
    variable = variable or env_name(name)
    text = value.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            raise ConnectionConfigError(
                variable, "is not valid JSON (a JSON connection starts with '{')"
            ) from None
        if not isinstance(data, dict):
            raise ConnectionConfigError(variable, "must be a JSON object")
        return _from_mapping(data, name, variable)
    return _from_uri(text, name, variable)


def _from_uri(text: str, name: str, variable: str) -> Connection:
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme not in _SCHEMES:
        raise ConnectionConfigError(
            variable,
            "must be a URI starting with sftp:// or redshift:// (or a JSON object); "
            f"got scheme {scheme or '(none)'!r}",
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ConnectionConfigError(variable, "has a malformed host or port") from None
    query: dict[str, str] = {}
    for key, item in parse_qsl(parts.query, keep_blank_values=True):
        if key in query:
            raise ConnectionConfigError(variable, f"query key {key!r} is given twice")
        query[key] = item
    data: dict[str, Any] = {"type": _SCHEMES[scheme], **query}
    data["host"] = parts.hostname or ""
    if port is not None:
        data["port"] = port
    if parts.username is not None:
        data["user"] = unquote(parts.username)
    if parts.password is not None:
        if "password" in query:
            raise ConnectionConfigError(variable, "gives a password both in the URI and as a key")
        data["password"] = unquote(parts.password)
    path = unquote(parts.path.lstrip("/"))
    if path:
        data["database"] = path
    return _from_mapping(data, name, variable)


def _from_mapping(raw: Mapping[str, Any], name: str, variable: str) -> Connection:
    data = dict(raw)
    extra = data.pop("extra", None)
    if isinstance(extra, str) and extra.strip():
        try:
            extra = json.loads(extra)
        except ValueError:
            raise ConnectionConfigError(variable, "'extra' is not a JSON object") from None
    if extra:
        if not isinstance(extra, dict):
            raise ConnectionConfigError(variable, "'extra' must be an object")
        for key, item in extra.items():
            data.setdefault(key, item)
    kind = str(data.pop("type", data.pop("conn_type", "")) or "").lower()
    kind = _SCHEMES.get(kind, kind)
    for alias, canonical in (("login", "user"), ("username", "user"), ("schema", "database")):
        if alias in data:
            data.setdefault(canonical, data.pop(alias))
    for key, item in list(data.items()):
        if item is None:
            del data[key]
        elif not isinstance(item, str | int | float | bool):
            raise ConnectionConfigError(variable, f"key {key!r} must be a string, number or bool")
    if kind == "sftp":
        return _sftp(data, name, variable)
    if kind == "redshift":
        return _redshift(data, name, variable)
    raise ConnectionConfigError(
        variable, 'needs "type": "sftp" or "redshift" (or a URI with that scheme)'
    )


def _require(data: dict[str, Any], key: str, variable: str, hint: str) -> str:
    value = data.pop(key, "")
    if not isinstance(value, str) or not value:
        raise ConnectionConfigError(variable, f"needs {key} ({hint})")
    return value


def _port(data: dict[str, Any], default: int, variable: str) -> int:
    value = data.pop("port", default)
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ConnectionConfigError(variable, "port must be a number") from None
    if isinstance(value, bool) or not 0 < port < 65536:
        raise ConnectionConfigError(variable, "port must be between 1 and 65535")
    return port


def _bool(value: Any, key: str, variable: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConnectionConfigError(variable, f"{key} must be true or false")


def _timeout(value: Any, variable: str) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ConnectionConfigError(variable, "timeout must be a number of seconds") from None
    if not seconds > 0:
        raise ConnectionConfigError(variable, "timeout must be positive")
    return seconds


def _secret(data: dict[str, Any], key: str) -> Secret | None:
    value = data.pop(key, None)
    return None if value is None or value == "" else Secret(str(value))


def _unknown(data: Mapping[str, Any], allowed: frozenset[str], kind: str, variable: str) -> None:
    if data:
        unknown = ", ".join(sorted(data))
        raise ConnectionConfigError(
            variable,
            f"unknown {kind} key(s): {unknown}; known: {', '.join(sorted(allowed))}",
        )


def _sftp(data: dict[str, Any], name: str, variable: str) -> SftpConnection:
    data.pop("database", None)  # sftp://host/ may carry a trailing slash: nothing to keep
    host = _require(data, "host", variable, "sftp://user@HOST:22")
    username = _require(data, "user", variable, "sftp://USER@host:22")
    conn = SftpConnection(
        name=name,
        host=host,
        username=username,
        port=_port(data, SFTP_DEFAULT_PORT, variable),
        password=_secret(data, "password"),
        private_key=_secret(data, "private_key"),
        private_key_passphrase=_secret(data, "private_key_passphrase"),
        key_file=str(data.pop("key_file")) if data.get("key_file") else None,
        known_hosts=str(data.pop("known_hosts")) if data.get("known_hosts") else None,
        host_key=str(data.pop("host_key")) if data.get("host_key") else None,
        no_host_key_check=_bool(
            data.pop("no_host_key_check", False), "no_host_key_check", variable
        ),
        timeout=_timeout(data.pop("timeout", 30), variable),
    )
    for key in ("key_file", "known_hosts", "host_key"):
        data.pop(key, None)  # blank values
    _unknown(data, _SFTP_KEYS, "sftp", variable)
    if conn.key_file and conn.private_key:
        raise ConnectionConfigError(variable, "give key_file or private_key, not both")
    if conn.known_hosts and conn.host_key:
        raise ConnectionConfigError(variable, "give known_hosts or host_key, not both")
    if conn.no_host_key_check and (conn.known_hosts or conn.host_key):
        raise ConnectionConfigError(
            variable, "no_host_key_check=true contradicts known_hosts / host_key: drop one"
        )
    return conn


def _redshift(data: dict[str, Any], name: str, variable: str) -> RedshiftConnection:
    host = _require(data, "host", variable, "redshift://user@HOST:5439/db")
    user = _require(data, "user", variable, "redshift://USER@host:5439/db")
    database = _require(data, "database", variable, "redshift://user@host:5439/DATABASE")
    port = _port(data, REDSHIFT_DEFAULT_PORT, variable)
    password = _secret(data, "password")
    sslmode = data.pop("sslmode", None)
    if sslmode is not None and sslmode not in SSLMODES:
        raise ConnectionConfigError(variable, f"sslmode must be one of {', '.join(SSLMODES)}")
    unknown = {k: v for k, v in data.items() if k not in _REDSHIFT_KEYS}
    _unknown(unknown, _REDSHIFT_KEYS, "redshift", variable)
    options: dict[str, str | Secret] = {}
    for key, value in sorted(data.items()):
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if key in _REDSHIFT_BOOL_KEYS:
            _bool(text, key, variable)
        if key == "timeout":
            _timeout(text, variable)
        options[key] = Secret(text) if key in _SECRET_KEYS else text
    return RedshiftConnection(
        name=name,
        host=host,
        database=database,
        user=user,
        port=port,
        password=password,
        sslmode=sslmode,
        options=options,
    )
