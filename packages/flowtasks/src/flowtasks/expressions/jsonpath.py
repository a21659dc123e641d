"""JSONPath as Step Functions supports it, compiled once into plain Python closures.

Step Functions evaluates paths with Jayway JsonPath semantics (AWS developer guide, "Using
JSONPath paths"; ASL spec, "Paths"): ``$`` is the state's data, ``$$`` the context object; dot
and bracket notation, array indexes (negative ones count from the end), slices, unions, the
wildcards ``.*`` / ``[*]``, filters ``[?(...)]`` and the deep scan ``..``.

A *definite* path (only names and indexes) selects one value and fails with `PathNotFound` when
nothing is there. An *indefinite* path (wildcard, slice, union, filter, deep scan) always
returns a list of what it matched, possibly empty, in document order.

`compile_path` caches and returns ``reader(data, context)``; simple definite paths become a
closure doing nothing but subscripting. `compile_result_path` returns the ResultPath writer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flowtasks.expressions.jsonpath_parser import (
    Deep,
    Field,
    Filter,
    Index,
    ParsedPath,
    PathSyntaxError,
    Segment,
    Slice,
    Union,
    Wild,
    normalized,
    parse_path,
)
from flowtasks.expressions.result_path import compile_result_path

__all__ = [
    "ContextObject",
    "PathNotFound",
    "PathSyntaxError",
    "check_path",
    "compile_path",
    "compile_result_path",
    "is_path",
]

Reader = Callable[[Any, Any], Any]


class PathNotFound(LookupError):
    """The path selects nothing in the data. `path` is the path as written; str() says where.

    The message follows Jayway's wording, which AWS quotes in its causes:
    ``No results for path: $['a']['b']`` or ``Missing property in path $['a']``.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


def is_path(text: object) -> bool:
    """True if `text` is a string that looks like a JSONPath (starts with ``$``)."""
    return isinstance(text, str) and text.startswith("$")


def check_path(path: str, *, reference: bool = False) -> str | None:
    """Return None if `path` is a valid path, else a human message saying what is wrong.

    ``reference=True`` checks a Reference Path (ResultPath, ItemsPath, ...): per the ASL spec it
    must identify a single node, so wildcards, filters, slices, unions and deep scan are refused.
    """
    try:
        parsed = parse_path(path)
    except PathSyntaxError as exc:
        return str(exc)
    if reference and not parsed.definite:
        return (
            f"{path!r} is not a valid Reference Path: it must select a single node "
            "(no wildcards, filters, slices, unions, '..' or functions)"
        )
    return None


@lru_cache(maxsize=4096)
def compile_path(path: str) -> Reader:
    """Compile `path` into ``reader(data, context) -> value``; cached per path text.

    Raises `PathSyntaxError` (a ValueError) for an invalid path. The reader raises
    `PathNotFound` when a definite path selects nothing; indefinite paths return a list.
    """
    parsed = parse_path(path)
    if parsed.root not in ("$", "$$"):
        return _variable_reader(path, parsed)
    segments = parsed.segments
    use_context = parsed.root == "$$"
    if use_context and not segments and parsed.function is None:
        return _read_whole_context
    if all(isinstance(s, Field | Index) for s in segments):
        reader = _definite_reader(path, segments, use_context)
    else:
        reader = _indefinite_reader(segments, use_context)
    if parsed.function is None:
        return reader
    return _with_function(path, reader, parsed.function)


def _read_whole_context(data: Any, context: Any) -> Any:
    """``$$`` alone: the context object as a plain dict (never the variable-carrying subclass)."""
    return dict(context)


class ContextObject(dict[str, Any]):
    """A context object (``$$``) that also carries the workflow variables in scope.

    Paths such as ``$name.field`` read ``variables["name"]``; ``$$`` still shows only the dict.
    """

    def __init__(self, context: Any = (), variables: Any = None) -> None:
        super().__init__(context)
        self.variables: dict[str, Any] = {} if variables is None else variables


def _variable_reader(path: str, parsed: ParsedPath) -> Reader:
    """A reader of ``$name...``: the rest of the path applies to the variable's value."""
    name = parsed.root[1:]
    rest = path.strip()[len(parsed.root) :]
    inner = compile_path("$" + rest)

    def read(data: Any, context: Any) -> Any:
        variables = getattr(context, "variables", None)
        if variables is None or name not in variables:
            raise PathNotFound(path, f"The variable ${name} is not defined")
        try:
            return inner(variables[name], context)
        except PathNotFound as exc:
            raise PathNotFound(path, str(exc)) from None

    return read


def _with_function(path: str, reader: Reader, name: str) -> Reader:
    """Apply a Jayway path function (``length()``, ``sum()``...) to what `reader` selects."""

    def fail(message: str) -> PathNotFound:
        return PathNotFound(path, f"Function {name}() {message}")

    def numbers(value: Any) -> list[float]:
        if type(value) is not list:
            raise fail("expects an array")
        found = [float(v) for v in value if type(v) in (int, float)]
        if not found:
            raise fail("attempted to calculate value using empty array")
        return found

    def apply(value: Any) -> Any:
        if name == "length":
            if isinstance(value, list | dict):
                return len(value)
            raise fail("expects an array or an object")
        if name == "keys":
            if isinstance(value, dict):
                return list(value)
            raise fail("expects an object")
        if name in ("first", "last"):
            if type(value) is list and value:
                return value[0] if name == "first" else value[-1]
            raise fail("expects a non-empty array")
        values = numbers(value)
        if name == "min":
            return min(values)
        if name == "max":
            return max(values)
        if name == "sum":
            return math.fsum(values)
        mean = math.fsum(values) / len(values)
        if name == "avg":
            return mean
        return math.sqrt(math.fsum(v * v for v in values) / len(values) - mean * mean)

    return lambda data, context: apply(reader(data, context))


def _definite_reader(path: str, segments: tuple[Segment, ...], use_context: bool) -> Reader:
    keys = ParsedPath("$", segments).keys()

    def missing(root: Any) -> PathNotFound:
        return _explain_missing(path, keys, root)

    root = "context" if use_context else "data"
    if not keys:
        return (lambda data, context: context) if use_context else (lambda data, context: data)
    # Generated once per path: plain subscripts; a list check before each index (a string
    # must not be indexed like an array); any lookup error means "nothing selected".
    lines = [f"    node = {root}"]
    chain = ""
    for key in keys:
        if isinstance(key, str):
            chain += f"[{key!r}]"
            continue
        if chain:
            lines.append(f"    node = node{chain}")
            chain = ""
        lines.append(f"    if type(node) is not list: raise missing({root})")
        lines.append(f"    node = node[{key}]")
    lines.append(f"    return node{chain}")
    body = "\n    ".join(lines)
    source = (
        "def read(data, context):\n"
        "    try:\n"
        f"    {body}\n"
        "    except (KeyError, TypeError, IndexError):\n"
        f"        raise missing({root}) from None\n"
    )
    namespace: dict[str, Any] = {"missing": missing}
    exec(compile(source, f"<JSONPath {path}>", "exec"), namespace)
    reader: Reader = namespace["read"]
    return reader


def _explain_missing(path: str, keys: tuple[str | int, ...], root: Any) -> PathNotFound:
    """Build Jayway's message for a definite path: where exactly the walk stopped."""
    node = root
    walked: list[str | int] = []
    for i, key in enumerate(keys):
        walked.append(key)
        leaf = i == len(keys) - 1
        if isinstance(key, str):
            if isinstance(node, dict) and key in node:
                node = node[key]
                continue
            if leaf and isinstance(node, dict):
                return PathNotFound(path, f"No results for path: {normalized(walked)}")
            if not isinstance(node, dict):
                where = normalized(walked[:-1])
                return PathNotFound(
                    path,
                    f"Expected to find an object with property {normalized(walked[-1:])[1:]} "
                    f"in path {where} but found '{_java_type(node)}'. This is not a json object.",
                )
            return PathNotFound(path, f"Missing property in path {normalized(walked)}")
        if type(node) is list and -len(node) <= key < len(node):
            node = node[key]
            continue
        return PathNotFound(path, f"No results for path: {normalized(walked)}")
    return PathNotFound(path, f"No results for path: {normalized(walked)}")


def _java_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, list):
        return "net.minidev.json.JSONArray"
    return "java.util.LinkedHashMap"


# ---------------------------------------------------------------------------------------------
# Indefinite paths: every segment maps a list of nodes to a list of nodes.


def _indefinite_reader(segments: tuple[Segment, ...], use_context: bool) -> Reader:
    steps = tuple(_step(seg) for seg in segments)

    def read_all(data: Any, context: Any) -> Any:
        nodes = [context if use_context else data]
        for step in steps:
            nodes = step(nodes, data, context)
            if not nodes:
                break
        return nodes

    return read_all


Step = Callable[[list[Any], Any, Any], list[Any]]


def _step(seg: Segment) -> Step:
    if isinstance(seg, Field):
        name = seg.name
        return lambda nodes, d, c: [n[name] for n in nodes if isinstance(n, dict) and name in n]
    if isinstance(seg, Index):
        index = seg.index
        return lambda nodes, d, c: [
            n[index] for n in nodes if type(n) is list and -len(n) <= index < len(n)
        ]
    if isinstance(seg, Wild):
        return lambda nodes, d, c: [v for n in nodes for v in _children(n)]
    if isinstance(seg, Slice):
        sl = slice(seg.start, seg.stop, seg.step)
        return lambda nodes, d, c: [v for n in nodes if type(n) is list for v in n[sl]]
    if isinstance(seg, Union):
        members = seg.members

        def union(nodes: list[Any], d: Any, c: Any) -> list[Any]:
            out: list[Any] = []
            for n in nodes:
                for m in members:
                    if isinstance(m, str):
                        if isinstance(n, dict) and m in n:
                            out.append(n[m])
                    elif type(n) is list and -len(n) <= m < len(n):
                        out.append(n[m])
            return out

        return union
    if isinstance(seg, Filter):
        predicate = seg.predicate

        def filtered(nodes: list[Any], d: Any, c: Any) -> list[Any]:
            out: list[Any] = []
            for n in nodes:
                if type(n) is list:
                    out.extend(item for item in n if predicate(item, d, c))
                elif isinstance(n, dict) and predicate(n, d, c):
                    out.append(n)
            return out

        return filtered
    assert isinstance(seg, Deep)
    if isinstance(seg.then, Filter):
        # Jayway's deep scan tests a filter against every object it visits (once each).
        test = seg.then.predicate
        return lambda nodes, d, c: [
            sub
            for n in nodes
            for sub in _descendants_and_self(n)
            if isinstance(sub, dict) and test(sub, d, c)
        ]
    inner = _step(seg.then)

    def deep(nodes: list[Any], d: Any, c: Any) -> list[Any]:
        out: list[Any] = []
        for n in nodes:
            for sub in _descendants_and_self(n):
                out.extend(inner([sub], d, c))
        return out

    return deep


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node.values())
    if type(node) is list:
        return list(node)
    return []


def _descendants_and_self(node: Any) -> list[Any]:
    """Pre-order: a node, then each child's subtree in document order."""
    result: list[Any] = []
    stack = [node]
    while stack:
        current = stack.pop()
        result.append(current)
        stack.extend(reversed(_children(current)))
    return result
