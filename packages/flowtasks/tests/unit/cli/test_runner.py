"""`flowtasks.runner.execute`: one Task state run from a TaskCall, as the container runs it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from flowtasks.errors import FlowNotFoundError, StateNotFoundError, TaskError
from flowtasks.protocol import ENV_INPUT, ENV_PARAM_PREFIX, TaskCall
from flowtasks.runner import encode_result, execute

FakeDomain = Callable[..., Path]

SOURCE = """
import math
from typing import Any
from flowtasks.dsl import Flow, task
from flowtasks.errors import TaskError

@task
def echo(event: Any) -> Any:
    return event

@task
def shaped(event: Any) -> Any:
    return {"pair": (1, 2), 3: "three"}

@task
def not_a_number(event: Any) -> Any:
    return {"x": math.nan}

@task
def fails(event: Any) -> Any:
    raise TaskError("Echo.Failed", "on purpose")

Echo = Flow("Echo", echo >> shaped >> not_a_number >> fails)
"""


@pytest.fixture
def echo(fake_domain: FakeDomain) -> Path:
    return fake_domain("echo", SOURCE)


def test_execute_decodes_the_input_from_the_environment(echo: Path) -> None:
    call = TaskCall("echo.Echo", "Echo", {ENV_INPUT: '{"a": [1, 2]}'})
    assert execute(call) == {"a": [1, 2]}


def test_execute_rebuilds_the_input_from_parameter_variables(echo: Path) -> None:
    env = {f"{ENV_PARAM_PREFIX}b": '"two"', f"{ENV_PARAM_PREFIX}a": "1"}
    assert execute(TaskCall("echo.Echo", "Echo", env)) == {"a": 1, "b": "two"}


def test_the_result_comes_back_as_step_functions_sees_it(echo: Path) -> None:
    # JSON has no tuples and only string keys (RFC 8259): the result crosses as JSON text.
    result = execute(TaskCall("echo.Echo", "Shaped", {ENV_INPUT: "{}"}))
    assert result == {"pair": [1, 2], "3": "three"}


def test_a_result_json_cannot_carry_is_a_type_error(echo: Path) -> None:
    with pytest.raises(
        TypeError, match=r"the task's result is not JSON at \$\.x: Out of range float"
    ):
        execute(TaskCall("echo.Echo", "NotANumber", {ENV_INPUT: "{}"}))
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        encode_result({1, 2})


def test_encode_result_is_compact_utf8_json() -> None:
    assert encode_result({"a": "é", "b": [1, 2.5, None]}) == '{"a":"é","b":[1,2.5,null]}'
    assert json.loads(encode_result({"n": 1})) == {"n": 1}


def test_what_the_task_raises_propagates(echo: Path) -> None:
    with pytest.raises(TaskError) as caught:
        execute(TaskCall("echo.Echo", "Fails", {ENV_INPUT: "{}"}))
    assert (caught.value.error, caught.value.cause) == ("Echo.Failed", "on purpose")


def test_unknown_flow_or_state(echo: Path) -> None:
    with pytest.raises(StateNotFoundError, match="States: Echo, Fails, NotANumber, Shaped"):
        execute(TaskCall("echo.Echo", "Nope", {}))
    with pytest.raises(FlowNotFoundError):
        execute(TaskCall("echo.Nope", "Echo", {}))
