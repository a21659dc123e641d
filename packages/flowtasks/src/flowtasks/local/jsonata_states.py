"""States in the JSONata query language (``"QueryLanguage": "JSONata"``), with variables.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html and
https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html: a JSONata state has
no InputPath/Parameters/ResultSelector/ResultPath/OutputPath; instead

- ``Arguments`` (Task, Parallel) is the task's / branches' input (default: the state input);
- ``Output`` is the state output (default: the task / branches / iterations result for Task,
  Parallel and Map, the state input otherwise; a catcher's default is ``$states.errorOutput``);
- ``Assign`` sets workflow variables; Output and Assign both see the variables as they were
  before the state, then the assignments apply (to this scope: a Parallel branch or Map
  iteration starts with a copy of the outer variables and its assignments stay inside);
- Choice rules test ``Condition``; Map takes ``Items`` and a JSONata ``ItemSelector``;
  Wait's Seconds/Timestamp, Task's TimeoutSeconds/HeartbeatSeconds, Map's MaxConcurrency and
  ToleratedFailure* may be expressions; Fail's Error and Cause too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flowtasks.asl.states_errors import StatesErrorName, StatesFailure
from flowtasks.expressions.jsonata import Evaluator, compile_value, is_expression
from flowtasks.limits import MAX_WAIT_DELAY_SECONDS, MAX_WAIT_SECONDS
from flowtasks.local.retry import Catcher
from flowtasks.local.state import State
from flowtasks.local.state_basic import timestamp_seconds
from flowtasks.local.state_map import MapState, threshold
from flowtasks.local.state_parallel import ParallelState
from flowtasks.local.state_task import TaskState
from flowtasks.local.variables import assign_variables

if TYPE_CHECKING:
    from flowtasks.local.engine import Runtime, Scope

__all__ = ["JSONATA_STATES"]


_EXPRESSION_FIELDS = (
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
)


class Outputs:
    """Output and Assign of a state (or a Choice rule, or a catcher)."""

    def __init__(self, spec: Mapping[str, Any], where: str) -> None:
        self.output = compile_value(spec["Output"], f"{where}.Output") if "Output" in spec else None
        self.assign = compile_value(spec["Assign"], f"{where}.Assign") if "Assign" in spec else None

    def apply(self, scope: Scope, states: Mapping[str, Any], default: Any, state: str) -> Any:
        variables = scope.variables
        output = default if self.output is None else self.output(states, variables)
        if self.assign is not None:
            assigned = self.assign(states, variables)
            if not isinstance(assigned, dict):
                raise StatesFailure(StatesErrorName.RUNTIME, "Assign must be a JSON object")
            assign_variables(scope, assigned, state)
        return output


def _number(
    value: Any, where: str, highest: float | None = None
) -> Callable[[Mapping[str, Any], Mapping[str, Any]], Any]:
    evaluate = compile_value(value, where)

    def read(states: Mapping[str, Any], variables: Mapping[str, Any]) -> Any:
        number = evaluate(states, variables)
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or number < 0
            or (highest is not None and number > highest)
        ):
            limit = "" if highest is None else f" up to {highest:.0f}"
            raise StatesFailure(
                StatesErrorName.RUNTIME,
                f"{where} must be a non-negative number{limit}, got {number!r}",
            )
        return number

    return read


def _without_expressions(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if not (k in _EXPRESSION_FIELDS and is_expression(v))}


class _Guarded:
    """Catch outputs for JSONata Task / Parallel / Map states (mixed into their classes)."""

    name: str
    catchers: tuple[Catcher, ...]
    spec: Mapping[str, Any]

    def _compile_catch(self) -> None:
        self.catch_outputs = [
            Outputs(catch, f"{self.name}.Catch[{i}]")
            for i, catch in enumerate(self.spec.get("Catch") or ())
        ]

    def caught(
        self,
        rt: Runtime,
        scope: Scope,
        catcher: Catcher,
        value: Any,
        failure: StatesFailure,
        entered_time: str,
    ) -> Any:
        error_output = {"Error": failure.error, "Cause": failure.cause}
        ctx = State.context(self, rt, entered_time)  # type: ignore[arg-type]
        states = {"input": value, "context": ctx, "errorOutput": error_output}
        outputs = self.catch_outputs[self.catchers.index(catcher)]
        return outputs.apply(scope, states, error_output, self.name)


class JPass(State):
    kind = "Pass"
    query_language = "JSONata"

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, {})
        self.next = spec.get("Next")
        self.outputs = Outputs(spec, name)

    def execute(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        states = {"input": value, "context": self.context(rt, entered_time)}
        return self.outputs.apply(scope, states, value, self.name), self.next


class JSucceed(JPass):
    kind = "Succeed"


class JFail(State):
    kind = "Fail"
    query_language = "JSONata"
    has_exit = False

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, {})
        # An absent Error or Cause stays absent (None), as AWS records it.
        self.error = compile_value(spec["Error"], f"{name}.Error") if "Error" in spec else None
        self.cause = compile_value(spec["Cause"], f"{name}.Cause") if "Cause" in spec else None

    def execute(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        states = {"input": value, "context": self.context(rt, entered_time)}
        error = None if self.error is None else self.error(states, scope.variables)
        cause = None if self.cause is None else self.cause(states, scope.variables)
        raise StatesFailure(
            None if error is None else str(error), None if cause is None else str(cause)
        )


class JChoice(State):
    kind = "Choice"
    query_language = "JSONata"

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, {})
        self.rules = [
            (
                compile_value(rule.get("Condition"), f"{name}.Choices[{i}].Condition"),
                rule["Next"],
                Outputs(rule, f"{name}.Choices[{i}]"),
            )
            for i, rule in enumerate(spec.get("Choices") or ())
        ]
        self.default: str | None = spec.get("Default")
        self.outputs = Outputs(spec, name)

    def execute(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        states = {"input": value, "context": self.context(rt, entered_time)}
        for condition, following, outputs in self.rules:
            verdict = condition(states, scope.variables)
            if not isinstance(verdict, bool):
                raise StatesFailure(
                    StatesErrorName.QUERY_EVALUATION_ERROR,
                    f"Choice state {self.name!r}: a Condition must be a boolean, got {verdict!r}",
                )
            if verdict:
                return outputs.apply(scope, states, value, self.name), following
        if self.default is None:
            raise StatesFailure(
                StatesErrorName.NO_CHOICE_MATCHED,
                f"No Choice Rule matched and there is no Default in Choice state {self.name!r}.",
            )
        return self.outputs.apply(scope, states, value, self.name), self.default


class JWait(State):
    kind = "Wait"
    query_language = "JSONata"

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, {})
        self.next = spec.get("Next")
        self.seconds = (
            _number(spec["Seconds"], f"{name}.Seconds", MAX_WAIT_SECONDS)
            if "Seconds" in spec
            else None
        )
        self.timestamp = (
            compile_value(spec["Timestamp"], f"{name}.Timestamp") if "Timestamp" in spec else None
        )
        self.outputs = Outputs(spec, name)

    def execute(
        self, rt: Runtime, scope: Scope, value: Any, entered_time: str
    ) -> tuple[Any, str | None]:
        states = {"input": value, "context": self.context(rt, entered_time)}
        seconds: float = 0
        if self.seconds is not None:
            seconds = self.seconds(states, scope.variables)
        elif self.timestamp is not None:
            moment = self.timestamp(states, scope.variables)
            at = timestamp_seconds(moment)
            if at is None:
                # AWS's error and cause (LocalStack's AWS-recorded test_wait_timestamp_jsonata).
                shown = moment if isinstance(moment, str) else json.dumps(moment)
                raise StatesFailure(
                    StatesErrorName.QUERY_EVALUATION_ERROR,
                    "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                    f"date-time format string: {shown}",
                )
            seconds = at - rt.now()
        if seconds > MAX_WAIT_DELAY_SECONDS:
            raise StatesFailure(StatesErrorName.RUNTIME, "Wait state delay is too long.")
        rt.sleep(seconds, scope.cancel)
        return self.outputs.apply(scope, states, value, self.name), self.next


class JTask(_Guarded, TaskState):
    query_language = "JSONata"

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, _without_expressions(spec))
        self.spec = spec
        self.arguments = (
            compile_value(spec["Arguments"], f"{name}.Arguments") if ("Arguments" in spec) else None
        )
        self.timeout_expr = (
            _number(spec["TimeoutSeconds"], f"{name}.TimeoutSeconds")
            if (is_expression(spec.get("TimeoutSeconds")))
            else None
        )
        self.heartbeat_expr = (
            _number(spec["HeartbeatSeconds"], f"{name}.HeartbeatSeconds")
            if (is_expression(spec.get("HeartbeatSeconds")))
            else None
        )
        self.outputs = Outputs(spec, name)
        self._compile_catch()

    def prepare(
        self, rt: Runtime, scope: Scope, value: Any, ctx: dict[str, Any]
    ) -> tuple[Any, Any, Any]:
        states = {"input": value, "context": ctx}
        variables = scope.variables
        params = value if self.arguments is None else self.arguments(states, variables)
        timeout = (
            self.timeout if self.timeout_expr is None else self.timeout_expr(states, variables)
        )
        heartbeat = (
            self.heartbeat
            if self.heartbeat_expr is None
            else self.heartbeat_expr(states, variables)
        )
        return params, timeout, heartbeat

    def complete(
        self, rt: Runtime, scope: Scope, value: Any, result: Any, ctx: dict[str, Any]
    ) -> Any:
        states = {"input": value, "context": ctx, "result": result}
        return self.outputs.apply(scope, states, result, self.name)


class JParallel(_Guarded, ParallelState):
    query_language = "JSONata"

    def __init__(self, name: str, spec: Mapping[str, Any], language: str = "JSONata") -> None:
        super().__init__(name, spec, language)
        self.arguments = (
            compile_value(spec["Arguments"], f"{name}.Arguments") if ("Arguments" in spec) else None
        )
        self.outputs = Outputs(spec, name)
        self._compile_catch()

    def branch_input(self, rt: Runtime, scope: Scope, value: Any, ctx: dict[str, Any]) -> Any:
        if self.arguments is None:
            return value
        return self.arguments({"input": value, "context": ctx}, scope.variables)

    def complete(
        self, rt: Runtime, scope: Scope, value: Any, result: Any, ctx: dict[str, Any]
    ) -> Any:
        states = {"input": value, "context": ctx, "result": result}
        return self.outputs.apply(scope, states, result, self.name)


class JMap(_Guarded, MapState):
    query_language = "JSONata"

    def __init__(self, name: str, spec: Mapping[str, Any], language: str = "JSONata") -> None:
        plain = {k: v for k, v in _without_expressions(spec).items() if k != "ItemSelector"}
        super().__init__(name, plain, language)
        self.spec = spec
        self.items_expr = compile_value(spec["Items"], f"{name}.Items") if "Items" in spec else None
        self.selector: Evaluator | None = (
            compile_value(spec["ItemSelector"], f"{name}.ItemSelector")
            if "ItemSelector" in spec
            else None
        )
        self.numbers = {
            key: _number(spec[key], f"{name}.{key}")
            for key in _EXPRESSION_FIELDS
            if is_expression(spec.get(key))
        }
        self.outputs = Outputs(spec, name)
        self._compile_catch()

    def items(self, effective: Any, ctx: Any, variables: Mapping[str, Any]) -> list[Any]:
        """The items to iterate, AWS's causes when they are no array (LocalStack's AWS-recorded
        test_map_state_items_eval_jsonata_fail and test_map_state_items_input_types)."""
        if self.items_expr is None:
            if not isinstance(effective, list):
                raise StatesFailure(
                    StatesErrorName.QUERY_EVALUATION_ERROR,
                    f"Map state input must be an array but was: {_json(effective)}",
                )
            return effective
        items = self.items_expr({"input": effective, "context": ctx}, variables)
        if not isinstance(items, list):
            source = self.spec["Items"]
            expression = source[2:-2].strip() if isinstance(source, str) else _json(source)
            raise StatesFailure(
                StatesErrorName.QUERY_EVALUATION_ERROR,
                f"The JSONata expression '{expression}' specified for the field 'Items' returned "
                f"an unexpected result type. Expected 'array', but was '{_kind(items)}' for "
                f"value: {_json(items)}",
            )
        return items

    def item_inputs(
        self, items: list[Any], effective: Any, ctx: dict[str, Any], variables: Mapping[str, Any]
    ) -> list[Any]:
        if self.selector is None:
            return items
        inputs = []
        for index, item in enumerate(items):
            item_ctx = {**ctx, "Map": {"Item": {"Index": index, "Value": item}}}
            inputs.append(self.selector({"input": effective, "context": item_ctx}, variables))
        return inputs

    def _read(self, key: str, effective: Any, ctx: Any, variables: Mapping[str, Any]) -> Any:
        reader = self.numbers.get(key)
        if reader is None:
            return self.spec.get(key)
        return reader({"input": effective, "context": ctx}, variables)

    def concurrency(self, effective: Any, ctx: Any, variables: Mapping[str, Any]) -> int:
        return int(self._read("MaxConcurrency", effective, ctx, variables) or 0)

    def tolerance(
        self, effective: Any, ctx: Any, variables: Mapping[str, Any]
    ) -> Callable[[int, int], bool] | None:
        return threshold(
            self._read("ToleratedFailureCount", effective, ctx, variables),
            self._read("ToleratedFailurePercentage", effective, ctx, variables),
        )

    def complete(
        self, rt: Runtime, scope: Scope, value: Any, result: Any, ctx: dict[str, Any]
    ) -> Any:
        states = {"input": value, "context": ctx, "result": result}
        return self.outputs.apply(scope, states, result, self.name)


JSONATA_STATES: dict[str, type[State]] = {
    "Pass": JPass,
    "Succeed": JSucceed,
    "Fail": JFail,
    "Choice": JChoice,
    "Wait": JWait,
    "Task": JTask,
    "Parallel": JParallel,
    "Map": JMap,
}


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _kind(value: Any) -> str:
    """The JSON type name of `value`, as AWS names it in its causes."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"
