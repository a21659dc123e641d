"""Compile a `Flow` to canonical ASL: a pure, deterministic visit of its chains.

``compile_flow(flow, domain)`` places every chain (Choice rules, Catch handlers, Parallel
branches, Map iterators) as ASL states, wires Next/End from the chains' order, turns our Tasks
into the container protocol of `flowtasks.protocol`, then checks the result. Every problem found is
raised at once in a `DefinitionError`, located by flow, state, field and the definition's source.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from flowtasks.asl.canonical import to_json
from flowtasks.asl.checks import value_problem
from flowtasks.asl.task_resource import task_resource
from flowtasks.asl.validate import validate_definition
from flowtasks.asl.warnings import flow_warnings
from flowtasks.dsl._unset import UNSET
from flowtasks.dsl.chain import Chain, Goto, State, as_chain
from flowtasks.dsl.flow import Flow
from flowtasks.dsl.map import Map
from flowtasks.dsl.retry import Catch, Retry
from flowtasks.dsl.start_flow import StartFlow
from flowtasks.dsl.states import Choice, Parallel, Wait
from flowtasks.dsl.task import TaskState
from flowtasks.errors import DefinitionError, Problem
from flowtasks.limits import DISTRIBUTED_MAP_MAX_CONCURRENCY

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


@dataclass(frozen=True)
class Compiled:
    """A compiled flow: its ASL `definition`, `warnings`, and the ``${...}`` names it uses."""

    qualified_name: str
    definition: dict[str, Any]
    warnings: tuple[Problem, ...] = ()
    substitutions: tuple[str, ...] = field(default=())

    def to_json(self) -> str:
        """The definition as canonical JSON text."""
        return to_json(self.definition)


_CHOICE_RULE = re.compile(r"Choices\[(?P<index>\d+)\]")
"""The field of a problem about one Choice rule: ``Choices[<i>]``."""


def compile_flow(flow: Flow, domain: str) -> Compiled:
    """Compile `flow` of `domain` to ASL; raise `DefinitionError` listing every problem."""
    qualified = f"{domain}.{flow.name}"
    builder = _Builder(flow, qualified)
    definition = builder.build()
    sources = builder.sources
    located = {p.where for p in builder.problems}
    found = validate_definition(
        definition, subject=qualified, source_of=sources.get, check_graph=not builder.duplicates
    )
    problems = [
        builder.at_rule_source(p)
        for p in builder.problems
        + [p for p in found if p.where not in located and not builder.reported_in_dsl(p)]
    ]
    errors = sorted({p for p in problems if p.severity == "error"}, key=builder.order)
    if errors:
        raise DefinitionError(errors, subject=f"flow {qualified}")
    definition = json.loads(to_json(definition))
    map_items = {
        s.name: s.max_items for s in flow.states() if isinstance(s, Map) and s.max_items is not None
    }
    warnings = tuple(
        flow_warnings(
            definition,
            where=qualified,
            flow_type=flow.type,
            map_items=map_items,
            source_of=sources,
        )
    )
    names = sorted(set(re.findall(r"\$\{([^}]+)\}", to_json(definition))))
    return Compiled(qualified, definition, warnings, tuple(names))


class _Builder:
    """Places a flow's chains into ASL state machines, collecting problems as it goes."""

    def __init__(self, flow: Flow, qualified: str) -> None:
        self.flow = flow
        self.qualified = qualified
        self.problems: list[Problem] = []
        self.sources: dict[str, str] = {}
        self.rule_sources: dict[tuple[str, int], str] = {}
        """(Choice state, rule index) -> the ``file:line`` of its ``.when(...)`` call."""
        self.placed: dict[str, State] = {}
        self.rank: dict[str, int] = {}
        self.duplicates = False
        self.next_of: dict[str, str | None] = {}
        """Where each placed state continues (None: the end of its state machine)."""
        self.bad_task_parameters: set[str] = set()
        """Task states whose DSL parameters had a bad '.$' value, already reported as written."""

    def order(self, problem: Problem) -> tuple[int, str, str]:
        """Sort key: problems in definition order, then by location."""
        return self.rank.get(problem.state or "", -1), problem.where, problem.message

    def reported_in_dsl(self, problem: Problem) -> bool:
        """True for a validator problem in a Task's generated Parameters that `task` reported
        already, located at the parameter as the flow wrote it."""
        return problem.state in self.bad_task_parameters and (problem.field or "").startswith(
            "Parameters"
        )

    def at_rule_source(self, problem: Problem) -> Problem:
        """`problem`, located at its ``.when(...)`` line when it is about one Choice rule."""
        match = _CHOICE_RULE.fullmatch(problem.field or "")
        if match is None or problem.state is None:
            return problem
        source = self.rule_sources.get((problem.state, int(match["index"])))
        return problem if source is None else replace(problem, source=source)

    def problem(self, state: str | None, fld: str | None, message: str, source: str | None) -> None:
        self.problems.append(
            Problem(self.qualified, message, state=state, field=fld or None, source=source)
        )

    def build(self) -> dict[str, Any]:
        flow = self.flow
        if not _NAME.match(flow.name):
            self.problem(
                None,
                "name",
                f"flow name {flow.name!r} must be 1-80 letters, digits, '-' or '_'",
                flow.source,
            )
        if flow.type not in ("STANDARD", "EXPRESS"):
            self.problem(None, "type", "type must be 'STANDARD' or 'EXPRESS'", flow.source)
        definition: dict[str, Any] = {}
        if flow.description:
            definition["Comment"] = flow.description
        definition |= self.machine(flow.definition)
        if flow.timeout_seconds is not None:
            definition["TimeoutSeconds"] = flow.timeout_seconds
        return definition

    def machine(self, chain: Chain) -> dict[str, Any]:
        states: dict[str, Any] = {}
        start = self.place(chain, None, states)
        return {"StartAt": start or "", "States": states}

    def place(self, chain: Chain, continuation: str | None, states: dict[str, Any]) -> str | None:
        """Place `chain` in `states`; its open end continues at `continuation` (None: End)."""
        nodes = chain.nodes
        if not nodes:
            self.problem(None, None, "an empty chain: give it at least one state", chain.source)
            return continuation
        for index, node in enumerate(nodes):
            if isinstance(node, Goto):
                if index + 1 < len(nodes):
                    after = nodes[index + 1]
                    name = after.name if isinstance(after, State) else after.target
                    self.problem(
                        name,
                        None,
                        f"nothing can follow Goto({node.target!r}) in a chain; "
                        "end the chain with the Goto",
                        after.source,
                    )
                continue
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            if following is None:
                nxt = continuation
            else:
                nxt = following.name if isinstance(following, State) else following.target
            self.emit(node, nxt, states)
        first = nodes[0]
        return first.name if isinstance(first, State) else first.target

    def target(
        self,
        chain: Chain,
        continuation: str | None,
        states: dict[str, Any],
        owner: State,
        fld: str,
    ) -> str | None:
        """Place a Choice rule's, Default's or Catch's chain (`fld` of `owner`).

        A lone state already placed in this scope is reused: a join, as AWS CDK allows (the
        same handler for two Catch rules, the same state for two Choice rules). It is refused
        when it continues elsewhere than this chain would, since that would be a hidden jump.
        """
        only = chain.nodes[0] if len(chain.nodes) == 1 else None
        if isinstance(only, State) and only.name in states and self.placed[only.name] is only:
            placed_next = self.next_of.get(only.name)
            if not only.terminal and placed_next != continuation:
                self.problem(
                    owner.name,
                    fld,
                    f"{only.name!r} is already placed (at {only.source}) and continues at "
                    f"{_continuing(placed_next)}; reused here it would not continue at "
                    f"{_continuing(continuation)} as this chain does. Write Goto({only.name!r}) "
                    "to jump to it, or use .with_(name=...) for a copy that continues here",
                    owner.source,
                )
            return only.name
        return self.place(chain, continuation, states)

    def emit(self, state: State, nxt: str | None, states: dict[str, Any]) -> None:
        name = state.name
        if name in self.placed:
            other = self.placed[name]
            if other is state:
                message = (
                    f"the same state {name!r} is used twice (defined at {state.source}); a state "
                    "stands in one place: use .with_(name=...) for a second copy, or Goto to jump"
                )
            elif other.source == state.source:  # e.g. Pass("A") >> Pass("A") on one line
                file, _, line = state.source.rpartition(":")
                message = (
                    f"duplicate state name {name!r}: defined twice on line {line} of {file}; "
                    "give one of them another name"
                )
            else:
                message = (
                    f"duplicate state name {name!r}: defined at {other.source} and at "
                    f"{state.source}; give one of them another name"
                )
            self.problem(name, None, message, state.source)
            self.duplicates = True
            return
        self.placed[name] = state
        self.next_of[name] = nxt
        self.sources[name] = state.source
        self.rank[name] = len(self.rank)
        if not name or len(name) > 80:
            self.problem(name, None, "a state name has 1 to 80 characters", state.source)
        body = state.asl_fields()
        if state.comment:
            body["Comment"] = state.comment
        states[name] = body
        if isinstance(state, TaskState):
            self.task(state, body)
        elif isinstance(state, StartFlow):
            body["Parameters"] = state.parameters_for(self.qualified.split(".", 1)[0])
        elif isinstance(state, Choice):
            self.choice(state, nxt, body, states)
        elif isinstance(state, Parallel):
            body["Branches"] = [self.machine(b) for b in state.scopes()]
        elif isinstance(state, Map):
            self.map(state, body)
        elif isinstance(state, Wait) and len(state.given()) != 1:
            self.problem(
                name,
                None,
                "a Wait needs exactly one of seconds, timestamp, seconds_path, timestamp_path",
                state.source,
            )
        retry: tuple[Retry, ...] = getattr(state, "retry", ())
        catch: tuple[Catch, ...] = getattr(state, "catch", ())
        if retry:
            body["Retry"] = [_retrier(r) for r in retry]
        if catch:
            body["Catch"] = [self.catcher(state, i, c, states) for i, c in enumerate(catch)]
        if not isinstance(state, Choice) and not state.terminal:
            if nxt is None:
                body["End"] = True
            else:
                body["Next"] = nxt

    def task(self, state: TaskState[Any, Any], body: dict[str, Any]) -> None:
        resource, parameters, problems = task_resource(state, self.qualified)
        body["Resource"] = resource
        body["Parameters"] = parameters
        for fld, message in problems:
            self.problem(state.name, fld, message, state.source)
        # Each '.$' value is emitted wrapped in States.JsonToString(...): check it as written, so
        # a problem names the parameter and the value the flow gave, not the generated call.
        if isinstance(state.parameters, dict):
            for key, value in state.parameters.items():
                if isinstance(key, str) and key.endswith(".$") and isinstance(value, str):
                    bad = value_problem(value)
                    if bad is not None:
                        self.problem(state.name, f"Parameters.{key}", bad, state.source)
                        self.bad_task_parameters.add(state.name)

    def choice(
        self, state: Choice, nxt: str | None, body: dict[str, Any], states: dict[str, Any]
    ) -> None:
        if not state.rules:
            self.problem(
                state.name, "Choices", "a Choice needs at least one .when(...) rule", state.source
            )
        for index, rule_source in enumerate(state.rule_sources):
            self.rule_sources[(state.name, index)] = rule_source
        body["Choices"] = [
            cond.to_asl() | {"Next": self.target(chain, nxt, states, state, f"Choices[{index}]")}
            for index, (cond, chain) in enumerate(state.rules)
        ]
        default: str | None = nxt
        if state.default is not None:
            default = self.target(state.default, nxt, states, state, "Default")
        if default is not None:
            body["Default"] = default

    def map(self, state: Map, body: dict[str, Any]) -> None:
        processor = {"ProcessorConfig": state.processor_config()}
        body["ItemProcessor"] = processor | self.machine(as_chain(state.iterator))
        limit = DISTRIBUTED_MAP_MAX_CONCURRENCY if state.distributed else None
        concurrency = state.max_concurrency
        if concurrency is not None and (concurrency < 0 or (limit and concurrency > limit)):
            bound = f"0..{limit}" if limit else ">= 0"
            self.problem(
                state.name, "MaxConcurrency", f"max_concurrency must be {bound}", state.source
            )

    def catcher(
        self, state: State, index: int, catch: Catch, states: dict[str, Any]
    ) -> dict[str, Any]:
        target = self.target(as_chain(catch.next), None, states, state, f"Catch[{index}]")
        rule: dict[str, Any] = {"ErrorEquals": list(catch.errors), "Next": target}
        if catch.result_path is not UNSET:
            rule["ResultPath"] = catch.result_path
        return rule


def _continuing(name: str | None) -> str:
    return "the end of its state machine" if name is None else repr(name)


def _retrier(retry: Retry) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "ErrorEquals": list(retry.errors),
        "IntervalSeconds": retry.interval_seconds,
        "MaxAttempts": retry.max_attempts,
        "BackoffRate": retry.backoff_rate,
    }
    if retry.max_delay_seconds is not None:
        rule["MaxDelaySeconds"] = retry.max_delay_seconds
    if retry.jitter is not None:
        rule["JitterStrategy"] = retry.jitter
    return rule
