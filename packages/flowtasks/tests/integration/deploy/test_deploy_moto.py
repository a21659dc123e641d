"""End to end against a moto server over HTTP: synth, deploy (create, update one flow, no
change, dry run), start, executions, status, redrive, and every refusal with nothing changed.

moto's CloudFormation skips AWS::StepFunctions::StateMachineVersion / StateMachineAlias and
AWS::Scheduler::Schedule (tests/unit/deploy checks those by template assertions and cfn-lint),
and keeps the machines it makes where its Step Functions interpreter does not see them: the
tests that need a real run (`sfn_execute`) create the synthesized machine through the API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

Run = Callable[..., tuple[int, str, str]]
SECRETS = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/flows-ship@sha256:" + "ab" * 32


def deploy(flow_task: Run, ship: Any, env: str, *extra: str, image: str = IMAGE) -> Any:
    return flow_task(
        "deploy",
        "--domain",
        "ship",
        "--env",
        env,
        "--image",
        image,
        "--environments",
        str(ship.environments),
        *extra,
    )


def stack_state(env: str) -> dict[str, Any]:
    """What moto holds for the stack of `env`: its status and template, its change sets, and
    the definitions of its state machines (empty when there is no stack)."""
    cfn = boto3.client("cloudformation")
    name = f"flows-ship-{env}"
    try:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    except cfn.exceptions.ClientError:
        return {}
    sfn = boto3.client("stepfunctions")
    machines = {
        m["name"]: sfn.describe_state_machine(stateMachineArn=m["stateMachineArn"])["definition"]
        for m in sfn.list_state_machines()["stateMachines"]
        if m["name"].endswith(f"-{env}")
    }
    return {
        "status": stack["StackStatus"],
        "template": cfn.get_template(StackName=name)["TemplateBody"],
        "change_sets": cfn.list_change_sets(StackName=name)["Summaries"],
        "machines": machines,
    }


def test_deploy_creates_the_stack_then_updates_only_the_changed_flow(
    moto_endpoint: str, ship: Any, flow_task: Run
) -> None:
    code, out, err = deploy(flow_task, ship, "test")
    assert code == 0, err
    assert "flows-ship-test: CREATE_COMPLETE" in out
    assert "Add     GreetStateMachine" in err
    assert "Add     TaskDefinition" in err
    created = stack_state("test")
    assert created["status"] == "CREATE_COMPLETE"
    greet = json.loads(created["machines"]["ship-Greet-test"])
    assert greet["States"]["Hello"]["Parameters"] == {
        "greeting.$": "States.Format('hello {}', $.name)"
    }
    task_definition = boto3.client("ecs").describe_task_definition(taskDefinition="flows-ship-test")
    container = task_definition["taskDefinition"]["containerDefinitions"][0]
    assert container["image"].endswith("@sha256:" + "ab" * 32)
    assert container["secrets"] == [
        {
            "name": "FLOWTASKS_CONN_WAREHOUSE",
            "valueFrom": SECRETS + "flows/test/warehouse",
        }
    ]
    groups = boto3.client("logs").describe_log_groups(logGroupNamePrefix="/flows/ship/test")
    assert [g["retentionInDays"] for g in groups["logGroups"]] == [7]

    ship.write(_fixtures_source().replace("hello {}", "good morning {}"))  # change one flow only
    code, out, err = deploy(flow_task, ship, "test")
    assert code == 0, err
    assert "flows-ship-test: UPDATE_COMPLETE" in out
    assert "Modify  GreetStateMachine" in err
    assert "CheckStateMachine" not in err
    assert "ParentStateMachine" not in err
    updated = stack_state("test")
    assert "good morning {}" in updated["machines"]["ship-Greet-test"]
    assert updated["machines"]["ship-Check-test"] == created["machines"]["ship-Check-test"]

    code, out, err = deploy(flow_task, ship, "test")
    assert code == 0
    assert "no changes; nothing to deploy" in err
    assert stack_state("test")["template"] == updated["template"]


def _fixtures_source() -> str:
    import sys

    return str(sys.modules["_flowtasks_deploy_fixtures"].SHIP_FLOWS)


def test_a_dry_run_shows_the_change_set_and_leaves_nothing(
    moto_endpoint: str, ship: Any, flow_task: Run
) -> None:
    code, _out, err = deploy(flow_task, ship, "dry", "--dry-run")
    assert code == 0, err
    assert "change(s) to create the stack" in err
    assert "Add     ParentStateMachine" in err
    assert "dry run: change set deleted, nothing deployed" in err
    assert stack_state("dry") == {}  # no stack, not even an empty REVIEW_IN_PROGRESS one


@pytest.mark.parametrize(
    ("args", "image", "message"),
    [
        ((), IMAGE.split("@")[0] + ":latest", "it has no digest"),
        (("--env", "qa"), IMAGE, "unknown environment 'qa'; this domain declares: dry, elsewhere"),
        (("--env", "elsewhere"), IMAGE, "belong to account 123456789012, but environment"),
        (("--broken",), IMAGE, "a Choice needs at least one .when(...) rule"),
    ],
    ids=["image-without-digest", "unknown-env", "other-account", "invalid-flow"],
)
def test_a_refused_deploy_changes_nothing(
    moto_endpoint: str,
    ship: Any,
    flow_task: Run,
    args: tuple[str, ...],
    image: str,
    message: str,
) -> None:
    code, _, err = deploy(flow_task, ship, "refuse")
    assert code == 0, err
    before = stack_state("refuse")
    env = "refuse"
    if args[:1] == ("--env",):
        env = args[1]
    if args == ("--broken",):
        ship.write(
            _fixtures_source() + '\nBroken = Flow("Broken", Choice("Nothing"))\n'
            '__all__ = ["Check", "Greet", "Parent", "Broken"]\n'
        )
    code, out, err = deploy(flow_task, ship, env, image=image)
    assert code != 0
    assert message in err, err
    assert out == ""
    assert stack_state("refuse") == before
    assert stack_state("qa") == {}
    assert stack_state("elsewhere") == {}


def _create_machine(qualified: str, env: str, template: dict[str, Any]) -> str:
    """Create, through the Step Functions API, the machine the template declares for
    `qualified`, with its DefinitionSubstitutions applied as CloudFormation would."""
    flow = qualified.split(".")[1]
    properties = template["Resources"][f"{flow}StateMachine"]["Properties"]
    text = properties["DefinitionString"]
    for key, value in properties.get("DefinitionSubstitutions", {}).items():
        if isinstance(value, str):
            text = text.replace("${" + key + "}", value)
    sfn = boto3.client("stepfunctions")
    return str(
        sfn.create_state_machine(
            name=properties["StateMachineName"],
            definition=text,
            roleArn="arn:aws:iam::123456789012:role/flows-test",
        )["stateMachineArn"]
    )


def test_start_executions_status_and_redrive_of_real_runs(
    moto_endpoint: str, ship: Any, flow_task: Run, sfn_execute: None
) -> None:
    code, out, err = flow_task(
        "synth",
        "--domain",
        "ship",
        "--env",
        "ops",
        "--image",
        IMAGE,
        "--environments",
        str(ship.environments),
    )
    assert code == 0, err
    template = json.loads(out)
    for qualified in ("ship.Greet", "ship.Check"):
        _create_machine(qualified, "ops", template)
    env_args = ("--env", "ops", "--environments", str(ship.environments))

    code, out, err = flow_task("start", "ship.Greet", *env_args, "--input", '{"name": "ada"}')
    assert code == 0, err
    greet_arn = out.strip()
    assert greet_arn.startswith("arn:aws:states:us-east-1:123456789012:execution:ship-Greet-ops:")
    code, out, err = flow_task("status", "--watch", greet_arn)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("execution ")
    assert "(ship-Greet-ops)" in lines[0]
    assert any(
        (line.strip().endswith("Hello") and "▸" in line) or "> Hello" in line for line in lines
    )
    assert lines[-1].startswith("SUCCEEDED  started ")

    code, out, err = flow_task("start", "ship.Check", *env_args, "--input", '{"ok": false}')
    check_arn = out.strip()
    code, out, err = flow_task("status", "--watch", check_arn)
    assert code == 1
    assert "Broken" in out
    assert "FAILED  started" in out
    assert "  Error: Check.Broken" in out
    assert "  Cause: not ok" in out

    code, out, err = flow_task("executions", "ship.Greet", *env_args)
    assert code == 0
    assert greet_arn in out
    assert "SUCCEEDED" in out

    code, out, err = flow_task("redrive", greet_arn)
    assert code == 2
    assert "is SUCCEEDED: only FAILED, TIMED_OUT or ABORTED executions can be redriven" in err


def test_bad_start_and_status_inputs_are_refused_before_any_execution(
    moto_endpoint: str, ship: Any, flow_task: Run, sfn_execute: None
) -> None:
    env_args = ("--env", "ops", "--environments", str(ship.environments))
    sfn = boto3.client("stepfunctions")

    def executions() -> int:
        return sum(
            len(sfn.list_executions(stateMachineArn=m["stateMachineArn"])["executions"])
            for m in sfn.list_state_machines()["stateMachines"]
        )

    before = executions()
    big = json.dumps({"blob": "x" * 262_144})
    cases = [
        (("start", "ship.Greet", *env_args, "--input", big), "Step Functions accepts at most"),
        (("start", "ship.Greet", *env_args, "--input", "{nope"), "--input is not valid JSON"),
        (
            ("start", "ship.Greet", "--env", "qa", "--environments", str(ship.environments)),
            "unknown environment 'qa'",
        ),
        (("start", "ship.Parent", *env_args), "does not exist (is it deployed?"),
        (
            ("status", "arn:aws:states:us-east-1:123456789012:execution:ship-Greet-ops:nope"),
            "does not exist",
        ),
        (("status", "not-an-arn"), "is not an execution ARN"),
    ]
    for argv, message in cases:
        code, out, err = flow_task(*argv)
        assert code == 2, (argv, err)
        assert message in err, (argv, err)
        assert out == ""
    assert executions() == before


def test_a_refused_aws_call_is_a_deploy_failure_naming_the_stack(
    moto_endpoint: str, ship: Any
) -> None:
    from flowtasks.deploy.environments import environment
    from flowtasks.deploy.stack import DeployFailed, deploy_stack
    from flowtasks.deploy.template import MAX_BODY_BYTES

    # a template too big to pass inline goes to the artifact bucket first: here there is none
    pad = "x" * (MAX_BODY_BYTES + 1)
    template = {
        "Resources": {
            "Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle", "Metadata": {"p": pad}}
        }
    }
    env = environment(ship.environments, "refuse")
    said: list[str] = []
    with pytest.raises(DeployFailed, match=r"deploying flows-ship-big failed: .*NoSuchBucket"):
        deploy_stack(template, domain="ship", env=env, stack="flows-ship-big", say=said.append)
    assert said == []
    cfn = boto3.client("cloudformation")
    with pytest.raises(cfn.exceptions.ClientError, match="does not exist"):
        cfn.describe_stacks(StackName="flows-ship-big")
