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

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.limits import MAX_PAYLOAD_BYTES

__all__ = [
    "ResultTooLarge",
    "check_result_text",
    "check_text",
    "checked_json",
    "checked_output",
    "dumps",
    "from_handler",
    "result_too_large_cause",
]

_SAFE_CHARS = MAX_PAYLOAD_BYTES // 4  # at most 4 UTF-8 bytes per character

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def dumps(value: Any) -> str:
    """Compact JSON text of a JSON value (what the history shows)."""
    return _encode(value)


class ResultTooLarge(StatesFailure):
    """A Task's result over the limit: ``States.DataLimitExceeded`` reported as the task's
    failure, which a ``States.ALL`` catcher does catch, unlike an oversized state output.

    LocalStack's AWS-recorded ``test_states_errors.py::
    test_task_lambda_catch_state_all_data_limit_exceeded_on_large_utf8_response`` and
    ``test_service_task_lambada_catch_state_all_...``: LambdaFunctionFailed / TaskFailed with
    States.DataLimitExceeded, then the ``["States.ALL"]`` catcher's Next runs.
    """


def result_too_large_cause(name: str) -> str:
    """AWS's cause for a result over the limit (`name`: the task's resource, or the state)."""
    return (
        f"The state/task '{name}' returned a result with a size exceeding the maximum number "
        "of bytes service limit."
    )


def _too_large(text: str) -> bool:
    return len(text) > _SAFE_CHARS and len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES


def check_result_text(text: str, name: str) -> None:
    """Raise `ResultTooLarge` if a Task's result `text` (from `name`) passes 256 KiB."""
    if _too_large(text):
        raise ResultTooLarge(StatesErrorName.DATA_LIMIT_EXCEEDED, result_too_large_cause(name))


def check_text(text: str, what: str) -> None:
    """Raise States.DataLimitExceeded if the JSON `text` of `what` passes 256 KiB of UTF-8."""
    if _too_large(text):
        size = len(text.encode("utf-8"))
        raise StatesFailure(
            StatesErrorName.DATA_LIMIT_EXCEEDED,
            f"The {what} has a size of {size} bytes, "
            f"which exceeds the maximum of {MAX_PAYLOAD_BYTES} bytes.",
        )


def checked_json(value: Any, what: str, state: str | None = None) -> str:
    """The JSON text of `value`; raises States.DataLimitExceeded beyond 256 KiB of UTF-8.

    `what` (and `state`, when given) name the payload in the error's cause.
    """
    text = _encode(value)
    if _too_large(text):
        check_text(text, what if state is None else f"{what} {state!r}")
    return text


def checked_output(value: Any, state: str) -> str:
    """`checked_json` for the output of `state`, with AWS's cause (not caught by States.ALL:
    it fails the execution). LocalStack's AWS-recorded ``test_states_errors.py::
    test_start_large_input``: a Pass whose Result passes 256 KiB fails the execution with
    "The state/task 'State_1' returned a result with a size exceeding the maximum number of
    bytes service limit."
    """
    text = _encode(value)
    if _too_large(text):
        raise StatesFailure(StatesErrorName.DATA_LIMIT_EXCEEDED, result_too_large_cause(state))
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
