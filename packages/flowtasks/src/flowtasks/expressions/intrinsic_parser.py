"""Intrinsic functions of JSONPath states (``States.Format(...)`` and friends).

Parsed once into an argument tree and compiled into ``evaluator(data, context)``. The grammar
and each function's rules follow the AWS developer guide, "Intrinsic functions for JSONPath
states in Step Functions"::

    call  := "States." NAME "(" [arg ("," arg)*] ")"
    arg   := 'string' | number | true | false | null | path | call
    path  := "$" ... | "$$" ...           (up to the next top-level "," or ")")

In string literals ``\\'``, ``\\{``, ``\\}`` and ``\\\\`` stand for ``'``, ``{``, ``}`` and
``\\``; any other backslash is an error. Bad arguments at run time raise
`StatesFailure` ``States.IntrinsicFailure``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.expressions.intrinsic_eval import (
    FUNCTIONS,
    IntrinsicError,
    format_pieces,
    split_template,
)
from flowtasks.expressions.jsonpath import PathNotFound, compile_path
from flowtasks.expressions.jsonpath_parser import PathSyntaxError
from flowtasks.limits import MAX_INTRINSIC_NESTING

__all__ = [
    "IntrinsicSyntaxError",
    "check_intrinsic",
    "compile_intrinsic",
    "is_intrinsic",
]

Evaluator = Callable[[Any, Any], Any]


_CALL_START = re.compile(r"States\.[A-Za-z0-9]+\s*\(")


class IntrinsicSyntaxError(ValueError):
    """The text is not a valid intrinsic function call."""


def is_intrinsic(text: object) -> bool:
    """True if `text` looks like an intrinsic call: ``States.Name(``...``)``."""
    return (
        isinstance(text, str)
        and _CALL_START.match(text.strip()) is not None
        and text.rstrip().endswith(")")
    )


def check_intrinsic(text: str) -> str | None:
    """None if `text` is a valid call of known functions with the right arity, else a message."""
    try:
        _parse(text)
    except IntrinsicSyntaxError as exc:
        return str(exc)
    return None


@lru_cache(maxsize=2048)
def compile_intrinsic(text: str) -> Evaluator:
    """Compile an intrinsic call into ``evaluator(data, context) -> value``; cached.

    Raises `IntrinsicSyntaxError` for invalid text. The evaluator raises `StatesFailure`
    ``States.IntrinsicFailure`` for bad arguments and ``States.Runtime`` when a path argument
    selects nothing.
    """
    node = _parse(text)
    return _generate(node, _compile_node(node))


# ---------------------------------------------------------------------------------------------
# Argument tree


@dataclass(frozen=True, slots=True)
class _Literal:
    value: Any
    raw: str | None = None  # the text between the quotes, escapes kept (for States.Format)


@dataclass(frozen=True, slots=True)
class _Path:
    path: str


@dataclass(frozen=True, slots=True)
class _Call:
    name: str
    args: tuple[_Node, ...]


_Node = _Literal | _Path | _Call


@lru_cache(maxsize=2048)
def _parse(text: str) -> _Call:
    parser = _Parser(text)
    parser.skip_spaces()
    node = parser.call(depth=1)
    parser.skip_spaces()
    if parser.pos != len(text):
        parser.fail("unexpected text after the closing ')'")
    return node


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"States\.([A-Za-z0-9]+)")
_ESCAPES = {"'": "'", "{": "{", "}": "}", "\\": "\\"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> None:
        raise IntrinsicSyntaxError(
            f"invalid intrinsic function {self.text!r} at position {self.pos}: {message}"
        )

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\n\r":
            self.pos += 1

    def call(self, depth: int) -> _Call:
        m = _NAME.match(self.text, self.pos)
        if not m:
            self.fail("expected a function name such as States.Format")
            raise AssertionError  # unreachable
        name = m.group(0)
        if depth > MAX_INTRINSIC_NESTING:
            self.fail(f"more than {MAX_INTRINSIC_NESTING} nested intrinsic functions")
        spec = FUNCTIONS.get(name)
        if spec is None:
            self.fail(f"unknown function {name!r}; known: {', '.join(sorted(FUNCTIONS))}")
            raise AssertionError  # unreachable
        self.pos = m.end()
        self.skip_spaces()
        if self.text[self.pos : self.pos + 1] != "(":
            self.fail(f"expected '(' after {name}")
        self.pos += 1
        args: list[_Node] = []
        self.skip_spaces()
        if self.text[self.pos : self.pos + 1] == ")":
            self.pos += 1
        else:
            while True:
                args.append(self.arg(depth))
                self.skip_spaces()
                ch = self.text[self.pos : self.pos + 1]
                self.pos += 1
                if ch == ")":
                    break
                if ch != ",":
                    self.pos -= 1
                    self.fail("expected ',' or ')'")
        problem = spec.check_arity(len(args))
        if problem:
            self.fail(problem)
        return _Call(name, tuple(args))

    def arg(self, depth: int) -> _Node:
        self.skip_spaces()
        rest = self.text[self.pos :]
        if rest.startswith("'"):
            return self.string()
        if rest.startswith("$"):
            return self.path()
        if rest.startswith("States."):
            return self.call(depth + 1)
        for word, value in (("true", True), ("false", False), ("null", None)):
            if re.match(rf"{word}\b", rest):
                self.pos += len(word)
                return _Literal(value)
        m = _NUMBER.match(self.text, self.pos)
        if m:
            self.pos = m.end()
            number = float(m.group()) if any(c in m.group() for c in ".eE") else int(m.group())
            return _Literal(number)
        self.fail("expected a string, number, boolean, null, path or intrinsic function")
        raise AssertionError  # unreachable

    def string(self) -> _Literal:
        self.pos += 1  # opening quote
        start = self.pos
        chars: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\":
                nxt = self.text[self.pos + 1 : self.pos + 2]
                if nxt not in _ESCAPES:
                    self.fail(f"invalid escape '\\{nxt}' (only \\' \\{{ \\}} \\\\ are allowed)")
                chars.append(_ESCAPES[nxt])
                self.pos += 2
                continue
            if ch == "'":
                raw = self.text[start : self.pos]
                self.pos += 1
                return _Literal("".join(chars), raw)
            chars.append(ch)
            self.pos += 1
        self.fail("unterminated string literal")
        raise AssertionError  # unreachable

    def path(self) -> _Path:
        start = self.pos
        depth = 0
        quote = ""
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if quote:
                if ch == "\\":
                    self.pos += 1
                elif ch == quote:
                    quote = ""
            elif ch in "'\"":
                quote = ch
            elif ch in "[(":
                depth += 1
            elif ch in "])":
                if depth == 0:
                    break
                depth -= 1
            elif ch == "," and depth == 0:
                break
            self.pos += 1
        path = self.text[start : self.pos].rstrip()
        try:
            compile_path(path)
        except PathSyntaxError as exc:
            self.fail(str(exc))
        return _Path(path)


# ---------------------------------------------------------------------------------------------
# Evaluation


def _compile_node(node: _Node) -> Evaluator:
    if isinstance(node, _Literal):
        value = node.value
        return lambda data, context: value
    if isinstance(node, _Path):
        reader = compile_path(node.path)
        path = node.path

        def read(data: Any, context: Any) -> Any:
            try:
                return reader(data, context)
            except PathNotFound as exc:
                raise StatesFailure(
                    StatesErrorName.RUNTIME,
                    f"The JsonPath argument '{path}' of an intrinsic function could not be "
                    f"found in the input: {exc}",
                ) from None

        return read
    name = node.name
    first = node.args[0] if node.args else None
    implementation: Callable[[Sequence[Any]], Any]
    if name == "States.Format" and isinstance(first, _Literal) and first.raw is not None:
        pieces = split_template(first.value, first.raw)
        value_evaluators = tuple(_compile_node(a) for a in node.args[1:])

        def format_literal(values: Sequence[Any]) -> Any:
            return format_pieces(pieces, values)

        implementation = format_literal
        arg_evaluators = value_evaluators
    else:
        implementation = FUNCTIONS[name].implementation
        arg_evaluators = tuple(_compile_node(a) for a in node.args)

    def call(data: Any, context: Any) -> Any:
        try:
            return implementation([ev(data, context) for ev in arg_evaluators])
        except IntrinsicError as exc:
            raise StatesFailure(
                StatesErrorName.INTRINSIC_FAILURE, f"Invalid arguments in {name}: {exc}"
            ) from None

    return call


def _generate(node: _Call, careful: Evaluator) -> Evaluator:
    """The fast evaluator: the whole call tree as one generated Python expression.

    On any failure it re-runs `careful` (the closure tree, which names the failing function
    and path); evaluation has no side effects, so this reproduces the same failure.
    """
    names: dict[str, Any] = {}

    def bind(value: Any) -> str:
        name = f"_v{len(names)}"
        names[name] = value
        return name

    def expr(item: _Node) -> str:
        if isinstance(item, _Literal):
            return bind(item.value)
        if isinstance(item, _Path):
            return f"{bind(compile_path(item.path))}(data, context)"
        first = item.args[0] if item.args else None
        if item.name == "States.Format" and isinstance(first, _Literal) and first.raw is not None:
            pieces = bind(split_template(first.value, first.raw))
            args = ", ".join(expr(a) for a in item.args[1:])
            return f"_format({pieces}, [{args}])"
        args = ", ".join(expr(a) for a in item.args)
        return f"{bind(FUNCTIONS[item.name].implementation)}([{args}])"

    source = (
        "def evaluate(data, context):\n"
        "    try:\n"
        f"        return {expr(node)}\n"
        "    except (IntrinsicError, PathNotFound):\n"
        "        return careful(data, context)\n"
    )
    namespace: dict[str, Any] = {
        **names,
        "_format": format_pieces,
        "IntrinsicError": IntrinsicError,
        "PathNotFound": PathNotFound,
        "careful": careful,
    }
    exec(compile(source, "<intrinsic function>", "exec"), namespace)
    evaluate: Evaluator = namespace["evaluate"]
    return evaluate
