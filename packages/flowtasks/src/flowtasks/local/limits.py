"""The JSON boundary and the payload size limit that Step Functions enforces.

Step Functions passes data between states as JSON text of at most 256 KiB (262,144 bytes of
UTF-8) per state input or output; a larger payload fails with ``States.DataLimitExceeded``
(https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html, "Maximum input or
output size for a task, state, or execution"). The engine serialises each payload once to
check its size and reuses that text for the history event.
"""

from __future__ import annotations

import json
from typing import Any

from flowtasks.asl.states_errors import StatesFailure

__all__ = ["MAX_PAYLOAD_BYTES", "checked_json", "dumps", "from_handler"]

MAX_PAYLOAD_BYTES = 262_144
_SAFE_CHARS = MAX_PAYLOAD_BYTES // 4  # at most 4 UTF-8 bytes per character

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def dumps(value: Any) -> str:
    """Compact JSON text of a JSON value (what the history shows)."""
    return _encode(value)


def checked_json(value: Any, what: str, state: str | None = None) -> str:
    """The JSON text of `value`; raises States.DataLimitExceeded beyond 256 KiB of UTF-8.

    `what` (and `state`, when given) name the payload in the error's cause.
    """
    text = _encode(value)
    if len(text) > _SAFE_CHARS:
        size = len(text.encode("utf-8"))
        if size > MAX_PAYLOAD_BYTES:
            raise StatesFailure(
                "States.DataLimitExceeded",
                f"The {what}{'' if state is None else f' {state!r}'} has a size of {size} bytes, "
                "which exceeds the maximum "
                f"of {MAX_PAYLOAD_BYTES} bytes.",
            )
    return text


def from_handler(result: Any) -> tuple[Any, str]:
    """A handler's result as it arrives after crossing the JSON boundary, with its JSON text.

    Uses the runner's own encoder (`flowtasks.runner.encode_result`), so a local handler and
    the container fail alike: ``TypeError`` for values JSON cannot carry (datetime, set, bytes,
    NaN, Infinity...). The engine reports that as the task's failure (Error ``TypeError``),
    exactly like a task that raised it. The value returned is a fresh copy.
    """
    from flowtasks.runner import encode_result

    text = encode_result(result)
    return json.loads(text), text
