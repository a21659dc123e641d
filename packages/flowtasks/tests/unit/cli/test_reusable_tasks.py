"""Reusable flow tasks (`flowtasks.tasks.reusable_task`): configured once per use, compiled to
ordinary ASL, run by the local engine and by `flow-task state` like any @task."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowtasks.asl import compile_flow
from flowtasks.cli import main
from flowtasks.dsl import Flow, Retry, Var
from flowtasks.errors import DefinitionError
from flowtasks.tasks import reusable_task, s3

FakeDomain = Callable[..., Path]

GREET = '''
from dataclasses import dataclass
from typing import Any

from flowtasks.dsl import Flow, Var
from flowtasks.tasks import reusable_task


@dataclass
class Greeting:
    text: str


def _check(static: dict[str, Any]) -> None:
    if static.get("greeting") == "":
        raise ValueError("greet: greeting must not be empty")


@reusable_task(check=_check)
def greet(greeting: str, who: str, punctuation: str = "!") -> list[Greeting]:
    """Greet someone: a domain's own reusable task."""
    return [Greeting(f"{greeting}, {who}{punctuation}")]


Greet = Flow(
    "Greet",
    greet(greeting="Hello", who=Var("$.name"), name="SayHello", result_path="$.said")
    >> greet(greeting="Bye", who=Var("$.name"), punctuation=".", name="SayBye"),
)
__all__ = ["Greet"]
'''


@pytest.fixture
def greet_domain(fake_domain: FakeDomain) -> Path:
    return fake_domain("greet", GREET)


def _state(definition: dict[str, Any], name: str) -> dict[str, Any]:
    state: dict[str, Any] = definition["States"][name]
    return state


def test_a_reusable_task_compiles_to_an_ordinary_task_state(
    greet_domain: Path, asl_validator: Callable[[dict[str, Any]], None], capsys: Any
) -> None:
    assert main(["asl", "greet.Greet"]) == 0
    definition = json.loads(capsys.readouterr().out)
    asl_validator(definition)
    hello = _state(definition, "SayHello")
    container = hello["Parameters"]["Overrides"]["ContainerOverrides"][0]
    assert container["Command"] == ["flow-task", "state", "greet.Greet", "SayHello"]
    # the ECS overrides carry the token and execution; the runner evaluates the task's input
    # variables on the input it reads from the execution's history (flowtasks.protocol)
    from flowtasks.asl.task_resource import input_parameters
    from flowtasks.registry import get_flow

    env = input_parameters(get_flow("greet.Greet").task_states()["SayHello"])  # type: ignore[arg-type]
    assert env["FLOWTASKS_PARAM_greeting"] == '"Hello"'
    assert env["FLOWTASKS_PARAM_who.$"] == "States.JsonToString($.name)"
    assert "FLOWTASKS_PARAM_punctuation" not in env  # the default stays in Python
    assert hello["ResultPath"] == "$.said"
    assert hello["Next"] == "SayBye"


def test_the_engine_runs_it_with_static_and_runtime_values(greet_domain: Path, capsys: Any) -> None:
    code = main(["run", "greet.Greet", "--input", '{"name": "Ann"}'])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out) == [{"text": "Bye, Ann."}]


def test_flow_task_state_runs_it_from_the_container_environment(
    greet_domain: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWTASKS_PARAM_greeting", '"Hi"')
    monkeypatch.setenv("FLOWTASKS_PARAM_who", '"Bo"')
    assert main(["state", "greet.Greet", "SayHello"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"text": "Hi, Bo!"}]
    monkeypatch.setenv("FLOWTASKS_PARAM_colour", '"red"')
    assert main(["state", "greet.Greet", "SayHello"]) == 1
    err = capsys.readouterr().err
    assert "Error: TypeError" in err
    assert "unknown argument(s) colour" in err


def test_library_tasks_compile_with_retry_and_names() -> None:
    copy = s3.copy_task(
        source=Var("$.source"),
        destination="s3://archive/daily.csv",
        name="ArchiveDaily",
        retry=Retry(errors=["States.TaskFailed"], max_attempts=2),
    )
    assert copy.name == "ArchiveDaily"
    assert copy.parameters == {"source.$": "$.source", "destination": "s3://archive/daily.csv"}
    compiled = compile_flow(Flow("Archive", copy), "demo")
    state = compiled.definition["States"]["ArchiveDaily"]
    assert state["Retry"][0]["MaxAttempts"] == 2
    assert state["Parameters"]["Overrides"]["ContainerOverrides"][0]["Command"][-1] == (
        "ArchiveDaily"
    )
    assert s3.copy_task(source="s3://a/b", destination="s3://c/d").name == "CopyS3Object"


def test_definition_mistakes_are_reported_when_the_flow_is_defined() -> None:
    with pytest.raises(TypeError, match=r"unknown argument\(s\) destinaton; it takes source"):
        s3.copy_task(source="s3://a/b", destinaton="s3://c/d")
    with pytest.raises(TypeError, match=r"needs argument\(s\) destination: a value, or Var"):
        s3.copy_task(source="s3://a/b")
    with pytest.raises(TypeError, match="argument source must be JSON data"):
        s3.copy_task(source=Path("/x"), destination="s3://c/d")


def test_a_bad_var_path_is_a_compile_problem_naming_the_parameter() -> None:
    state = s3.copy_task(source=Var("source"), destination="s3://c/d")
    with pytest.raises(DefinitionError) as caught:
        compile_flow(Flow("Bad", state), "demo")
    assert "Parameters.source.$" in str(caught.value)


def test_functions_that_cannot_be_called_by_name_are_refused() -> None:
    def positional(a: int, /) -> None: ...

    def clash(name: str) -> None: ...

    def star(**kwargs: Any) -> None: ...

    for function, text in ((positional, "must be a named parameter"), (star, "named")):
        with pytest.raises(TypeError, match=text):
            reusable_task(function)
    with pytest.raises(TypeError, match="clashes with a state option"):
        reusable_task(clash)


def test_a_factory_defined_away_from_its_attribute_is_a_compile_problem() -> None:
    def helper(x: int) -> int:
        return x

    misplaced = reusable_task(helper, name="nowhere_task")
    with pytest.raises(DefinitionError, match=r"closure, not importable by name|does not resolve"):
        compile_flow(Flow("Misplaced", misplaced(x=1)), "demo")
