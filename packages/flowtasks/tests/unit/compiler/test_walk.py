"""`flowtasks.asl.walk`: nested state machines and every state at every depth."""

from __future__ import annotations

from flowtasks.asl.walk import children, iter_states

MACHINE = {
    "StartAt": "P",
    "States": {
        "P": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "M",
                    "States": {
                        "M": {
                            "Type": "Map",
                            "Iterator": {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}},
                            "End": True,
                        }
                    },
                },
            ],
            "Next": "N",
        },
        "N": {
            "Type": "Map",
            "ItemProcessor": {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": True}}},
            "End": True,
        },
        "Broken": "not a state",
    },
}


def test_iter_states_visits_every_depth_in_order_and_skips_malformed_states() -> None:
    assert [name for name, _ in iter_states(MACHINE)] == ["P", "A", "M", "B", "N", "C"]


def test_children_of_parallel_map_and_plain_states() -> None:
    states = MACHINE["States"]
    assert [b["StartAt"] for b in children(states["P"])] == ["A", "M"]  # type: ignore[index]
    assert [b["StartAt"] for b in children(states["N"])] == ["C"]  # type: ignore[index]
    assert children({"Type": "Pass"}) == []
    assert list(iter_states({})) == []


def test_machines_give_each_nested_machine_its_location_language_and_scope() -> None:
    from flowtasks.asl.walk import machines, walk

    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "QueryLanguage": "JSONPath",
                "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}],
                "Next": "Fan",
            },
            "Fan": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED"},
                    "StartAt": "B",
                    "States": {"B": {"Type": "Succeed"}},
                },
                "End": True,
            },
        },
    }
    found = [(m.where, m.language, m.owner, m.distributed) for m in machines(definition, "f")]
    assert found == [
        ("f", "JSONata", None, False),
        ("f > States.Both > Branches[0]", "JSONPath", "Both", False),
        ("f > States.Fan > ItemProcessor", "JSONata", "Fan", True),
    ]
    assert [(s.where, s.language) for s in walk(definition, "f")][1:] == [
        ("f > States.Fan", "JSONata"),
        ("f > States.Both > Branches[0] > States.A", "JSONPath"),
        ("f > States.Fan > ItemProcessor > States.B", "JSONata"),
    ]


def test_in_order_gives_each_state_right_before_the_machines_nested_in_it() -> None:
    from flowtasks.asl.walk import Machine, in_order

    found = [
        f"{item.kind}:{item.where}" if isinstance(item, Machine) else item.name
        for item in in_order(MACHINE, "f")
    ]
    assert found == [
        "root:f",
        "P",
        "branch:f > States.P > Branches[0]",
        "A",
        "branch:f > States.P > Branches[1]",
        "M",
        "processor:f > States.P > Branches[1] > States.M > Iterator",
        "B",
        "N",
        "processor:f > States.N > ItemProcessor",
        "C",
    ]
