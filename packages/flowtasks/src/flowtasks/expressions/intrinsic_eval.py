"""The implementations of the intrinsic functions, with their argument checks.

Each rule below comes from the AWS developer guide, "Intrinsic functions for JSONPath states in
Step Functions" (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
Where the guide says a non-integer "will be rounded off to the nearest integer", rounding is
Java's ``Math.round`` (half up), as Step Functions runs on the JVM.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flowtasks.limits import MAX_ARRAY_RANGE, MAX_ENCODING_INPUT

__all__ = [
    "FUNCTIONS",
    "FunctionSpec",
    "IntrinsicError",
    "format_pieces",
    "json_equal",
    "split_template",
]

_NUMBER_TYPES = (int, float)
"""The Python types of JSON numbers (bool, a subclass of int, is not one)."""

INT32_MIN, INT32_MAX = -2_147_483_648, 2_147_483_647
"""States.MathAdd: "integer values in the range of -2147483648 and 2147483647"."""
HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


class IntrinsicError(ValueError):
    """An argument is not acceptable; becomes States.IntrinsicFailure."""


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    min_args: int
    max_args: int | None
    implementation: Callable[[Sequence[Any]], Any]

    def check_arity(self, count: int) -> str | None:
        if count < self.min_args or (self.max_args is not None and count > self.max_args):
            if self.max_args is None:
                wanted = f"at least {self.min_args}"
            elif self.min_args == self.max_args:
                wanted = str(self.min_args)
            else:
                wanted = f"{self.min_args} to {self.max_args}"
            noun = "argument" if wanted == "1" else "arguments"
            return f"takes {wanted} {noun}, got {count}"
        return None


# ---------------------------------------------------------------------------------------------
# helpers


def _is_number(value: Any) -> bool:
    return type(value) in _NUMBER_TYPES


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values: numbers by value, booleans never equal numbers."""
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def _describe(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _integer(value: Any, what: str) -> int:
    if not _is_number(value) or not math.isfinite(value):
        raise IntrinsicError(f"{what} must be an integer, got {_describe(value)}")
    if isinstance(value, int):
        return value
    rounded: int = math.floor(float(value) + 0.5)  # Java Math.round
    return rounded


def _array(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise IntrinsicError(f"{what} must be an array, got {_describe(value)}")
    return value


def _string(value: Any, what: str, limit: int | None = None) -> str:
    if not isinstance(value, str):
        raise IntrinsicError(f"{what} must be a string, got {_describe(value)}")
    if limit is not None and len(value) > limit:
        raise IntrinsicError(f"{what} must be at most {limit} characters, got {len(value)}")
    return value


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise IntrinsicError(f"{what} must be a JSON object, got {_describe(value)}")
    return value


# ---------------------------------------------------------------------------------------------
# functions


def _format_text(value: Any) -> str:
    """How States.Format renders a value: strings as is, JSON scalars as JSON, containers
    Java-style (``[a, b]``, ``{k=v}``), as AWS prints them."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(_format_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_format_text(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    return json.dumps(value)  # floats as JSON writes them


def split_template(template: str, raw: str | None) -> list[str]:
    """The literal pieces around each ``{}`` placeholder (escaped braces are literal)."""
    if raw is None:
        return template.split("{}")
    pieces: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            current.append(raw[i + 1])
            i += 2
        elif raw.startswith("{}", i):
            pieces.append("".join(current))
            current = []
            i += 2
        else:
            current.append(ch)
            i += 1
    pieces.append("".join(current))
    return pieces


def format_pieces(pieces: Sequence[str], values: Sequence[Any]) -> str:
    """Join the template `pieces` with the rendered `values` (one fewer value than pieces)."""
    if len(pieces) - 1 != len(values):
        raise IntrinsicError(
            f"the template has {len(pieces) - 1} placeholder(s) '{{}}' "
            f"but {len(values)} value argument(s) were given"
        )
    out = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        out.append(_format_text(value))
        out.append(piece)
    return "".join(out)


def _format(args: Sequence[Any]) -> str:
    """States.Format with a template computed at run time (a path): ``{}`` are placeholders."""
    template = _string(args[0], "the first argument (the template)")
    return format_pieces(split_template(template, None), args[1:])


def _reject_constant(name: str) -> Any:
    raise IntrinsicError(f"{name} is not valid JSON")


def _string_to_json(args: Sequence[Any]) -> Any:
    text = _string(args[0], "the argument")
    if not text.strip():
        # AWS gives null for an empty or blank string (LocalStack's AWS-recorded
        # test_json_manipulation.py::test_string_to_json, inputs "" and " ").
        return None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise IntrinsicError(f"the argument is not valid JSON text: {exc}") from None


def _json_to_string(args: Sequence[Any]) -> str:
    return json.dumps(args[0], separators=(",", ":"), ensure_ascii=False)


def _array_fn(args: Sequence[Any]) -> list[Any]:
    return list(args)


def _array_partition(args: Sequence[Any]) -> list[list[Any]]:
    array = _array(args[0], "the first argument")
    size = _integer(args[1], "the chunk size")
    if size <= 0:
        raise IntrinsicError(f"the chunk size must be a positive integer, got {size}")
    return [array[i : i + size] for i in range(0, len(array), size)]


def _array_contains(args: Sequence[Any]) -> bool:
    array = _array(args[0], "the first argument")
    needle = args[1]
    return any(json_equal(item, needle) for item in array)


def _array_range(args: Sequence[Any]) -> list[int]:
    first = _integer(args[0], "the first argument (first element)")
    last = _integer(args[1], "the second argument (last element)")
    step = _integer(args[2], "the third argument (step)")
    if step == 0:
        raise IntrinsicError("the step (third argument) must not be 0")
    count = max(0, (last - first) // step + 1)
    if count > MAX_ARRAY_RANGE:
        raise IntrinsicError(
            f"the range would have {count} elements; at most {MAX_ARRAY_RANGE} are allowed"
        )
    return [first + i * step for i in range(count)]


def _array_get_item(args: Sequence[Any]) -> Any:
    array = _array(args[0], "the first argument")
    index = args[1]
    if not _is_number(index) or index != int(index):
        raise IntrinsicError(f"the index must be an integer, got {_describe(index)}")
    index = int(index)
    if not 0 <= index < len(array):
        raise IntrinsicError(f"the index {index} is out of bounds for an array of {len(array)}")
    return array[index]


def _array_length(args: Sequence[Any]) -> int:
    return len(_array(args[0], "the argument"))


def _array_unique(args: Sequence[Any]) -> list[Any]:
    array = _array(args[0], "the argument")
    out: list[Any] = []
    for item in array:
        if not any(json_equal(item, seen) for seen in out):
            out.append(item)
    return out


def _base64_encode(args: Sequence[Any]) -> str:
    text = _string(args[0], "the argument", MAX_ENCODING_INPUT)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _base64_decode(args: Sequence[Any]) -> str:
    text = _string(args[0], "the argument", MAX_ENCODING_INPUT)
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise IntrinsicError(f"the argument is not valid Base64 of UTF-8 text: {exc}") from None


def _hash(args: Sequence[Any]) -> str:
    data = _string(args[0], "the data (first argument)", MAX_ENCODING_INPUT)
    algorithm = args[1]
    if algorithm not in HASH_ALGORITHMS:
        raise IntrinsicError(
            f"the algorithm must be one of {', '.join(HASH_ALGORITHMS)}, got {_describe(algorithm)}"
        )
    return hashlib.new(HASH_ALGORITHMS[algorithm], data.encode("utf-8")).hexdigest()


def _json_merge(args: Sequence[Any]) -> dict[str, Any]:
    left = _object(args[0], "the first argument")
    right = _object(args[1], "the second argument")
    deep = args[2]
    if deep is not False:
        raise IntrinsicError(
            f"the third argument (deep merge) must be false: only shallow merging is "
            f"supported, got {_describe(deep)}"
        )
    return {**left, **right}


def _math_random(args: Sequence[Any]) -> int:
    start = _integer(args[0], "the start (first argument)")
    end = _integer(args[1], "the end (second argument)")
    if start >= end:
        raise IntrinsicError(f"the start ({start}) must be less than the end ({end})")
    if len(args) == 3:
        seed = _integer(args[2], "the seed (third argument)")
        return random.Random(seed).randrange(start, end)
    return random.randrange(start, end)


def _math_add(args: Sequence[Any]) -> int:
    a, b = args
    if (
        type(a) is int
        and type(b) is int
        and INT32_MIN <= a <= INT32_MAX
        and INT32_MIN <= b <= INT32_MAX
    ):
        return a + b
    total = 0
    for which, arg in (("first", a), ("second", b)):
        value = _integer(arg, f"the {which} argument")
        if not INT32_MIN <= value <= INT32_MAX:
            raise IntrinsicError(
                f"the {which} argument must be between {INT32_MIN} and {INT32_MAX}, got {value}"
            )
        total += value
    return total


def _string_split(args: Sequence[Any]) -> list[str]:
    text = _string(args[0], "the first argument")
    delimiters = _string(args[1], "the second argument (delimiting characters)")
    if not delimiters:
        return [text] if text else []
    parts: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch in delimiters:
            if current:
                parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if current:
        parts.append("".join(current))
    return parts


def _uuid(args: Sequence[Any]) -> str:
    return str(uuid.uuid4())


FUNCTIONS: dict[str, FunctionSpec] = {
    "States.Format": FunctionSpec(1, None, _format),
    "States.StringToJson": FunctionSpec(1, 1, _string_to_json),
    "States.JsonToString": FunctionSpec(1, 1, _json_to_string),
    "States.Array": FunctionSpec(0, None, _array_fn),
    "States.ArrayPartition": FunctionSpec(2, 2, _array_partition),
    "States.ArrayContains": FunctionSpec(2, 2, _array_contains),
    "States.ArrayRange": FunctionSpec(3, 3, _array_range),
    "States.ArrayGetItem": FunctionSpec(2, 2, _array_get_item),
    "States.ArrayLength": FunctionSpec(1, 1, _array_length),
    "States.ArrayUnique": FunctionSpec(1, 1, _array_unique),
    "States.Base64Encode": FunctionSpec(1, 1, _base64_encode),
    "States.Base64Decode": FunctionSpec(1, 1, _base64_decode),
    "States.Hash": FunctionSpec(2, 2, _hash),
    "States.JsonMerge": FunctionSpec(3, 3, _json_merge),
    "States.MathRandom": FunctionSpec(2, 3, _math_random),
    "States.MathAdd": FunctionSpec(2, 2, _math_add),
    "States.StringSplit": FunctionSpec(2, 2, _string_split),
    "States.UUID": FunctionSpec(0, 0, _uuid),
}
"""Every intrinsic function of the AWS guide, by its full name."""
