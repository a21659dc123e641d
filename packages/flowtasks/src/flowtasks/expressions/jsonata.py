"""JSONata expressions as Step Functions evaluates them, with the jsonata-python package.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html: in a JSONata
state, a string ``"{% expression %}"`` (at any depth of Arguments, Output, Assign, ...) is
evaluated with the reserved variable ``$states`` = ``{"input", "result", "errorOutput",
"context"}`` and the workflow variables (``$name``); any other value is a literal. A failed
evaluation is ``States.QueryEvaluationError``. The functions Step Functions adds to JSONata are
there too: ``$partition``, ``$range``, ``$hash``, ``$random``, ``$uuid``, ``$parse``. The package
is imported lazily.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure

__all__ = ["Evaluator", "compile_value", "expression_problem", "is_expression"]

Evaluator = Callable[[Mapping[str, Any], Mapping[str, Any]], Any]
"""evaluate(states, variables) -> JSON value."""


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def expression_problem(text: str) -> str | None:
    """Why the ``{% ... %}`` expression `text` does not parse, or None. AWS refuses such a
    definition when it is created (AWS's answers quoted in floci-io/floci issue 2745)."""
    import jsonata

    try:
        jsonata.Jsonata(text[2:-2].strip())
    except Exception as exc:  # jsonata.JException: a syntax error
        return str(exc)
    return None


_HASHES = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def _failure(message: str) -> StatesFailure:
    return StatesFailure(StatesErrorName.QUERY_EVALUATION_ERROR, message)


def _partition(array: Any, size: Any) -> list[Any]:
    if not isinstance(array, list) or not isinstance(size, int | float) or size < 1:
        raise _failure("$partition(array, chunkSize) needs an array and a positive chunk size")
    step = int(size)
    return [array[i : i + step] for i in range(0, len(array), step)]


def _range(first: Any, last: Any, step: Any = 1) -> Any:
    """A JSONata sequence: a single value stands alone, as AWS gives it ($range(1, 9, 9) is 1 in
    LocalStack's AWS-recorded test_array_jsonata.py::test_array_range; $partition keeps [[0]])."""
    if not all(isinstance(n, int | float) for n in (first, last, step)) or step == 0:
        raise _failure("$range(start, end, step) needs numbers and a non-zero step")
    values, current = [], first
    while (step > 0 and current <= last) or (step < 0 and current >= last):
        values.append(current)
        current += step
    return values[0] if len(values) == 1 else values


def _hash(data: Any, algorithm: Any) -> str:
    name = _HASHES.get(str(algorithm))
    if name is None or not isinstance(data, str):
        raise _failure(f"$hash(string, algorithm): algorithm one of {', '.join(_HASHES)}")
    return hashlib.new(name, data.encode("utf-8")).hexdigest()


def _random(seed: Any = None) -> float:
    return random.Random(seed).random() if seed is not None else random.random()


def _parse(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        raise _failure(f"$parse: not a JSON string: {exc}") from None


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "partition": _partition,
    "range": _range,
    "hash": _hash,
    "random": _random,
    "uuid": lambda: str(uuid.uuid4()),
    "parse": _parse,
}


def _expression(text: str, where: str) -> Evaluator:
    import jsonata

    source = text[2:-2].strip()
    try:
        compiled = jsonata.Jsonata(source)
    except Exception as exc:  # jsonata.JException: a syntax error
        message = f"{where}: invalid JSONata expression {source!r}: {exc}"

        def invalid(states: Mapping[str, Any], variables: Mapping[str, Any]) -> Any:
            raise StatesFailure(StatesErrorName.QUERY_EVALUATION_ERROR, message)

        return invalid
    for name, function in _FUNCTIONS.items():
        compiled.register_lambda(name, function)
    lock = threading.Lock()  # an expression object keeps per-evaluation state

    def evaluate(states: Mapping[str, Any], variables: Mapping[str, Any]) -> Any:
        bindings = {**variables, "states": states}
        try:
            with lock:
                return _plain(compiled.evaluate(None, bindings))
        except StatesFailure:
            raise
        except Exception as exc:
            raise StatesFailure(
                StatesErrorName.QUERY_EVALUATION_ERROR,
                f"{where}: the JSONata expression {source!r} failed: {exc}",
            ) from exc

    return evaluate


def _plain(value: Any) -> Any:
    """Turn jsonata-python's sequences and functions into plain JSON values."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise StatesFailure(
        StatesErrorName.QUERY_EVALUATION_ERROR,
        f"a JSONata expression returned {type(value).__name__}, which is not JSON",
    )


def compile_value(value: Any, where: str) -> Evaluator:
    """Compile a JSONata-mode field value: expressions anywhere inside, literals elsewhere."""
    if is_expression(value):
        return _expression(value, where)
    if isinstance(value, dict):
        fields = [(key, compile_value(item, f"{where}.{key}")) for key, item in value.items()]
        return lambda states, variables: {key: fn(states, variables) for key, fn in fields}
    if isinstance(value, list):
        items = [compile_value(item, f"{where}[{i}]") for i, item in enumerate(value)]
        return lambda states, variables: [fn(states, variables) for fn in items]
    return lambda states, variables: value
