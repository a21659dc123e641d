"""The engine loads every real-world definition of ``shared/asl-examples`` and runs each one,
with its Tasks mocked, to the end that ASL semantics give for the scenario's input and mocks.

Scenarios (input, mocks, expected status/path) are in ``corpus_scenarios.py``; files the engine
cannot run yet are strict xfails naming the missing feature.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from corpus_presence import CORPUS_DIR, require_corpus
from corpus_responses import default_result
from corpus_scenarios import (
    SCENARIOS,
    EngineLacksFeature,
    Scenario,
    check_supported,
    load,
)

from flowtasks.asl.walk import iter_states
from flowtasks.local.graph import compile_definition
from flowtasks.testing import run_flow, task_states

require_corpus()

CORPUS_FILES = sorted(path.stem for path in CORPUS_DIR.glob("*.json"))


def _params(kind: str) -> list[Any]:
    params = []
    for name in sorted(SCENARIOS):
        reason = SCENARIOS[name].load_xfail if kind == "load" else SCENARIOS[name].xfail
        raises = EngineLacksFeature if kind == "run" else None
        marks = [pytest.mark.xfail(strict=True, reason=reason, raises=raises)] if reason else []
        if kind == "run" and SCENARIOS[name].s3:
            marks.append(pytest.mark.integration)  # talks to the local S3 (moto) server
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def test_every_corpus_file_has_a_scenario() -> None:
    assert len(CORPUS_FILES) == 60
    assert sorted(SCENARIOS) == CORPUS_FILES


BIG = 12
"""A machine of this many states or more pins its output or a path of 5 states or more."""


def test_every_failed_scenario_names_its_error() -> None:
    unnamed = [
        name
        for name, scenario in SCENARIOS.items()
        if scenario.status != "SUCCEEDED" and scenario.error is None and not scenario.xfail
    ]
    assert not unnamed, f"scenarios expecting {'FAILED'} without naming the error: {unnamed}"


def test_big_machines_pin_their_output_or_path() -> None:
    thin = []
    for name, scenario in SCENARIOS.items():
        if scenario.xfail or scenario.load_xfail:
            continue
        states = sum(1 for _ in iter_states(load(name, scenario.substitutions)))
        pinned = max([len(scenario.visits), *map(len, scenario.branch_visits)])
        if states >= BIG and scenario.output is None and pinned < 5:
            thin.append(f"{name} ({states} states, {pinned} visited)")
    assert not thin, f"big machines checked too thinly: {thin}"


@pytest.mark.parametrize("name", _params("load"))
def test_loads(name: str) -> None:
    """The engine accepts the definition as published, once its deployment placeholders
    (DefinitionSubstitutions) are filled in as AWS fills them: no DefinitionError."""
    compile_definition(load(name, SCENARIOS[name].substitutions))


def mocks_for(definition: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """The scenario's mocks, plus a neutral integration-shaped result for every other Task."""
    tasks = task_states(definition)
    unknown = sorted(set(scenario.mocks) - set(tasks))
    assert not unknown, f"scenario mocks states that are not Tasks: {unknown}"
    return {
        name: scenario.mocks.get(name, default_result(resource)) for name, resource in tasks.items()
    }


def put_objects(buckets: dict[str, dict[str, bytes]] | Any) -> None:
    s3 = boto3.client("s3")
    for bucket, objects in buckets.items():
        s3.create_bucket(Bucket=bucket)
        for key, body in objects.items():
            s3.put_object(Bucket=bucket, Key=key, Body=body)


@pytest.mark.parametrize("name", _params("run"))
def test_runs(name: str, request: pytest.FixtureRequest) -> None:
    scenario = SCENARIOS[name]
    definition = load(name, scenario.substitutions)
    if scenario.s3:
        request.getfixturevalue("s3_endpoint")
        put_objects(scenario.s3)
    run = run_flow(
        definition,
        scenario.input,
        mocks=mocks_for(definition, scenario),
        skip_waits=scenario.skip_waits,
    )
    check_supported(run)
    assert run.status == scenario.status, run.describe()
    if scenario.error is not None:
        assert run.error == scenario.error, run.describe()
    if scenario.cause is not None:
        assert run.cause == scenario.cause, run.describe()
    run.assert_visited(*scenario.visits)
    for sequence in scenario.branch_visits:
        run.assert_visited(*sequence)
    if scenario.output is not None:
        assert run.output == scenario.output, run.describe()
    for state, count in scenario.retries.items():
        run.assert_retries(state, count)
