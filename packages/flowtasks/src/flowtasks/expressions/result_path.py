"""ResultPath: placing a state's result into (a copy of) its input.

Semantics of the AWS developer guide, "ResultPath"
(https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html) and the
ASL spec ("ResultPath"): ``$`` replaces, ``null`` discards, a deeper path inserts or overwrites,
creating the intervening objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.expressions.jsonpath_parser import PathSyntaxError, parse_path

__all__ = ["compile_result_path"]

Writer = Callable[[Any, Any], Any]


def _to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=1024)
def compile_result_path(path: str | None) -> Writer:
    """Compile a ResultPath into ``writer(state_input, result) -> output``; cached.

    ``None`` (JSON null) discards the result and returns the input; ``$`` returns the result.
    Otherwise the result is placed at the path in a copy of the input: only the objects along
    the path are copied (the input is never mutated), missing objects are created, and an
    existing array element may be replaced by index. Raises `PathSyntaxError` for a path that
    is not a Reference Path on ``$``. The writer raises `StatesFailure`:

    - ``States.ResultPathMatchFailure`` when the input is not an object, with AWS's cause
      ``Unable to apply ReferencePath $.x to input <input JSON>`` (aws/aws-cdk issue 29473);
    - ``States.ReferencePathConflict`` when a node along the path is not an object (or an index
      is out of range), cause ``Unable to apply step "x" to input <input JSON>``, as AWS reports
      it (cdklabs/construct-hub PR 459; localstack issue 1854).
    """
    if path is None:
        return lambda state_input, result: state_input
    parsed = parse_path(path)
    if parsed.root != "$" or not parsed.definite:
        raise PathSyntaxError(
            f"ResultPath {path!r} must be a Reference Path on '$' (single node, no '$$')"
        )
    keys = parsed.keys()
    if not keys:
        return lambda state_input, result: result

    def not_an_object(state_input: Any) -> StatesFailure:
        return StatesFailure(
            StatesErrorName.RESULT_PATH_MATCH_FAILURE,
            f"Unable to apply ReferencePath {path} to input {_to_json(state_input)}",
        )

    def conflict(step: str | int, state_input: Any) -> StatesFailure:
        name = step if isinstance(step, str) else f"[{step}]"
        return StatesFailure(
            StatesErrorName.REFERENCE_PATH_CONFLICT,
            f'Unable to apply step "{name}" to input {_to_json(state_input)}',
        )

    if len(keys) == 1 and isinstance(keys[0], str):
        (only,) = keys

        def write_top(state_input: Any, result: Any) -> Any:
            if type(state_input) is not dict:
                raise not_an_object(state_input)
            out = state_input.copy()
            out[only] = result
            return out

        return write_top

    last = len(keys) - 1

    def write(state_input: Any, result: Any) -> Any:
        if type(state_input) is not dict:
            raise not_an_object(state_input)
        top = state_input.copy()
        node: Any = top
        for i, key in enumerate(keys):
            if isinstance(key, str):
                if type(node) is not dict:
                    raise conflict(key, state_input)
                child: Any = {} if i < last and key not in node else node.get(key)
            else:
                if type(node) is not list or not -len(node) <= key < len(node):
                    raise conflict(key, state_input)
                child = node[key]
            if i == last:
                node[key] = result
                break
            if type(child) in (dict, list):
                child = child.copy()
            else:
                raise conflict(keys[i + 1], state_input)
            node[key] = child
            node = child
        return top

    return write
