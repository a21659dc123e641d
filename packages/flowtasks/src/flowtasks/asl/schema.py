"""What CreateStateMachine's schema refuses that the structural checks do not see.

Part of `flowtasks.asl.validate` (``schema_problems``). Sources, each cited in
``tests/unit/compiler/test_aws_refusals.py``:

- the fields each state type allows: AWS's ASL language service
  (aws/amazon-states-language-service, ``validationSchema.ts``) and statelint
  (awslabs/statelint, ``StateMachine.j2119``); AWS answers ``Field 'X' is not supported``;
- which fields belong to one query language only (developer guide, "Transforming data with
  JSONata"; AWS: "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported
  for the 'JSONata' QueryLanguage"), and that a JSONata machine cannot hold JSONPath states;
- the mutually exclusive pairs (a field and its ``...Path`` twin, Iterator/ItemProcessor,
  ItemSelector/Parameters): statelint "MAY have only one of";
- state names unique across the whole machine, nested branches and Map processors included
  (ASL specification, "States");
- literal values with a strict format: Wait ``Timestamp`` (RFC 3339, recorded against AWS by
  LocalStack), ``Credentials`` needing ``RoleArn``, Map ``Label``, the enums and upper bounds of
  the language service's JSON schema, ``ResultPath`` never into ``$$``, Map number ``...Path``
  fields being Reference Paths, payload template keys unique once ``.$`` is stripped.

Next/End, Type, StartAt and the checks of `flowtasks.asl.validate_numbers` stay where they are; this
module only adds what they leave out, so that one mistake is reported once. It visits the
definition through `flowtasks.asl.walk.in_order` and locates each problem by its fields (scope,
state, field); `flowtasks.errors.Problem` renders the location.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from flowtasks.asl.choice_rules import parse_timestamp
from flowtasks.asl.walk import Machine, StateAt, in_order
from flowtasks.errors import Problem
from flowtasks.expressions.intrinsic_parser import is_intrinsic
from flowtasks.limits import MAX_FIELD_SECONDS, MAX_MAP_LABEL_LENGTH, MAX_RETRY_DELAY_SECONDS

__all__ = ["schema_problems"]

_BASE = frozenset({"Type", "Comment", "QueryLanguage", "Next", "End"})
_IO = frozenset({"InputPath", "OutputPath"})
_ERRORS = frozenset({"Retry", "Catch"})
ALLOWED: dict[str, frozenset[str]] = {
    "Pass": _BASE | _IO | {"Assign", "Result", "ResultPath", "Parameters", "Output"},
    "Task": _BASE
    | _IO
    | _ERRORS
    | {
        "Assign",
        "Resource",
        "Parameters",
        "Arguments",
        "Credentials",
        "ResultSelector",
        "ResultPath",
        "Output",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
    },
    "Choice": _BASE | _IO | {"Choices", "Default", "Assign", "Output"},
    "Wait": _BASE
    | _IO
    | {"Assign", "Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Output"},
    "Succeed": _BASE | _IO | {"Output"},
    "Fail": _BASE | {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _BASE
    | _IO
    | _ERRORS
    | {"Assign", "Branches", "ResultPath", "Parameters", "Arguments", "ResultSelector", "Output"},
    "Map": _BASE
    | _IO
    | _ERRORS
    | {
        "Assign",
        "Iterator",
        "ItemProcessor",
        "ItemsPath",
        "Items",
        "ItemSelector",
        "Parameters",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "Label",
        "ResultPath",
        "ResultSelector",
        "Output",
    },
}
"""The fields each state type allows (Next/End on terminal types are reported elsewhere)."""
_ROOT = frozenset({"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"})
_BRANCH = frozenset({"Comment", "StartAt", "States", "QueryLanguage"})
_PROCESSOR = frozenset({"Comment", "StartAt", "States", "ProcessorConfig"})
_RETRIER = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
_CATCHER = frozenset({"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"})

JSONATA_ONLY = frozenset({"Arguments", "Output", "Items"})
JSONPATH_ONLY = frozenset(
    {
        "InputPath",
        "OutputPath",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "ItemsPath",
        "SecondsPath",
        "TimestampPath",
        "TimeoutSecondsPath",
        "HeartbeatSecondsPath",
        "ErrorPath",
        "CausePath",
        "MaxConcurrencyPath",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentagePath",
    }
)
_EXCLUSIVE: tuple[tuple[str, str], ...] = (
    ("TimeoutSeconds", "TimeoutSecondsPath"),
    ("HeartbeatSeconds", "HeartbeatSecondsPath"),
    ("Error", "ErrorPath"),
    ("Cause", "CausePath"),
    ("Iterator", "ItemProcessor"),
    ("ItemSelector", "Parameters"),
    ("MaxConcurrency", "MaxConcurrencyPath"),
    ("ToleratedFailureCount", "ToleratedFailureCountPath"),
    ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
)
_MAP_NUMBER_PATHS = (
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)
_ENUMS: dict[str, tuple[str, ...]] = {
    "Mode": ("INLINE", "DISTRIBUTED"),
    "ExecutionType": ("STANDARD", "EXPRESS"),
    "InputType": ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"),
    "CSVHeaderLocation": ("FIRST_ROW", "GIVEN"),
    "CSVDelimiter": ("COMMA", "PIPE", "SEMICOLON", "TAB", "SPACE"),
    "OutputType": ("JSON", "JSONL"),
    "Transformation": ("NONE", "FLATTEN", "COMPACT"),
}
_NAME_SPECIALS = frozenset(' <>{}[]?*"#%\\^|~`$&,;:/')
_TEMPLATES = ("Parameters", "ResultSelector", "ItemSelector", "Assign")
_STRING_INTRINSICS = (
    "States.Format",
    "States.JsonToString",
    "States.ArrayGetItem",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.UUID",
)
"""The intrinsics ErrorPath and CausePath may use: those giving a string (state-fail.html)."""
_NESTED = frozenset({"Branches", "ItemProcessor", "Iterator"})


def schema_problems(
    definition: Mapping[str, Any],
    subject: str = "definition",
    source_of: Callable[[str], str | None] | None = None,
) -> list[Problem]:
    """Every schema problem of `definition` (already known to be a JSON object), located by
    scope, state and field; `source_of(state_name)` gives a state's ``file:line`` when known."""
    checker = _Checker(definition, source_of or (lambda _name: None))
    for found in in_order(definition, subject):
        if isinstance(found, Machine):
            checker.machine(found)
        else:
            checker.state(found)
    return checker.problems


def _schema_language(machine: Machine) -> Any:
    """The query language CreateStateMachine's schema gives the states of `machine` (before
    their own ``QueryLanguage``): the top level's own, JSONPath by default; a Parallel branch's
    own, else that of the machine around the Parallel state; a Map processor's, that of the
    machine around the Map state. The ``QueryLanguage`` of the Parallel / Map state itself does
    not pass down, unlike in `Machine.language` (AWS's answers quoted in floci-io/floci issue
    2968)."""
    spec = machine.spec if isinstance(machine.spec, Mapping) else {}
    if machine.parent is None:
        return spec.get("QueryLanguage", "JSONPath")
    around = _schema_language(machine.parent)
    return spec.get("QueryLanguage", around) if machine.kind == "branch" else around


@dataclass(frozen=True)
class _At:
    """Where a problem is: the machine it is in, the state (None: the machine itself), the
    field of it."""

    machine: Machine
    state: str | None = None
    field: str | None = None

    def sub(self, field: str) -> _At:
        """A field of this place (``Retry[0]`` then ``Retry[0].MaxAttempts``)."""
        return replace(self, field=field if self.field is None else f"{self.field}.{field}")


class _Checker:
    """The schema checks of each machine and state, given in document order (`in_order`)."""

    def __init__(
        self, definition: Mapping[str, Any], source_of: Callable[[str], str | None]
    ) -> None:
        self.problems: list[Problem] = []
        self.top_jsonata = definition.get("QueryLanguage") == "JSONata"
        self.names: dict[str, StateAt] = {}
        self.source_of = source_of

    def add(self, at: _At, message: str) -> None:
        source = self.source_of(at.state) if at.state is not None else None
        self.problems.append(
            Problem(
                at.machine.subject,
                message,
                scope=at.machine.scope,
                state=at.state,
                field=at.field,
                source=source,
            )
        )

    def machine(self, machine: Machine) -> None:
        """The checks of a machine's own fields (its states come next, one by one)."""
        spec = machine.spec
        if not isinstance(spec, Mapping):
            return  # the structural checks report it
        where = _At(machine)
        allowed = {"root": _ROOT, "branch": _BRANCH, "processor": _PROCESSOR}[machine.kind]
        self._comment(spec, where)
        for field in spec:
            if field not in allowed:
                what = {"root": "a state machine", "branch": "a Parallel branch"}
                self.add(
                    where.sub(str(field)),
                    f"Field {field!r} is not supported in "
                    f"{what.get(machine.kind, 'a Map ItemProcessor')}; it allows "
                    f"{', '.join(sorted(allowed))}",
                )
        if machine.kind == "root":
            if "Version" in spec and spec["Version"] != "1.0":
                self.add(where.sub("Version"), f"Version must be '1.0', not {spec['Version']!r}")
            self._at_most(spec, "TimeoutSeconds", MAX_FIELD_SECONDS, where.sub("TimeoutSeconds"))
        if machine.kind == "processor":
            config = spec.get("ProcessorConfig")
            if isinstance(config, Mapping):
                self._enums(config, where.sub("ProcessorConfig"))

    def state(self, at: StateAt) -> None:
        """The checks of one state (its nested machines come next, as machines of their own)."""
        name, state = at.name, at.spec
        where = _At(at.machine, name)
        seen = self.names.setdefault(name, at)
        if seen is not at:
            self.add(
                where,
                f"state name {name!r} is also used at {seen.where}; state names must be unique "
                "across the whole state machine, Parallel branches and Map processors "
                "included: rename one",
            )
        if self.top_jsonata and state.get("QueryLanguage") == "JSONPath":
            self.add(
                where.sub("QueryLanguage"),
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            )
        jsonata = state.get("QueryLanguage", _schema_language(at.machine)) == "JSONata"
        kind = state.get("Type")
        allowed = ALLOWED.get(str(kind))
        if allowed is None:
            return  # an unknown Type is reported by the structural checks
        for field in state:
            if field not in allowed:
                self.add(
                    where.sub(field),
                    f"Field {field!r} is not supported by a {kind} state; "
                    f"remove it. A {kind} state allows {', '.join(sorted(allowed - _BASE))}",
                )
            elif jsonata and field in JSONPATH_ONLY:
                self.add(where.sub(field), _language(field, "JSONata", "JSONPath"))
            elif not jsonata and field in JSONATA_ONLY:
                self.add(where.sub(field), _language(field, "JSONPath", "JSONata"))
        for one, other in _EXCLUSIVE:
            if one in state and other in state:
                self.add(
                    where, f"There should only be one of the following fields: [{one}, {other}]"
                )
        self._literals(state, where, jsonata)
        self._errors(state, where, jsonata)
        self._comment(state, where)
        if jsonata:
            for field, value in state.items():
                if field not in _NESTED:
                    for sub, message in _unparsable(value, field):
                        self.add(where.sub(sub), message)
        for field in ("ErrorPath", "CausePath"):
            value = state.get(field)
            if (
                kind == "Fail"
                and isinstance(value, str)
                and is_intrinsic(value)
                and not value.lstrip().startswith(_STRING_INTRINSICS)
            ):
                self.add(
                    where.sub(field),
                    f"{field} takes a path or an intrinsic function that returns a string "
                    f"({', '.join(_STRING_INTRINSICS)}), not {value!r}",
                )

    def _literals(self, state: Mapping[str, Any], where: _At, jsonata: bool) -> None:
        kind = state.get("Type")
        if kind == "Wait" and "Timestamp" in state:
            value = state["Timestamp"]
            expression = jsonata and isinstance(value, str) and value.startswith("{%")
            if not expression and parse_timestamp(value) is None:
                self.add(
                    where.sub("Timestamp"),
                    f"String does not match RFC3339 timestamp: Timestamp is {value!r}; write an "
                    "RFC 3339 timestamp such as 2016-03-14T01:59:00Z",
                )
        if kind == "Task":
            for field in ("TimeoutSeconds", "HeartbeatSeconds"):
                self._at_most(state, field, MAX_FIELD_SECONDS, where.sub(field))
            timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
            if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat >= timeout:
                self.add(
                    where.sub("HeartbeatSeconds"),
                    f"HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds "
                    f"({timeout})",
                )
            if "Credentials" in state:
                credentials = state["Credentials"]
                if not (
                    isinstance(credentials, Mapping)
                    and ("RoleArn" in credentials or "RoleArn.$" in credentials)
                ):
                    self.add(
                        where.sub("Credentials"),
                        "The field 'RoleArn' is required but was missing in Credentials",
                    )
        if kind == "Map":
            self._map_literals(state, where)
        if not jsonata:
            for field in ("ResultPath",):
                value = state.get(field)
                if isinstance(value, str) and value.startswith("$$"):
                    self.add(
                        where.sub(field),
                        f"{field} cannot write into the context object ($$); use a path "
                        "starting with '$.'",
                    )
            for field in _TEMPLATES:
                if field in state:
                    for sub, key in _colliding_keys(state[field], field):
                        self.add(
                            where.sub(sub),
                            f"{field} has the field {key!r} twice once '.$' is stripped; keep one",
                        )

    def _map_literals(self, state: Mapping[str, Any], where: _At) -> None:
        if "ItemsPath" in state and state["ItemsPath"] is None:
            # statelint (StateMachine lint, state_node.rb): ItemsPath "should be non-null"
            self.add(where.sub("ItemsPath"), "ItemsPath cannot be null; remove it to use '$'")
        if "Label" in state:
            label = state["Label"]
            if not isinstance(label, str) or not label:
                self.add(where.sub("Label"), "Label cannot be empty")
            elif len(label) > MAX_MAP_LABEL_LENGTH:
                self.add(
                    where.sub("Label"), f"Label cannot exceed {MAX_MAP_LABEL_LENGTH} characters"
                )
            else:
                bad = sorted({c for c in label if _bad_name_char(c)})
                if bad:
                    shown = ", ".join(repr(c) for c in bad)
                    self.add(
                        where.sub("Label"),
                        f"Label contains invalid characters: {shown} (no whitespace, brackets, "
                        "wildcards, special or control characters)",
                    )
        for field in _MAP_NUMBER_PATHS:
            value = state.get(field)
            if isinstance(value, str) and value.startswith("$$"):
                self.add(
                    where.sub(field),
                    f"{field} must be a Reference Path into the state input, not the context "
                    "object ($$): Value is not a Reference Path",
                )
        reader = state.get("ItemReader")
        if isinstance(reader, Mapping):
            config = reader.get("ReaderConfig")
            if isinstance(config, Mapping):
                self._enums(config, where.sub("ItemReader.ReaderConfig"))
                self._exclusive(config, "MaxItems", where.sub("ItemReader.ReaderConfig"))
        batcher = state.get("ItemBatcher")
        if isinstance(batcher, Mapping):
            for field in ("MaxItemsPerBatch", "MaxInputBytesPerBatch"):
                self._exclusive(batcher, field, where.sub("ItemBatcher"))
        writer = state.get("ResultWriter")
        if isinstance(writer, Mapping) and isinstance(writer.get("WriterConfig"), Mapping):
            self._enums(writer["WriterConfig"], where.sub("ResultWriter.WriterConfig"))

    def _errors(self, state: Mapping[str, Any], where: _At, jsonata: bool) -> None:
        for field, allowed in (("Retry", _RETRIER), ("Catch", _CATCHER)):
            rules = state.get(field)
            if not isinstance(rules, list):
                continue
            for index, rule in enumerate(rules):
                if not isinstance(rule, Mapping):
                    continue
                here = where.sub(f"{field}[{index}]")
                for key in rule:
                    if key not in allowed:
                        self.add(
                            here.sub(str(key)),
                            f"Field {key!r} is not supported in a {field} rule; it allows "
                            f"{', '.join(sorted(allowed))}",
                        )
                    elif field == "Catch" and jsonata and key == "ResultPath":
                        self.add(here.sub(key), _language(key, "JSONata", "JSONPath"))
                    elif field == "Catch" and not jsonata and key == "Output":
                        self.add(here.sub(key), _language(key, "JSONPath", "JSONata"))
                if field == "Retry":
                    for key, high in (
                        ("MaxAttempts", MAX_FIELD_SECONDS),
                        ("IntervalSeconds", MAX_FIELD_SECONDS),
                        ("MaxDelaySeconds", MAX_RETRY_DELAY_SECONDS),
                    ):
                        self._at_most(rule, key, high, here.sub(key))
                elif isinstance(rule.get("ResultPath"), str) and rule["ResultPath"].startswith(
                    "$$"
                ):
                    self.add(
                        here.sub("ResultPath"),
                        "ResultPath cannot write into the context object ($$)",
                    )

    def _comment(self, holder: Mapping[str, Any], where: _At) -> None:
        if "Comment" in holder and not isinstance(holder["Comment"], str):
            self.add(where.sub("Comment"), f"Comment must be a string, not {holder['Comment']!r}")

    def _at_most(self, holder: Mapping[str, Any], field: str, high: int, where: _At) -> None:
        value = holder.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and value > high:
            self.add(where, f"{field} must be at most {high}, not {value}")

    def _enums(self, config: Mapping[str, Any], where: _At) -> None:
        for field, values in _ENUMS.items():
            if field in config and config[field] not in values:
                self.add(
                    where.sub(field),
                    f"{field} must be one of {', '.join(values)}, not {config[field]!r}",
                )

    def _exclusive(self, holder: Mapping[str, Any], field: str, where: _At) -> None:
        if field in holder and f"{field}Path" in holder:
            self.add(
                where,
                f"There should only be one of the following fields: [{field}, {field}Path]",
            )


def _language(field: str, language: str, needed: str) -> str:
    return (
        f"The QueryLanguage is set to {language!r}, but field {field!r} is only supported "
        f"for the {needed!r} QueryLanguage"
    )


def _bad_name_char(ch: str) -> bool:
    code = ord(ch)
    return ch in _NAME_SPECIALS or ch.isspace() or code < 0x20 or 0x7F <= code <= 0x9F


def _colliding_keys(template: Any, field: str) -> Iterator[tuple[str, str]]:
    """(location, key) of every object key present both with and without ``.$``."""
    if isinstance(template, Mapping):
        plain = {k for k in template if isinstance(k, str) and not k.endswith(".$")}
        for key in template:
            if isinstance(key, str) and key.endswith(".$") and key[:-2] in plain:
                yield field, key[:-2]
        for key, value in template.items():
            yield from _colliding_keys(value, f"{field}.{key}")
    elif isinstance(template, list):
        for index, item in enumerate(template):
            yield from _colliding_keys(item, f"{field}[{index}]")


def _unparsable(value: Any, field: str) -> Iterator[tuple[str, str]]:
    """(location, message) of every ``{% ... %}`` expression in `value` that does not parse."""
    from flowtasks.expressions.jsonata import expression_problem, is_expression

    if is_expression(value):
        problem = expression_problem(value)
        if problem is not None:
            yield field, f"the JSONata expression {value!r} does not parse: {problem}"
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _unparsable(item, f"{field}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unparsable(item, f"{field}[{index}]")
