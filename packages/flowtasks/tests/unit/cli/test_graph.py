"""Drawing ASL as Mermaid and dot, from hand-written definitions (flowtasks.asl.diagram)."""

from __future__ import annotations

from typing import Any

import pytest

from flowtasks.asl.diagram import describe_condition, render, to_dot, to_mermaid

# Choice rule shapes follow the ASL spec, "Choice Rules": https://states-language.net/spec.html#choice-state
MACHINE: dict[str, Any] = {
    "StartAt": "Fetch",
    "States": {
        "Fetch": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Catch": [
                {"ErrorEquals": ["Vendor.NotReady", "TimeoutError"], "Next": "GiveUp"},
                {"ErrorEquals": ["States.ALL"], "Next": "GiveUp"},
            ],
            "Next": "Route",
        },
        "Route": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.count", "NumericGreaterThan": 0, "Next": "Fan"},
                {
                    "And": [
                        {"Variable": "$.kind", "StringEquals": "csv"},
                        {"Not": {"Variable": "$.size", "NumericLessThanEqualsPath": "$.max"}},
                    ],
                    "Next": "Both",
                },
            ],
            "Default": "Nothing",
        },
        "Fan": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "Handle",
                "States": {"Handle": {"Type": "Pass", "End": True}},
            },
            "Next": "Done",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Left",
                    "States": {"Left": {"Type": "Wait", "Seconds": 1, "End": True}},
                },
                {"StartAt": "Right", "States": {"Right": {"Type": "Succeed"}}},
            ],
            "Next": "Done",
        },
        "Nothing": {"Type": "Pass", "Next": "Done"},
        "GiveUp": {"Type": "Fail", "Error": "Fetch.Failed"},
        "Done": {"Type": "Succeed"},
    },
}


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"Variable": "$.count", "NumericGreaterThan": 0}, "$.count > 0"),
        ({"Variable": "$.n", "NumericLessThanEquals": 2.5}, "$.n <= 2.5"),
        ({"Variable": "$.s", "StringEquals": "done"}, '$.s == "done"'),
        ({"Variable": "$.a", "NumericGreaterThanEqualsPath": "$.b"}, "$.a >= $.b"),
        ({"Variable": "$.f", "StringMatches": "*.csv"}, '$.f matches "*.csv"'),
        ({"Variable": "$.ok", "BooleanEquals": True}, "$.ok == true"),
        (
            {"Variable": "$.t", "TimestampLessThan": "2026-01-01T00:00:00Z"},
            '$.t < "2026-01-01T00:00:00Z"',
        ),
        ({"Variable": "$.x", "IsPresent": False}, "$.x is absent"),
        ({"Variable": "$.x", "IsNull": True}, "$.x is null"),
        ({"Variable": "$.x", "IsNumeric": True}, "$.x is a number"),
        ({"Variable": "$.x", "IsTimestamp": False}, "$.x is not a timestamp"),
        (
            {
                "Or": [
                    {"Variable": "$.a", "IsString": True},
                    {"Not": {"Variable": "$.b", "IsBoolean": True}},
                ]
            },
            "$.a is a string or (not $.b is a boolean)",
        ),
        ({"Condition": "{% $states.input.n > 1 %}"}, "$states.input.n > 1"),
    ],
)
def test_describe_condition_reads_like_the_rule(rule: dict[str, Any], text: str) -> None:
    assert describe_condition(rule) == text


def test_mermaid_draws_every_state_with_start_and_end() -> None:
    text = to_mermaid(MACHINE)

    assert text.startswith("flowchart TD\n")
    assert '_start(("start"))' in text
    assert '_end(("end"))' in text
    assert "    _start --> s_Fetch\n" in text
    assert 's_Fetch["Fetch"]' in text
    assert 's_Route{"Route"}' in text  # a Choice is a rhombus
    assert 's_Left[/"Left"/]' in text
    assert 's_Fan[["Fan"]]' in text
    assert 's_GiveUp(["GiveUp"])' in text
    for name in ("Handle", "Right", "Nothing", "Done", "Both"):
        assert f'"{name}"' in text


def _edges(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if "-->" in line or "-.->" in line]


def test_mermaid_labels_choice_rules_default_and_catches() -> None:
    edges = _edges(to_mermaid(MACHINE))

    assert 's_Route -->|"$.count #gt; 0"| s_Fan' in edges
    assert 's_Route -->|"$.kind == #quot;csv#quot; and (not $.size #lt;= $.max)"| s_Both' in edges
    assert 's_Route -->|"Default"| s_Nothing' in edges
    assert 's_Fetch -.->|"Vendor.NotReady, TimeoutError"| s_GiveUp' in edges
    assert 's_Fetch -.->|"States.ALL"| s_GiveUp' in edges
    assert "s_Fetch --> s_Route" in edges


def test_mermaid_puts_map_iterators_and_parallel_branches_in_subgraphs() -> None:
    lines = to_mermaid(MACHINE).splitlines()

    start = lines.index('    subgraph c_Fan_1["Fan: each item"]')
    assert lines[start + 1 : start + 4] == [
        "        direction TB",
        '        s_Handle("Handle")',
        "    end",
    ]
    first = lines.index('    subgraph c_Both_1["Both: branch 1"]')
    assert lines[first + 2] == '        s_Left[/"Left"/]'
    second = lines.index('    subgraph c_Both_2["Both: branch 2"]')
    assert lines[second + 2] == '        s_Right(["Right"])'
    edges = _edges("\n".join(lines))
    assert "s_Fan -.-> s_Handle" in edges
    assert "s_Both -.-> s_Left" in edges
    assert "s_Both -.-> s_Right" in edges


def test_states_that_end_the_top_level_go_to_end_but_branch_ends_do_not() -> None:
    ends = {edge.split()[0] for edge in _edges(to_mermaid(MACHINE)) if edge.endswith("_end")}

    assert ends == {"s_GiveUp", "s_Done"}


def test_state_names_become_unique_safe_ids() -> None:
    machine = {
        "StartAt": "Fetch orders",
        "States": {
            "Fetch orders": {"Type": "Pass", "Next": "Fetch_orders"},
            "Fetch_orders": {"Type": "Pass", "End": True},
        },
    }
    text = to_mermaid(machine)
    assert 's_Fetch_orders("Fetch orders")' in text
    assert 's_Fetch_orders_2("Fetch_orders")' in text
    assert "s_Fetch_orders --> s_Fetch_orders_2" in text


def test_mermaid_marks_outcomes_with_class_defs() -> None:
    outcomes = {"Fetch": "succeeded", "Route": "succeeded", "Nothing": "failed", "Both": "caught"}
    text = to_mermaid(MACHINE, outcomes=outcomes)
    lines = text.splitlines()

    assert "    classDef succeeded fill:#d4edda,stroke:#2e7d32,color:#1b5e20" in lines
    assert "    class s_Fetch,s_Route succeeded" in lines
    assert "    class s_Nothing failed" in lines
    assert "    class s_Both caught" in lines
    not_run = next(line for line in lines if line.startswith("    class ") and "not_run" in line)
    assert "s_GiveUp" in not_run
    assert "s_Fetch" not in not_run


def test_without_outcomes_no_styles() -> None:
    assert "classDef" not in to_mermaid(MACHINE)


def test_dot_has_clusters_labels_and_fills() -> None:
    text = to_dot(MACHINE, outcomes={"Fetch": "failed"}, title="demo.X")

    assert text.startswith('digraph "demo.X" {')
    assert 's_Route -> s_Fan [label="$.count > 0"];' in text
    assert 's_Route -> s_Both [label="$.kind == \\"csv\\" and (not $.size <= $.max)"];' in text
    assert 's_Fetch -> s_GiveUp [label="States.ALL", style="dashed", color="#c62828"];' in text
    assert "subgraph cluster_c_Fan_1 {" in text
    assert 'label="Fan: each item"; style="dashed";' in text
    assert 's_Fetch [label="Fetch", fillcolor="#f8d7da"' in text
    assert 's_Route [label="Route", shape=diamond, fillcolor="#eeeeee"' in text
    assert text.rstrip().endswith("}")


def test_rendering_is_deterministic_and_render_dispatches() -> None:
    assert render(MACHINE, "mermaid") == to_mermaid(MACHINE) == to_mermaid(dict(MACHINE))
    assert render(MACHINE, "dot") == to_dot(MACHINE)
    with pytest.raises(ValueError, match="unknown graph format 'svg'"):
        render(MACHINE, "svg")


def test_older_iterator_field_is_drawn_too() -> None:
    machine = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    text = to_mermaid(machine)
    assert 'subgraph c_M_1["M: each item"]' in text
    assert "s_M -.-> s_I" in text
