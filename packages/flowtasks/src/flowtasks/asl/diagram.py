"""Draw an ASL state machine as a Mermaid flowchart or a Graphviz dot graph (or give its graph as
JSON data, which ``flow-task ui`` lays out and draws in the browser).

Pure functions of the ASL dict (the compiled definition, never the Python objects): every state,
Choice rules labelled with a readable condition (``$.count > 0``) and ``Default``, Catch edges
labelled with their error names, Parallel branches and Map iterators as subgraphs, start and end.
`outcomes` (state name -> one of `OUTCOMES`) marks each state by what it did in a run.
Output is deterministic: same definition, same text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from flowtasks.asl.choice_rules import KINDS, OPERATORS
from flowtasks.asl.walk import children

__all__ = [
    "FORMATS",
    "OUTCOMES",
    "describe_condition",
    "render",
    "to_dot",
    "to_json",
    "to_mermaid",
]

FORMATS = ("mermaid", "dot")
OUTCOMES = ("succeeded", "failed", "caught", "not_run")
"""How a state ended in a run: left normally, failed, failed then caught, never entered."""

_STYLE = {  # outcome -> (fill, stroke, text colour)
    "succeeded": ("#d4edda", "#2e7d32", "#1b5e20"),
    "failed": ("#f8d7da", "#c62828", "#b71c1c"),
    "caught": ("#fff3cd", "#ef6c00", "#8d4a00"),
    "not_run": ("#eeeeee", "#9e9e9e", "#757575"),
}
_COMPARISONS = {
    "Equals": "==",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
}
_TYPE_TESTS = {
    "IsNull": ("is null", "is not null"),
    "IsPresent": ("is present", "is absent"),
    "IsNumeric": ("is a number", "is not a number"),
    "IsString": ("is a string", "is not a string"),
    "IsBoolean": ("is a boolean", "is not a boolean"),
    "IsTimestamp": ("is a timestamp", "is not a timestamp"),
}

EdgeKind = Literal["next", "choice", "default", "catch", "branch"]


@dataclass
class _Node:
    id: str
    name: str
    type: str


@dataclass
class _Edge:
    source: str
    target: str
    kind: EdgeKind
    label: str = ""


@dataclass
class _Cluster:
    id: str
    label: str
    items: list[_Node | _Cluster] = field(default_factory=list)


@dataclass
class _Graph:
    root: _Cluster
    edges: list[_Edge]
    names: dict[str, list[str]]  # state name -> node ids (a name may repeat across branches)


def describe_condition(rule: Mapping[str, Any]) -> str:
    """A readable rendering of a Choice rule's condition: ``$.count > 0``, ``not ($.a is null)``."""
    if "And" in rule or "Or" in rule:
        word = " and " if "And" in rule else " or "
        parts = rule.get("And", rule.get("Or")) or []
        return word.join(_grouped(part) for part in parts)
    if "Not" in rule:
        return f"not {_grouped(rule['Not'])}"
    if "Condition" in rule:  # JSONata
        text = str(rule["Condition"]).strip()
        return text[2:-2].strip() if text.startswith("{%") and text.endswith("%}") else text
    variable = str(rule.get("Variable", "?"))
    key = next((key for key in rule if key in OPERATORS), None)
    if key is None:
        return f"{variable} ?"
    value = rule[key]
    if key in _TYPE_TESTS:
        yes, no = _TYPE_TESTS[key]
        return f"{variable} {yes if value else no}"
    kind = next(kind for kind in KINDS if key.startswith(kind))
    relation = key[len(kind) :].removesuffix("Path")
    right = str(value) if key.endswith("Path") else json.dumps(value, ensure_ascii=False)
    if relation == "Matches":
        return f"{variable} matches {right}"
    return f"{variable} {_COMPARISONS[relation]} {right}"


def _grouped(rule: Mapping[str, Any]) -> str:
    text = describe_condition(rule)
    return f"({text})" if any(key in rule for key in ("And", "Or", "Not")) else text


def _build(definition: Mapping[str, Any]) -> _Graph:
    taken: set[str] = set()
    names: dict[str, list[str]] = {}

    def new_id(prefix: str, name: str) -> str:
        """A readable, unique id: ``s_Fetch_Orders`` for the state "Fetch Orders"."""
        base = prefix + re.sub(r"\W", "_", name, flags=re.ASCII)
        candidate, count = base, 1
        while candidate in taken:
            count += 1
            candidate = f"{base}_{count}"
        taken.add(candidate)
        return candidate

    def scope(
        machine: Mapping[str, Any], cluster: _Cluster, top: bool, edges: list[_Edge]
    ) -> dict[str, str]:
        """Add the nodes of one state machine scope to `cluster` and its edges to `edges`,
        each state's own edges first, then its branches/iterator (edge in, then their edges)."""
        states = _in_run_order(machine)
        ids: dict[str, str] = {}
        nested: dict[str, list[tuple[Mapping[str, Any], _Cluster]]] = {}
        for name, state in states.items():
            node = _Node(new_id("s_", name), name, str(state.get("Type", "?")))
            ids[name] = node.id
            names.setdefault(name, []).append(node.id)
            cluster.items.append(node)
            for index, branch in enumerate(children(state)):
                label = f"{name}: branch {index + 1}" if node.type == "Parallel" else ""
                child = _Cluster(new_id("c_", f"{name}_{index + 1}"), label or f"{name}: each item")
                cluster.items.append(child)
                nested.setdefault(name, []).append((branch, child))
        for name, state in states.items():
            source = ids[name]

            def link(target: Any, kind: EdgeKind, label: str = "", src: str = source) -> None:
                if isinstance(target, str) and target in ids:
                    edges.append(_Edge(src, ids[target], kind, label))

            for rule in state.get("Choices") or []:
                link(rule.get("Next"), "choice", describe_condition(rule))
            link(state.get("Default"), "default", "Default")
            link(state.get("Next"), "next")
            for catcher in state.get("Catch") or []:
                link(catcher.get("Next"), "catch", ", ".join(catcher.get("ErrorEquals") or []))
            ends = state.get("End") is True or state.get("Type") in ("Succeed", "Fail")
            if top and ends:
                edges.append(_Edge(source, "_end", "next"))
            for branch, child in nested.get(name, []):
                inner: list[_Edge] = []
                child_ids = scope(branch, child, False, inner)
                first = child_ids.get(str(branch.get("StartAt")))
                if first is not None:
                    edges.append(_Edge(source, first, "branch"))
                edges.extend(inner)
        return ids

    root = _Cluster("root", "")
    edges: list[_Edge] = []
    ids = scope(definition, root, True, edges)
    start = ids.get(str(definition.get("StartAt")))
    if start is not None:
        edges.insert(0, _Edge("_start", start, "next"))
    return _Graph(root, edges, names)


def _successors(state: Mapping[str, Any]) -> list[str]:
    targets = [rule.get("Next") for rule in state.get("Choices") or []]
    targets += [state.get("Default"), state.get("Next")]
    targets += [catcher.get("Next") for catcher in state.get("Catch") or []]
    return [t for t in targets if isinstance(t, str)]


def _in_run_order(machine: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The states of one scope, depth first from StartAt (the order they can run in), so that
    the drawing reads top to bottom even when the ASL's keys are sorted; unreachable ones last."""
    states: Mapping[str, Any] = machine.get("States") or {}
    ordered: dict[str, Mapping[str, Any]] = {}
    stack = [machine.get("StartAt")]
    while stack:
        name = stack.pop()
        if not isinstance(name, str) or name in ordered or name not in states:
            continue
        ordered[name] = states[name]
        stack.extend(reversed(_successors(states[name])))
    for name, state in states.items():
        ordered.setdefault(name, state)
    return ordered


def _classes(graph: _Graph, outcomes: Mapping[str, str] | None) -> dict[str, list[str]]:
    """outcome -> node ids, for every state when `outcomes` is given (missing: not run)."""
    if outcomes is None:
        return {}
    result: dict[str, list[str]] = {outcome: [] for outcome in OUTCOMES}
    for name, node_ids in graph.names.items():
        outcome = outcomes.get(name, "not_run")
        result.setdefault(outcome, []).extend(node_ids)
    return {outcome: ids for outcome, ids in result.items() if ids}


# --- Mermaid ---------------------------------------------------------------------------------

_MERMAID_SHAPES = {
    "Choice": ('{"', '"}'),
    "Pass": ('("', '")'),
    "Wait": ('[/"', '"/]'),
    "Parallel": ('[["', '"]]'),
    "Map": ('[["', '"]]'),
    "Succeed": ('(["', '"])'),
    "Fail": ('(["', '"])'),
}


def _mermaid_text(text: str) -> str:
    """Quote-safe Mermaid label text (entity codes for characters its parser or HTML would eat)."""
    return (
        text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def to_mermaid(definition: Mapping[str, Any], *, outcomes: Mapping[str, str] | None = None) -> str:
    """A Mermaid ``flowchart`` of the state machine (renders in GitHub Markdown)."""
    graph = _build(definition)
    lines = ["flowchart TD", '    _start(("start"))']

    def emit(cluster: _Cluster, indent: str) -> None:
        for item in cluster.items:
            if isinstance(item, _Node):
                left, right = _MERMAID_SHAPES.get(item.type, ('["', '"]'))
                lines.append(f"{indent}{item.id}{left}{_mermaid_text(item.name)}{right}")
            else:
                lines.append(f'{indent}subgraph {item.id}["{_mermaid_text(item.label)}"]')
                lines.append(f"{indent}    direction TB")
                emit(item, indent + "    ")
                lines.append(f"{indent}end")

    emit(graph.root, "    ")
    lines.append('    _end(("end"))')
    arrows = {"next": "-->", "choice": "-->", "default": "-->", "catch": "-.->", "branch": "-.->"}
    for edge in graph.edges:
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"    {edge.source} {arrows[edge.kind]}{label} {edge.target}")
    for outcome, ids in _classes(graph, outcomes).items():
        fill, stroke, color = _STYLE[outcome]
        lines.append(f"    classDef {outcome} fill:{fill},stroke:{stroke},color:{color}")
        lines.append(f"    class {','.join(ids)} {outcome}")
    return "\n".join(lines) + "\n"


# --- Graphviz dot ----------------------------------------------------------------------------

_DOT_SHAPES = {
    "Choice": "diamond",
    "Wait": "parallelogram",
    "Parallel": "box3d",
    "Map": "box3d",
    "Succeed": "ellipse",
    "Fail": "ellipse",
}


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(
    definition: Mapping[str, Any],
    *,
    outcomes: Mapping[str, str] | None = None,
    title: str = "StateMachine",
) -> str:
    """A Graphviz ``digraph`` of the state machine (``dot -Tsvg`` draws it)."""
    graph = _build(definition)
    fills: dict[str, str] = {}
    for outcome, ids in _classes(graph, outcomes).items():
        for node_id in ids:
            fills[node_id] = outcome
    lines = [
        f"digraph {_dot_text(title)} {{",
        "    rankdir=TB;",
        '    node [shape=box, style="rounded,filled", fillcolor="white", fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        '    _start [label="start", shape=circle, fillcolor="black", fontcolor="white"];',
    ]

    def emit(cluster: _Cluster, indent: str) -> None:
        for item in cluster.items:
            if isinstance(item, _Node):
                attrs = [f"label={_dot_text(item.name)}"]
                if item.type in _DOT_SHAPES:
                    attrs.append(f"shape={_DOT_SHAPES[item.type]}")
                if item.id in fills:
                    fill, stroke, color = _STYLE[fills[item.id]]
                    attrs.append(f'fillcolor="{fill}", color="{stroke}", fontcolor="{color}"')
                lines.append(f"{indent}{item.id} [{', '.join(attrs)}];")
            else:
                lines.append(f"{indent}subgraph cluster_{item.id} {{")
                lines.append(f'{indent}    label={_dot_text(item.label)}; style="dashed";')
                emit(item, indent + "    ")
                lines.append(f"{indent}}}")

    emit(graph.root, "    ")
    lines.append(
        '    _end [label="end", shape=doublecircle, fillcolor="black", fontcolor="white"];'
    )
    styles = {
        "next": "",
        "choice": "",
        "default": "",
        "catch": 'style="dashed", color="#c62828"',
        "branch": 'style="dotted"',
    }
    for edge in graph.edges:
        attrs = [
            a
            for a in (f"label={_dot_text(edge.label)}" if edge.label else "", styles[edge.kind])
            if a
        ]
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"    {edge.source} -> {edge.target}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- JSON data -------------------------------------------------------------------------------


def to_json(
    definition: Mapping[str, Any], *, outcomes: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The same graph as `to_mermaid` and `to_dot`, as JSON-ready data for a drawing program.

    ``{"nodes": [{"id", "name", "type", "cluster", "outcome"}], "clusters": [{"id", "label",
    "parent"}], "edges": [{"source", "target", "kind", "label"}]}``. ``cluster`` and ``parent``
    are a cluster id or None (the top level); ``outcome`` is one of `OUTCOMES` when `outcomes` is
    given, else None. Edges name the pseudo-nodes ``_start`` and ``_end`` as the other formats do.
    """
    graph = _build(definition)
    outcome_of: dict[str, str] = {}
    for outcome, ids in _classes(graph, outcomes).items():
        outcome_of.update(dict.fromkeys(ids, outcome))
    nodes: list[dict[str, Any]] = []
    clusters: list[dict[str, Any]] = []

    def emit(cluster: _Cluster, parent: str | None) -> None:
        for item in cluster.items:
            if isinstance(item, _Node):
                nodes.append(
                    {
                        "id": item.id,
                        "name": item.name,
                        "type": item.type,
                        "cluster": parent,
                        "outcome": outcome_of.get(item.id),
                    }
                )
            else:
                clusters.append({"id": item.id, "label": item.label, "parent": parent})
                emit(item, item.id)

    emit(graph.root, None)
    edges = [
        {"source": e.source, "target": e.target, "kind": e.kind, "label": e.label}
        for e in graph.edges
    ]
    return {"nodes": nodes, "clusters": clusters, "edges": edges}


_RENDERERS: dict[str, Callable[..., str]] = {"mermaid": to_mermaid, "dot": to_dot}


def render(
    definition: Mapping[str, Any], fmt: str, *, outcomes: Mapping[str, str] | None = None
) -> str:
    """`to_mermaid` or `to_dot` by name (one of `FORMATS`)."""
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown graph format {fmt!r}; use one of {', '.join(FORMATS)}") from None
    return renderer(definition, outcomes=outcomes)
