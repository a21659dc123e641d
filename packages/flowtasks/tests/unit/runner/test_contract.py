"""The deploy layer's stack gives the runner what `flowtasks.runner.aws_resources` declares."""

from __future__ import annotations

from typing import Any

from flowtasks.protocol import ENV_TASK_TOKEN, ERROR_CONTAINER_STOPPED
from flowtasks.runner.aws_resources import RUNNER

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/flows-demo@sha256:" + "ab" * 32


def demo_template() -> dict[str, Any]:
    from flowtasks.deploy.domain import domain_environment, domain_template
    from flowtasks.deploy.image import parse_image

    environment = domain_environment("demo", "dev")
    image = IMAGE.replace("123456789012", environment.account)
    template: dict[str, Any] = domain_template("demo", environment, parse_image(image))
    return template


def test_the_task_role_and_definition_hold_what_the_runner_needs() -> None:
    resources = demo_template()["Resources"]
    granted = {
        action
        for statement in resources["TaskRole"]["Properties"]["Policies"][0]["PolicyDocument"][
            "Statement"
        ]
        for action in statement["Action"]
    }
    needed = {action for permission in RUNNER.task_actions for action in permission.actions}
    assert needed <= granted
    container = resources["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert {e["Name"] for e in container["Environment"]} >= set(RUNNER.environment)


def test_the_stack_has_the_stopped_task_reporter() -> None:
    from flowtasks.deploy import reporter

    resources = demo_template()["Resources"]
    dead = RUNNER.dead_container
    (pattern,) = [
        r["Properties"]["EventPattern"]
        for r in resources.values()
        if r["Type"] == "AWS::Events::Rule"
        and r["Properties"]["EventPattern"].get("source") == [dead.event_source]
    ]
    assert pattern["source"] == [dead.event_source]
    assert pattern["detail-type"] == [dead.event_detail_type]
    assert pattern["detail"]["lastStatus"] == [dead.last_status]
    assert reporter.ERROR_CONTAINER_STOPPED == ERROR_CONTAINER_STOPPED == dead.error
    assert ENV_TASK_TOKEN in str(reporter.reporter_definition())
