"""Structured JSON logs of the runner: one object a line on stdout, for CloudWatch Logs.

Every line carries ``time``, ``level``, ``event`` and the task's context (``flow``,
``execution``, ``state``, ``attempt``), plus what the event adds (``duration_ms``, ``error``...).
Secrets never appear: the runner logs no input, output, token or environment value, and every
text it does log (an error's cause, a message) goes through `redact`, which masks the values of
secret-looking environment variables (connections ``FLOWTASKS_CONN_*``, ``*PASSWORD*``,
``*SECRET*``, ``*TOKEN*``, ``*KEY*``) and the password of any ``scheme://user:password@`` URI.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, TextIO

__all__ = ["Logger", "redact", "secret_values"]

_SECRET_NAME = re.compile(r"^FLOWTASKS_CONN_|PASSWORD|SECRET|TOKEN|CREDENTIAL|_KEY$")
_URI_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@")
_MASK = "***"
_MIN_SECRET = 4  # shorter values would mask ordinary words


def secret_values(env: Mapping[str, str]) -> list[str]:
    """The values of `env`'s secret-looking variables, longest first (masked before parts)."""
    values = {
        value
        for name, value in env.items()
        if _SECRET_NAME.search(name.upper()) and len(value) >= _MIN_SECRET
    }
    return sorted(values, key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    """`text` with every secret value and URI password replaced by ``***``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, _MASK)
    return _URI_PASSWORD.sub(lambda m: m.group("head") + _MASK + "@", text)


class Logger:
    """Writes JSON log lines with a fixed context; thread-safe (heartbeats log from a thread)."""

    def __init__(
        self,
        context: Mapping[str, Any] | None = None,
        stream: TextIO | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.context: dict[str, Any] = dict(context or {})
        self._stream = stream
        self._secrets = secret_values(os.environ if env is None else env)
        self._lock = threading.Lock()

    def redact(self, text: str) -> str:
        """`text` with the secrets of this logger's environment masked (see `redact`)."""
        return redact(text, self._secrets)

    def bind(self, **fields: Any) -> None:
        """Add fields to every later line (e.g. ``attempt`` once the history is read)."""
        self.context.update(fields)

    def __call__(self, event: str, level: str = "INFO", **fields: Any) -> None:
        """Write one line: ``{"time", "level", "event", <context>, <fields>}``."""
        record: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
            + f".{int(time.time() * 1000) % 1000:03d}Z",
            "level": level,
            "event": event,
            **self.context,
        }
        for key, value in fields.items():
            record[key] = redact(value, self._secrets) if isinstance(value, str) else value
        line = json.dumps(record, ensure_ascii=False, default=str)
        stream = self._stream or sys.stdout
        with self._lock:
            stream.write(line + "\n")
            stream.flush()
