"""What each DSL construct compiles to (ASL field names per https://states-language.net/spec.html)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowtasks import (
    Catch,
    Choice,
    DistributedMap,
    Fail,
    Flow,
    Goto,
    Map,
    Parallel,
    Pass,
    Retry,
    Succeed,
    Var,
    Wait,
    task,
)
from flowtasks.asl import compile_flow
from flowtasks.asl.canonical import to_json
from flowtasks.asl.task_resource import input_parameters
from flowtasks.protocol import ECS_RESOURCE, LAMBDA_RESOURCE, task_call_of


@task
def work(x: Any) -> Any:
    return x


def states_of(chain: Any, **flow: Any) -> dict[str, Any]:
    return compile_flow(Flow("F", chain, **flow), "d").definition["States"]  # type: ignore[no-any-return]


def test_a_chain_wires_next_and_ends_the_flow() -> None:
    compiled = compile_flow(
        Flow("F", Pass("A") >> Pass("B"), description="hi", timeout_seconds=9), "d"
    )
    assert compiled.definition == {
        "Comment": "hi",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "End": True},
        },
        "TimeoutSeconds": 9,
    }
    assert compiled.qualified_name == "d.F"


def test_dataflow_fields_unset_are_left_out_and_none_is_null() -> None:
    states = states_of(
        Pass(
            "P", input_path=None, result_path=None, output_path="$.x", result={"a": 1}, comment="c"
        )
    )
    assert states["P"] == {
        "Type": "Pass",
        "InputPath": None,
        "ResultPath": None,
        "OutputPath": "$.x",
        "Result": {"a": 1},
        "Comment": "c",
        "End": True,
    }


def test_succeed_and_fail_have_no_next() -> None:
    states = states_of(
        Choice("C")
        .when(Var("$.ok").boolean_equals(True), Succeed("Yes"))
        .otherwise(Fail("No", error="E", cause="why"))
    )
    assert states["Yes"] == {"Type": "Succeed"}
    assert states["No"] == {"Type": "Fail", "Error": "E", "Cause": "why"}


def test_choice_branches_continue_after_the_choice() -> None:
    choice = Choice("C").when(Var("$.n").numeric_less_than(0), Pass("Neg")).otherwise(Pass("Pos"))
    states = states_of(choice >> Pass("After"))
    assert states["C"]["Choices"] == [{"Variable": "$.n", "NumericLessThan": 0, "Next": "Neg"}]
    assert states["C"]["Default"] == "Pos"
    assert states["Neg"]["Next"] == states["Pos"]["Next"] == "After"
    assert "Next" not in states["C"]
    assert "End" not in states["C"]


def test_choice_without_otherwise_defaults_to_the_next_state() -> None:
    states = states_of(Choice("C").when(Var("$.x").is_null(), Pass("Fix")) >> Pass("After"))
    assert states["C"]["Default"] == "After"
    assert states["Fix"]["Next"] == "After"


def test_final_choice_without_otherwise_has_no_default() -> None:
    states = states_of(Choice("C").when(Var("$.x").is_null(), Pass("Fix")))
    assert "Default" not in states["C"]
    assert states["Fix"]["End"] is True


def test_goto_loops_back_by_name_or_object() -> None:
    check = Pass("Check")
    loop = check >> Choice("Done?").when(
        Var("$.done").boolean_equals(False), Wait("Nap", seconds=1) >> Goto(check)
    )
    states = states_of(loop.__rshift__(Succeed("Finished")))
    assert states["Nap"]["Next"] == "Check"
    assert states["Done?"]["Default"] == "Finished"
    by_name = states_of(Choice("C").when(Var("$.a").is_null(), "Z").otherwise(Succeed("Z")))
    assert by_name["C"]["Choices"][0]["Next"] == "Z"


def test_catch_handlers_are_placed_and_shared() -> None:
    handler = Pass("Handle", result="oops")
    flow = work.with_(
        retry=Retry([TimeoutError]),
        catch=[Catch([KeyError], next=handler, result_path="$.err"), Catch("States.ALL", handler)],
    ) >> Pass("After")
    states = states_of(flow)
    assert states["Work"]["Catch"] == [
        {"ErrorEquals": ["KeyError"], "Next": "Handle", "ResultPath": "$.err"},
        {"ErrorEquals": ["States.ALL"], "Next": "Handle"},
    ]
    assert states["Work"]["Retry"] == [
        {
            "ErrorEquals": ["TimeoutError"],
            "IntervalSeconds": 1,
            "MaxAttempts": 3,
            "BackoffRate": 2.0,
        }
    ]
    assert states["Handle"]["End"] is True
    assert states["Work"]["Next"] == "After"


def test_one_state_in_two_choice_rules_is_one_shared_state() -> None:
    """A join, as AWS CDK allows: both rules go to the one state, which continues after the
    Choice as either rule's chain would."""
    notify = work.with_(name="Notify")
    route = (
        Choice("Route")
        .when(Var("$.a").is_present(), notify)
        .when(Var("$.b").is_present(), notify)
        .otherwise(notify)
    )
    states = states_of(route >> Succeed("Done"))
    assert [rule["Next"] for rule in states["Route"]["Choices"]] == ["Notify", "Notify"]
    assert states["Route"]["Default"] == "Notify"
    assert states["Notify"]["Next"] == "Done"
    assert sorted(states) == ["Done", "Notify", "Route"]


def test_catch_to_a_chain_and_to_an_existing_state() -> None:
    done = Succeed("Done")
    chain = work.with_(catch=Catch("States.ALL", Pass("Log") >> Goto(done))) >> done
    states = states_of(chain)
    assert states["Work"]["Catch"][0]["Next"] == "Log"
    assert states["Log"]["Next"] == "Done"


def test_parallel_branches_are_their_own_state_machines() -> None:
    states = states_of(
        Parallel("P", [Pass("A1") >> Pass("A2"), Pass("B")], result_path="$.p", parameters={"k": 1})
    )
    assert states["P"]["Branches"] == [
        {
            "StartAt": "A1",
            "States": {"A1": {"Type": "Pass", "Next": "A2"}, "A2": {"Type": "Pass", "End": True}},
        },
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
    ]
    assert (states["P"]["ResultPath"], states["P"]["Parameters"]) == ("$.p", {"k": 1})


def test_inline_map_fields() -> None:
    states = states_of(
        Map(
            "M",
            Pass("Item"),
            items_path="$.items",
            item_selector={"v.$": "$$.Map.Item.Value"},
            max_concurrency=5,
            tolerated_failure_percentage=10,
            tolerated_failure_count=2,
        )
    )
    assert states["M"] == {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemSelector": {"v.$": "$$.Map.Item.Value"},
        "MaxConcurrency": 5,
        "ToleratedFailurePercentage": 10,
        "ToleratedFailureCount": 2,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "Item",
            "States": {"Item": {"Type": "Pass", "End": True}},
        },
        "End": True,
    }


@pytest.mark.parametrize("execution_type", ["STANDARD", "EXPRESS"])
def test_distributed_map_processor_config(execution_type: Any) -> None:
    states = states_of(
        DistributedMap("D", Pass("I"), items_path="$.x", execution_type=execution_type)
    )
    assert states["D"]["ItemProcessor"]["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": execution_type,
    }


def test_wait_forms() -> None:
    states = states_of(
        Wait("S", seconds=3)
        >> Wait("T", timestamp="2030-01-01T00:00:00Z")
        >> Wait("SP", seconds_path="$.s")
        >> Wait("TP", timestamp_path="$.t")
    )
    assert states["S"]["Seconds"] == 3
    assert states["T"]["Timestamp"] == "2030-01-01T00:00:00Z"
    assert states["SP"]["SecondsPath"] == "$.s"
    assert states["TP"]["TimestampPath"] == "$.t"


def test_ecs_task_follows_the_protocol() -> None:
    compiled = compile_flow(Flow("F", work.with_(timeout_seconds=60, heartbeat_seconds=20)), "d")
    state = compiled.definition["States"]["Work"]
    assert state["Resource"] == ECS_RESOURCE
    assert (state["TimeoutSeconds"], state["HeartbeatSeconds"]) == (60, 20)
    container = state["Parameters"]["Overrides"]["ContainerOverrides"][0]
    assert container["Command"] == ["flow-task", "state", "d.F", "Work"]
    # ECS overrides are capped at 8 KiB: the input is read from the history, not passed here
    assert container["Environment"] == [
        {"Name": "FLOWTASKS_TASK_TOKEN", "Value.$": "$$.Task.Token"},
        {"Name": "FLOWTASKS_EXECUTION", "Value.$": "$$.Execution.Id"},
    ]
    assert input_parameters(work) == {"FLOWTASKS_INPUT.$": "States.JsonToString($)"}
    assert state["Parameters"]["Cluster"] == "${ClusterArn}"
    assert compiled.substitutions == (
        "ClusterArn",
        "ContainerName",
        "SecurityGroupId",
        "SubnetA",
        "SubnetB",
        "TaskDefinitionArn",
    )


def test_task_parameters_become_param_environment_entries() -> None:
    state = work.with_(
        parameters={"id.$": "$.id", "when.$": "States.UUID()", "limit": 10, "tags": {"a": [1]}},
        cpu=256,
        memory=512,
    )
    params = states_of(state)["Work"]["Parameters"]
    assert params["Overrides"]["Cpu"] == "256"
    assert params["Overrides"]["Memory"] == "512"
    assert params["Overrides"]["ContainerOverrides"][0]["Environment"] == [
        {"Name": "FLOWTASKS_TASK_TOKEN", "Value.$": "$$.Task.Token"},
        {"Name": "FLOWTASKS_EXECUTION", "Value.$": "$$.Execution.Id"},
    ]
    assert input_parameters(state) == {
        "FLOWTASKS_PARAM_id.$": "States.JsonToString($.id)",
        "FLOWTASKS_PARAM_limit": "10",
        "FLOWTASKS_PARAM_tags": '{"a":[1]}',
        "FLOWTASKS_PARAM_when.$": "States.JsonToString(States.UUID())",
    }


def test_lambda_task_and_the_protocol_recognise_each_other() -> None:
    state = states_of(work.with_(compute="lambda", parameters={"n": 1}))["Work"]
    assert state["Resource"] == LAMBDA_RESOURCE
    assert state["Parameters"]["FunctionName"] == "${FunctionArn}"
    evaluated = {
        "FunctionName": "f",
        "Payload": {
            "command": state["Parameters"]["Payload"]["command"],
            "environment": {"FLOWTASKS_TASK_TOKEN": "tok", "FLOWTASKS_PARAM_n": "1"},
        },
    }
    call = task_call_of(LAMBDA_RESOURCE, evaluated)
    assert call is not None
    assert (call.flow, call.state) == ("d.F", "Work")


def test_compile_is_pure_and_canonical() -> None:
    flow = Flow("F", work >> Pass("Ünïcode", result={"b": 1, "a": 2}))
    first, second = compile_flow(flow, "d"), compile_flow(flow, "d")
    assert first.to_json() == second.to_json() == to_json(first.definition)
    assert json.loads(first.to_json()) == first.definition
    assert '"Ünïcode"' in first.to_json()
    assert first.to_json().endswith("}\n")
    text = to_json({"b": 1, "a": [2, {"d": 1, "c": 0}]})
    assert (
        text
        == '{\n  "a": [\n    2,\n    {\n      "c": 0,\n      "d": 1\n    }\n  ],\n  "b": 1\n}\n'
    )
    with pytest.raises(ValueError, match="JSON compliant"):
        to_json({"x": float("nan")})
