"""Pass, Choice, Wait, Succeed and Fail states.

Semantics: https://states-language.net/spec.html (Pass, Choice, Wait, Succeed, Fail State) and
the developer guide pages "Pass workflow state", "Choice workflow state", "Wait workflow state",
"Succeed workflow state", "Fail workflow state".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flowtasks.asl.choice_rules import parse_timestamp
from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.limits import MAX_WAIT_DELAY_SECONDS, MAX_WAIT_SECONDS
from flowtasks.local.state import Reader, State, result_path, template
from flowtasks.local.variables import Assigner, assign_variables

if TYPE_CHECKING:
    from flowtasks.local.engine import Runtime, Scope

__all__ = [
    "ChoiceState",
    "FailState",
    "PassState",
    "SucceedState",
    "WaitState",
    "timestamp_seconds",
]


class PassState(State):
    kind = "Pass"

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        self.parameters = template(spec.get("Parameters"))
        self.has_result = "Result" in spec
        self.result = spec.get("Result")
        self.result_path = result_path(spec)
        self.assign = self.compile_assign(spec)
        self.plain = (
            self.input_path is None
            and self.parameters is None
            and self.result_path is None
            and self.output_path is None
            and self.assign is None
        )

    def execute(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        if self.plain:
            return (self.result if self.has_result else value), self.next
        ctx = self.context(rt, entered_time, None, scope)
        effective = value if self.input_path is None else self.input_path(value, ctx)
        if self.parameters is not None:
            effective = self.parameters(effective, ctx)
        result = self.result if self.has_result else effective
        if self.assign is None:
            return self.finish(value, result, ctx, self.result_path), self.next
        assigned = self.assign(result, ctx)  # workflow-variables.html: "$" is the result
        output = self.finish(value, result, ctx, self.result_path)
        assign_variables(scope, assigned, self.name)
        return output, self.next


class ChoiceState(State):
    """A Choice state; with ``Assign`` (on rules, or on the state for its Default), the matched
    rule's Assign applies, else the state's when the Default is taken (workflow-variables.html).
    """

    kind = "Choice"

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        from flowtasks.local.choice import compile_choice, compile_rule

        self.chooser = compile_choice(spec)  # also checks every rule (ValueError)
        rules = spec.get("Choices") or ()
        self.default: str | None = spec.get("Default")
        self.default_assign = self.compile_assign(spec)
        self.rules: list[tuple[Callable[[Any, Any], bool], str, Assigner | None]] | None = None
        if self.default_assign is not None or any("Assign" in rule for rule in rules):
            self.rules = [
                (compile_rule(rule), rule["Next"], self.compile_assign(rule)) for rule in rules
            ]

    def _choose(self, effective: Any, ctx: Any) -> tuple[str | None, Assigner | None]:
        """(Next of the first matching rule, its Assign), else (Default, the state's Assign)."""
        assert self.rules is not None
        for test, following, assign in self.rules:
            if test(effective, ctx):
                return following, assign
        return self.default, self.default_assign

    def _no_match(self) -> StatesFailure:
        return StatesFailure(
            StatesErrorName.NO_CHOICE_MATCHED,
            f"No Choice Rule matched and there is no Default in Choice state {self.name!r}.",
        )

    def execute(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        if self.rules is not None:
            return self._execute_assign(rt, scope, value, entered_time)
        ctx = self.context(rt, entered_time, None, scope)
        effective = value if self.input_path is None else self.input_path(value, ctx)
        following = self.chooser(effective, ctx)
        if following is None:
            raise self._no_match()
        output = effective if self.output_path is None else self.output_path(effective, ctx)
        return output, following

    def _execute_assign(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        ctx = self.context(rt, entered_time, None, scope)
        effective = value if self.input_path is None else self.input_path(value, ctx)
        following, assign = self._choose(effective, ctx)
        if following is None:
            raise self._no_match()
        assigned = None if assign is None else assign(effective, ctx)
        output = effective if self.output_path is None else self.output_path(effective, ctx)
        if assigned is not None:
            assign_variables(scope, assigned, self.name)
        return output, following


def timestamp_seconds(text: Any) -> float | None:
    """Epoch seconds of a timestamp as Step Functions accepts it, else None: the one rule of
    `flowtasks.asl.choice_rules.parse_timestamp` (RFC 3339, ISO 8601 *extended* format with a
    time zone: "The TimestampPath parameter does not reference a valid ISO-8601 extended offset
    date-time format string", AWS's cause in LocalStack's AWS-recorded test_wait.py snapshots)."""
    moment = parse_timestamp(text)
    return None if moment is None else moment.timestamp()


class WaitState(State):
    kind = "Wait"

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        from flowtasks.expressions.jsonpath import compile_path

        # validated before running (`flowtasks.asl.validate`): a number, an RFC 3339 timestamp
        self.seconds: float | None = spec.get("Seconds")
        self.timestamp = timestamp_seconds(spec["Timestamp"]) if "Timestamp" in spec else None
        self.seconds_path: Reader | None = (
            compile_path(spec["SecondsPath"]) if "SecondsPath" in spec else None
        )
        self.timestamp_path: Reader | None = (
            compile_path(spec["TimestampPath"]) if "TimestampPath" in spec else None
        )
        self.assign = self.compile_assign(spec)

    def _read(self, reader: Reader, effective: Any, ctx: Any, field: str) -> Any:
        from flowtasks.expressions.jsonpath import PathNotFound

        try:
            return reader(effective, ctx)
        except PathNotFound:
            # AWS's cause (LocalStack's AWS-recorded test_logs.py wait_seconds_path runs).
            raise StatesFailure(
                StatesErrorName.RUNTIME,
                f"The {field} parameter does not reference an input value: {self.spec[field]}",
            ) from None

    def _seconds(self, raw: Any) -> float:
        """What SecondsPath selected, checked as AWS checks it (LocalStack's AWS-recorded
        test_wait.py::test_base_wait_seconds_path[-1, -1.5, 1.5]): a whole, non-negative number."""
        path = self.spec["SecondsPath"]
        shown = raw if isinstance(raw, str) else json.dumps(raw)
        whole = isinstance(raw, int | float) and not isinstance(raw, bool) and raw == int(raw)
        if not whole:
            raise StatesFailure(
                StatesErrorName.RUNTIME,
                f"The SecondsPath parameter cannot be parsed as a long value: {path} == {shown}",
            )
        if raw < 0:
            raise StatesFailure(
                StatesErrorName.RUNTIME,
                f"The SecondsPath parameter references a negative value: {path} == {shown}",
            )
        if raw > MAX_WAIT_SECONDS:
            raise StatesFailure(
                StatesErrorName.RUNTIME,
                f"SecondsPath of Wait state {self.name!r} selected {shown}, more than the "
                f"{MAX_WAIT_SECONDS} seconds a Wait may last.",
            )
        return float(raw)

    def execute(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        ctx = self.context(rt, entered_time, None, scope)
        effective = value if self.input_path is None else self.input_path(value, ctx)
        seconds: float
        if self.seconds is not None:
            seconds = self.seconds
        elif self.timestamp is not None:
            seconds = self.timestamp - rt.now()
        elif self.seconds_path is not None:
            seconds = self._seconds(self._read(self.seconds_path, effective, ctx, "SecondsPath"))
        elif self.timestamp_path is not None:
            raw = self._read(self.timestamp_path, effective, ctx, "TimestampPath")
            moment = timestamp_seconds(raw)
            if moment is None:
                # AWS's cause (LocalStack's AWS-recorded test_wait_timestamppath[] snapshot).
                raise StatesFailure(
                    StatesErrorName.RUNTIME,
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended "
                    f"offset date-time format string: {self.spec['TimestampPath']} == "
                    f"{raw if isinstance(raw, str) else json.dumps(raw)}",
                )
            seconds = moment - rt.now()
        else:
            seconds = 0
        if seconds > MAX_WAIT_DELAY_SECONDS:
            raise StatesFailure(StatesErrorName.RUNTIME, "Wait state delay is too long.")
        rt.sleep(seconds, scope.cancel)
        assigned = None if self.assign is None else self.assign(effective, ctx)
        output = effective if self.output_path is None else self.output_path(effective, ctx)
        if assigned is not None:
            assign_variables(scope, assigned, self.name)
        return output, self.next


class SucceedState(State):
    kind = "Succeed"

    def execute(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        if self.input_path is None and self.output_path is None:
            return value, None
        ctx = self.context(rt, entered_time, None, scope)
        effective = value if self.input_path is None else self.input_path(value, ctx)
        output = effective if self.output_path is None else self.output_path(effective, ctx)
        return output, None


class FailState(State):
    kind = "Fail"
    has_exit = False

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        self.error = spec.get("Error")
        self.cause = spec.get("Cause")
        self.error_path = _string_source(spec.get("ErrorPath"))
        self.cause_path = _string_source(spec.get("CausePath"))

    def _text(
        self, reader: Reader | None, fixed: Any, value: Any, ctx: Any, field: str
    ) -> str | None:
        """The Error or Cause: None when the state has neither the field nor its Path (AWS
        then records no ``error``/``cause`` at all; ``test_base.py::test_state_fail_empty``)."""
        if reader is None:
            return fixed if isinstance(fixed, str) else None
        from flowtasks.expressions.jsonpath import PathNotFound

        try:
            text = reader(value, ctx)
        except PathNotFound:
            text = None
        if not isinstance(text, str):
            raise StatesFailure(
                StatesErrorName.RUNTIME,
                f"{field} of Fail state {self.name!r} must select a string, got {text!r}.",
            )
        return text

    def execute(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        ctx = self.context(rt, entered_time, None, scope)
        error = self._text(self.error_path, self.error, value, ctx, "ErrorPath")
        cause = self._text(self.cause_path, self.cause, value, ctx, "CausePath")
        raise StatesFailure(error, cause)


def _string_source(path: Any) -> Reader | None:
    """ErrorPath / CausePath: a path (``$...``/``$$...``) or an intrinsic function."""
    if not isinstance(path, str):
        return None
    from flowtasks.expressions.intrinsic_parser import compile_intrinsic, is_intrinsic
    from flowtasks.expressions.jsonpath import compile_path

    return compile_intrinsic(path) if is_intrinsic(path) else compile_path(path)
