"""Parser of Step Functions JSONPath text into segments (used by `flowtasks.expressions.jsonpath`).

Grammar (Jayway JsonPath, which Step Functions uses)::

    path     := ("$$" | "$" | "$" variable-name) segment*
    segment  := "." name | ".*" | ".." (name | "*" | bracket) | bracket
    bracket  := "[" ( "*" | quoted ("," quoted)* | int ("," int)* | slice | "?(" filter ")" ) "]"
    slice    := [int] ":" [int] [":" [int]]
    filter   := or;  or := and ("||" and)*;  and := unary ("&&" unary)*
    unary    := "!" unary | "(" filter ")" | operand [op operand]
    operand  := "@" segment* | "$" segment* | number | quoted | true | false | null | list | regex
    op       := "==" | "!=" | "<" | "<=" | ">" | ">=" | "=~" | "in" | "nin"
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flowtasks.expressions.jsonpath_filter import Operand, Predicate, comparison

__all__ = [
    "Deep",
    "Field",
    "Filter",
    "Index",
    "ParsedPath",
    "PathSyntaxError",
    "Segment",
    "Slice",
    "Union",
    "Wild",
    "normalized",
    "parse_path",
]


class PathSyntaxError(ValueError):
    """The text is not a valid Step Functions JSONPath."""


@dataclass(frozen=True, slots=True)
class Field:
    name: str


@dataclass(frozen=True, slots=True)
class Index:
    index: int


@dataclass(frozen=True, slots=True)
class Wild:
    pass


@dataclass(frozen=True, slots=True)
class Slice:
    start: int | None
    stop: int | None
    step: int | None


@dataclass(frozen=True, slots=True)
class Union:
    members: tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Filter:
    text: str
    predicate: Predicate


@dataclass(frozen=True, slots=True)
class Deep:
    then: Segment


Segment = Field | Index | Wild | Slice | Union | Filter | Deep


FUNCTIONS = frozenset({"length", "min", "max", "avg", "sum", "stddev", "first", "last", "keys"})
"""Jayway path functions accepted at the end of a path, e.g. ``$.items.length()``."""


@dataclass(frozen=True, slots=True)
class ParsedPath:
    root: str  # "$" (the data), "$$" (the context object) or "$name" (a workflow variable)
    segments: tuple[Segment, ...]
    function: str | None = None

    def keys(self) -> tuple[str | int, ...]:
        """The names and indexes of a definite path; PathSyntaxError for any other segment."""
        keys: list[str | int] = []
        for seg in self.segments:
            if isinstance(seg, Field):
                keys.append(seg.name)
            elif isinstance(seg, Index):
                keys.append(seg.index)
            else:
                raise PathSyntaxError(f"not a single-node path segment: {seg}")
        return tuple(keys)

    @property
    def definite(self) -> bool:
        """True if the path selects at most one node (only names and indexes, no function)."""
        return self.function is None and all(isinstance(s, Field | Index) for s in self.segments)


def normalized(keys: Sequence[str | int]) -> str:
    """Jayway's normalized form of a walked path: ``$['a'][0]``."""
    return "$" + "".join(f"['{k}']" if isinstance(k, str) else f"[{k}]" for k in keys)


def parse_path(text: str) -> ParsedPath:
    """Parse `text` (``$...`` or ``$$...``); raise `PathSyntaxError` saying what is wrong."""
    if not isinstance(text, str) or not text.strip().startswith("$"):
        raise PathSyntaxError(f"invalid JSONPath {text!r}: a path must start with '$'")
    text = text.strip()  # Jayway trims the path (AWS accepts '$$.Execution.Name ')
    parser = _Parser(text)
    variable = _VARIABLE.match(text)
    root = "$$" if text.startswith("$$") else variable.group() if variable else "$"
    parser.pos = len(root)
    segments = parser.segments()
    function = None
    last = segments[-1] if segments else None
    if isinstance(last, Field) and parser.peek(2) == "()":
        function = last.name
        segments.pop()
        if function not in FUNCTIONS:
            parser.fail(f"unknown function {function}(); known: {', '.join(sorted(FUNCTIONS))}")
        parser.pos += 2
    if parser.pos != len(text):
        parser.fail(f"unexpected {text[parser.pos]!r}")
    return ParsedPath(root, tuple(segments), function)


_VARIABLE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")
"""A workflow variable reference (``$name``), as the Assign field defines them."""
_NAME_STOP = frozenset(" \t\n.[]()=<>!&|,'\"")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_INT = re.compile(r"\s*(-?\d+)\s*")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> None:
        raise PathSyntaxError(f"invalid JSONPath {self.text!r} at position {self.pos}: {message}")

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\n":
            self.pos += 1

    def expect(self, token: str) -> None:
        self.skip_spaces()
        if not self.text.startswith(token, self.pos):
            self.fail(f"expected {token!r}")
        self.pos += len(token)

    # -- segments ------------------------------------------------------------------------------

    def segments(self) -> list[Segment]:
        out: list[Segment] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if self.peek(2) == "..":
                self.pos += 2
                if self.peek() == "[":
                    out.append(Deep(self.bracket()))
                elif self.peek() == "*":
                    self.pos += 1
                    out.append(Deep(Wild()))
                else:
                    out.append(Deep(Field(self.name())))
            elif ch == ".":
                self.pos += 1
                if self.peek() == "*":
                    self.pos += 1
                    out.append(Wild())
                elif self.peek() == "[":  # "$.['a b']" and "$.[?(...)]", which AWS accepts
                    out.append(self.bracket())
                else:
                    out.append(Field(self.name()))
            elif ch == "[":
                out.append(self.bracket())
            else:
                break
        return out

    def name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _NAME_STOP:
            self.pos += 1
        if self.pos == start:
            self.fail("expected a property name")
        return self.text[start : self.pos]

    def bracket(self) -> Segment:
        self.pos += 1  # "["
        self.skip_spaces()
        ch = self.peek()
        seg: Segment
        if ch == "*":
            self.pos += 1
            seg = Wild()
        elif ch == "?":
            self.pos += 1
            self.expect("(")
            start = self.pos
            predicate = self.filter_or()
            self.expect(")")
            seg = Filter(self.text[start : self.pos - 1].strip(), predicate)
        elif ch in "'\"":
            names = [self.quoted()]
            self.skip_spaces()
            while self.peek() == ",":
                self.pos += 1
                self.skip_spaces()
                names.append(self.quoted())
                self.skip_spaces()
            seg = Field(names[0]) if len(names) == 1 else Union(tuple(names))
        else:
            seg = self.indexes()
        self.expect("]")
        return seg

    def quoted(self) -> str:
        quote = self.peek()
        if quote not in ("'", '"'):
            self.fail("expected a quoted name")
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if (
                ch == "\\"
                and self.pos + 1 < len(self.text)
                and self.text[self.pos + 1]
                in (
                    quote,
                    "\\",
                )
            ):
                # Only the quote and the backslash are escaped; any other backslash is kept, as
                # AWS does: $['Test\""Name"'] selects the key Test\""Name" (LocalStack's
                # AWS-recorded test_escape_sequence_parsing[ESCAPE_SEQUENCES_JSONPATH]).
                chars.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if ch == quote:
                self.pos += 1
                return "".join(chars)
            chars.append(ch)
            self.pos += 1
        self.fail("unterminated quoted string")
        raise AssertionError  # unreachable

    def int_or_none(self) -> int | None:
        m = _INT.match(self.text, self.pos)
        if not m:
            self.skip_spaces()
            return None
        self.pos = m.end()
        return int(m.group(1))

    def indexes(self) -> Segment:
        first = self.int_or_none()
        if self.peek() == ":":
            self.pos += 1
            stop = self.int_or_none()
            step = None
            if self.peek() == ":":
                self.pos += 1
                step = self.int_or_none()
                if step == 0:
                    self.fail("slice step cannot be 0")
            return Slice(first, stop, step)
        if first is None:
            self.fail("expected '*', a quoted name, an index, a slice or a filter")
            raise AssertionError  # unreachable
        members: list[str | int] = [first]
        while self.peek() == ",":
            self.pos += 1
            nxt = self.int_or_none()
            if nxt is None:
                self.fail("expected an index")
                raise AssertionError  # unreachable
            members.append(nxt)
        return Index(first) if len(members) == 1 else Union(tuple(members))

    # -- filters -------------------------------------------------------------------------------

    def filter_or(self) -> Predicate:
        parts = [self.filter_and()]
        self.skip_spaces()
        while self.peek(2) == "||":
            self.pos += 2
            parts.append(self.filter_and())
            self.skip_spaces()
        if len(parts) == 1:
            return parts[0]
        return lambda item, d, c: any(p(item, d, c) for p in parts)

    def filter_and(self) -> Predicate:
        parts = [self.filter_unary()]
        self.skip_spaces()
        while self.peek(2) == "&&":
            self.pos += 2
            parts.append(self.filter_unary())
            self.skip_spaces()
        if len(parts) == 1:
            return parts[0]
        return lambda item, d, c: all(p(item, d, c) for p in parts)

    def filter_unary(self) -> Predicate:
        self.skip_spaces()
        if self.peek() == "!" and self.peek(2) != "!=":
            self.pos += 1
            inner = self.filter_unary()
            return lambda item, d, c: not inner(item, d, c)
        if self.peek() == "(":
            self.pos += 1
            inner = self.filter_or()
            self.expect(")")
            return inner
        left = self.operand()
        self.skip_spaces()
        op = self.operator()
        if op is None:
            if not left.is_path:
                self.fail("a filter needs a path ('@...') or a comparison")
            return left.exists
        right = self.operand(regex=op == "=~")
        return comparison(op, left, right)

    def operator(self) -> str | None:
        for op in ("==", "!=", "<=", ">=", "=~", "<", ">"):
            if self.text.startswith(op, self.pos):
                self.pos += len(op)
                return op
        for word in ("nin", "in"):
            if re.match(rf"{word}\b", self.text[self.pos :]):
                self.pos += len(word)
                return word
        return None

    def operand(self, *, regex: bool = False) -> Operand:
        self.skip_spaces()
        ch = self.peek()
        if ch in ("@", "$"):
            return self.path_operand()
        if regex and ch == "/":
            return self.regex_operand()
        return Operand.literal(self.literal())

    def path_operand(self) -> Operand:
        start = self.pos
        if self.peek(2) == "$$":
            root, self.pos = "$$", self.pos + 2
        else:
            root, self.pos = self.peek(), self.pos + 1
        segments = tuple(self.segments())
        # Imported here: jsonpath imports this module.
        from flowtasks.expressions.jsonpath import compile_path

        rel = ParsedPath("$", segments)
        reader = compile_path("$" + self.text[start + len(root) : self.pos])

        if root == "@":

            def get(item: Any, d: Any, c: Any) -> Any:
                return reader(item, c)
        elif root == "$":

            def get(item: Any, d: Any, c: Any) -> Any:
                return reader(d, c)
        else:

            def get(item: Any, d: Any, c: Any) -> Any:
                return reader(c, c)

        return Operand(get=get, is_path=True, definite=rel.definite)

    def regex_operand(self) -> Operand:
        end = self.text.find("/", self.pos + 1)
        while end != -1 and self.text[end - 1] == "\\":
            end = self.text.find("/", end + 1)
        if end == -1:
            self.fail("unterminated regular expression")
        pattern = self.text[self.pos + 1 : end]
        self.pos = end + 1
        flags = 0
        while self.peek() and self.peek() in "imsx":
            flags |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}[self.peek()]
            self.pos += 1
        try:
            compiled = re.compile(pattern, flags)
        except re.error as exc:
            self.fail(f"invalid regular expression: {exc}")
            raise AssertionError from exc  # unreachable
        return Operand.literal(compiled)

    def literal(self) -> Any:
        ch = self.peek()
        if ch in ("'", '"'):
            return self.quoted()
        if ch == "[":
            self.pos += 1
            items: list[Any] = []
            self.skip_spaces()
            if self.peek() != "]":
                items.append(self.literal())
                self.skip_spaces()
                while self.peek() == ",":
                    self.pos += 1
                    self.skip_spaces()
                    items.append(self.literal())
                    self.skip_spaces()
            self.expect("]")
            return items
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return value
        m = _NUMBER.match(self.text, self.pos)
        if m:
            self.pos = m.end()
            return json.loads(m.group())
        self.fail("expected a value")
        raise AssertionError  # unreachable
