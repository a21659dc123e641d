"""``flow-task synth``: the stack template of every domain and environment passes cfn-lint, and
holds what the issue asks for (checked by assertions on the template, which is how the
resources moto's CloudFormation skips, AWS::Scheduler::Schedule above all, are tested)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flowtasks.deploy.domain import domain_environment, domain_template
from flowtasks.deploy.environments import Environment
from flowtasks.deploy.image import parse_image
from flowtasks.deploy.template import TemplateTooLarge, synth
from flowtasks.dsl import Flow, Pass
from flowtasks.registry import domains

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/flows-ship@sha256:" + "ab" * 32
CFN_LINT = Path(sys.executable).parent / "cfn-lint"


def lint(templates: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    """Fail unless cfn-lint (which also validates each embedded ASL definition) accepts every
    template (one cfn-lint run for all: its start-up is most of its time)."""
    paths = []
    for name, template in templates.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(template))
        paths.append(str(path))
    binary = str(CFN_LINT) if CFN_LINT.exists() else shutil.which("cfn-lint")
    assert binary, "cfn-lint is missing: scripts/bootstrap installs it (root pyproject dev group)"
    found = subprocess.run([binary, *paths], capture_output=True, text=True, check=False)
    assert found.returncode == 0, found.stdout + found.stderr


def every_domain_and_environment() -> list[tuple[str, str]]:
    from flowtasks.deploy.domain import environments_path
    from flowtasks.deploy.environments import load_environments

    return [
        (domain, env)
        for domain in sorted(domains())
        for env in sorted(load_environments(environments_path(domain)))
    ]


def test_every_registered_domain_and_environment_synthesizes_what_cfn_lint_accepts(
    tmp_path: Path,
) -> None:
    pairs = every_domain_and_environment()
    assert {("demo", "dev"), ("demo", "prod")} <= set(pairs)  # the demo ships both
    templates = {}
    for domain, env in pairs:
        environment = domain_environment(domain, env)
        image = IMAGE.replace("123456789012", environment.account)
        templates[f"{domain}-{env}"] = domain_template(domain, environment, parse_image(image))
    lint(templates, tmp_path)


def _ship_template(ship: Any, env: str = "test") -> dict[str, Any]:
    environment = domain_environment("ship", env, ship.environments)
    return domain_template("ship", environment, parse_image(IMAGE))


def _statements(template: dict[str, Any], role: str) -> dict[str, Any]:
    """action -> resource(s) of the role's policy."""
    policy = template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]
    found: dict[str, Any] = {}
    for statement in policy["Statement"]:
        for action in statement["Action"]:
            found[action] = statement["Resource"]
    return found


def test_the_stack_holds_machines_versions_aliases_task_definition_roles_logs_triggers(
    ship: Any,
) -> None:
    template = _ship_template(ship)
    kinds = {name: r["Type"] for name, r in template["Resources"].items()}
    assert kinds == {
        "CheckAfterGreetTrigger": "AWS::Events::Rule",
        "CheckAlias": "AWS::StepFunctions::StateMachineAlias",
        "CheckS3Trigger": "AWS::Events::Rule",
        "CheckStateMachine": "AWS::StepFunctions::StateMachine",
        "CheckVersion": "AWS::StepFunctions::StateMachineVersion",
        "EventsRole": "AWS::IAM::Role",
        "ExecutionRole": "AWS::IAM::Role",
        "GreetAlias": "AWS::StepFunctions::StateMachineAlias",
        "GreetScheduleTrigger": "AWS::Scheduler::Schedule",
        "GreetStateMachine": "AWS::StepFunctions::StateMachine",
        "GreetVersion": "AWS::StepFunctions::StateMachineVersion",
        "ParentAlias": "AWS::StepFunctions::StateMachineAlias",
        "ParentStateMachine": "AWS::StepFunctions::StateMachine",
        "ParentVersion": "AWS::StepFunctions::StateMachineVersion",
        "SchedulerRole": "AWS::IAM::Role",
        "StateMachineLogGroup": "AWS::Logs::LogGroup",
        "StateMachineRole": "AWS::IAM::Role",
        "TaskDefinition": "AWS::ECS::TaskDefinition",
        "TaskLogGroup": "AWS::Logs::LogGroup",
        "TaskRole": "AWS::IAM::Role",
    }
    version = template["Resources"]["GreetVersion"]["Properties"]
    assert version["StateMachineRevisionId"] == {
        "Fn::GetAtt": ["GreetStateMachine", "StateMachineRevisionId"]
    }
    alias = template["Resources"]["GreetAlias"]["Properties"]
    assert alias["Name"] == "live"
    assert alias["RoutingConfiguration"] == [
        {"StateMachineVersionArn": {"Ref": "GreetVersion"}, "Weight": 100}
    ]


def test_definitions_use_substitutions_for_every_placeholder_and_the_envs_subnets(
    ship: Any,
) -> None:
    template = _ship_template(ship)
    parent = template["Resources"]["ParentStateMachine"]["Properties"]
    definition = json.loads(parent["DefinitionString"])
    assert definition["States"]["RunGreet"]["Resource"] == (
        "arn:aws:states:::states:startExecution.sync:2"
    )
    assert parent["DefinitionSubstitutions"] == {
        "StartFlow_ship_Check": {
            "Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}"
            ":stateMachine:ship-Check-test:live"
        },
        "StartFlow_ship_Greet": {
            "Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}"
            ":stateMachine:ship-Greet-test:live"
        },
    }


def test_ecs_tasks_get_the_environments_subnets_and_security_groups(tmp_path: Path) -> None:
    from flowtasks.deploy.definition import bind
    from flowtasks.protocol import ECS_RESOURCE

    env = _env(subnets=("subnet-0000000a", "subnet-0000000b", "subnet-0000000c"))
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": ECS_RESOURCE,
                "Parameters": {
                    "Cluster": "${ClusterArn}",
                    "TaskDefinition": "${TaskDefinitionArn}",
                    "NetworkConfiguration": {
                        "AwsvpcConfiguration": {
                            "Subnets": ["${SubnetA}", "${SubnetB}"],
                            "SecurityGroups": ["${SecurityGroupId}"],
                        }
                    },
                },
                "End": True,
            }
        },
    }
    bound = bind("x.F", definition, env, known_flows=[])
    vpc = json.loads(bound.text)["States"]["T"]["Parameters"]["NetworkConfiguration"]
    assert vpc["AwsvpcConfiguration"]["Subnets"] == ["${Subnet1}", "${Subnet2}", "${Subnet3}"]
    assert vpc["AwsvpcConfiguration"]["SecurityGroups"] == ["${SecurityGroup1}"]
    assert bound.substitutions == {
        "ClusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/flows",
        "SecurityGroup1": "sg-0000000a",
        "Subnet1": "subnet-0000000a",
        "Subnet2": "subnet-0000000b",
        "Subnet3": "subnet-0000000c",
        "TaskDefinitionArn": {"Ref": "TaskDefinition"},
    }


def test_least_privilege_roles(ship: Any) -> None:
    template = _ship_template(ship)
    machine = _statements(template, "StateMachineRole")
    assert machine["ecs:RunTask"] == {
        "Fn::Sub": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}"
        ":task-definition/flows-ship-test:*"
    }
    assert machine["iam:PassRole"] == [
        {"Fn::GetAtt": ["TaskRole", "Arn"]},
        {"Fn::GetAtt": ["ExecutionRole", "Arn"]},
    ]
    assert len(machine["states:StartExecution"]) == 4  # Greet and Check, machine and alias
    assert "states:DescribeExecution" in machine  # RunGreet waits
    assert "lambda:InvokeFunction" not in machine  # no Lambda task in this domain
    execution = _statements(template, "ExecutionRole")
    assert execution["secretsmanager:GetSecretValue"] == [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:flows/test/warehouse-??????"
    ]
    assert execution["ecr:BatchGetImage"] == (
        "arn:aws:ecr:us-east-1:123456789012:repository/flows-ship"
    )
    task = _statements(template, "TaskRole")
    assert set(task) == {
        "states:SendTaskSuccess",
        "states:SendTaskFailure",
        "states:SendTaskHeartbeat",
        "states:GetExecutionHistory",
        "s3:GetObject",
        "s3:PutObject",
    }
    # the runner offloads payloads under <domain>.<Flow>/<execution>/...
    assert task["s3:PutObject"] == "arn:aws:s3:::ship-artifacts-test/ship.*"
    assert "*" not in json.dumps(task["states:SendTaskSuccess"]).replace(":*", "")


def test_task_definition_pins_the_image_by_digest_and_injects_connections(ship: Any) -> None:
    template = _ship_template(ship)
    task = template["Resources"]["TaskDefinition"]
    container = task["Properties"]["ContainerDefinitions"][0]
    assert container["Image"] == IMAGE
    assert container["Secrets"] == [
        {
            "Name": "FLOWTASKS_CONN_WAREHOUSE",
            "ValueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
            "flows/test/warehouse",
        }
    ]
    assert container["LogConfiguration"]["Options"]["awslogs-group"] == "/flows/ship/test/tasks"
    assert task["UpdateReplacePolicy"] == "Retain"  # older versions keep their revision
    assert "warehouse" not in json.dumps(template["Resources"]["TaskRole"])


def test_triggers_compile_to_scheduler_and_eventbridge_resources(ship: Any) -> None:
    template = _ship_template(ship)
    resources = template["Resources"]
    schedule = resources["GreetScheduleTrigger"]["Properties"]
    assert schedule["ScheduleExpression"] == "rate(1 hour)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert json.loads(schedule["Target"]["Input"]) == {"name": "scheduler"}
    assert schedule["Target"]["Arn"]["Fn::Sub"].endswith(":stateMachine:ship-Greet-test:live")
    assert schedule["Target"]["RoleArn"] == {"Fn::GetAtt": ["SchedulerRole", "Arn"]}
    s3 = resources["CheckS3Trigger"]["Properties"]
    assert s3["EventPattern"] == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {
            "bucket": {"name": ["drops-test"]},
            "object": {"key": [{"wildcard": "in/*.json"}]},
        },
    }
    after = resources["CheckAfterGreetTrigger"]["Properties"]["EventPattern"]
    assert after["detail"] == {
        "status": ["SUCCEEDED"],
        "stateMachineArn": ["arn:aws:states:us-east-1:123456789012:stateMachine:ship-Greet-test"],
    }
    scheduler = _statements(template, "SchedulerRole")
    assert [a["Fn::Sub"].rsplit(":", 2)[-2:] for a in scheduler["states:StartExecution"]] == [
        ["stateMachine", "ship-Greet-test"],
        ["ship-Greet-test", "live"],
    ]


def _env(**changes: Any) -> Environment:
    values: dict[str, Any] = {
        "name": "test",
        "account": "123456789012",
        "region": "us-east-1",
        "cluster": "flows",
        "subnets": ("subnet-0000000a",),
        "security_groups": ("sg-0000000a",),
        "artifact_bucket": "artifacts",
        "log_retention_days": 7,
    }
    return Environment(**(values | changes))


def test_a_domain_past_cloudformations_resource_limit_is_refused_with_advice() -> None:
    flows = {
        f"big.F{i}": (
            Flow(f"F{i}", Pass("P")),
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        )
        for i in range(170)
    }
    with pytest.raises(TemplateTooLarge, match=r"has 516 resources; CloudFormation allows 500"):
        synth("big", _env(), parse_image(IMAGE), flows)


def test_a_template_over_one_megabyte_is_refused() -> None:
    constant = "x" * 200_000
    flows = {
        f"big.F{i}": (
            Flow(f"F{i}", Pass("P")),
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": constant, "End": True}}},
        )
        for i in range(6)
    }
    with pytest.raises(TemplateTooLarge, match=r"bytes; CloudFormation accepts at most 1000000"):
        synth("big", _env(), parse_image(IMAGE), flows)


def test_an_invalid_flow_stops_synth_with_every_problem(ship: Any) -> None:
    from flowtasks.errors import DefinitionError

    ship.write(
        "from flowtasks import Choice, Flow\n"
        'A = Flow("A", Choice("Empty"))\nB = Flow("B", Choice("Void"))\n'
    )
    with pytest.raises(DefinitionError) as caught:
        _ship_template(ship)
    assert "nothing was deployed" in str(caught.value)
    assert {p.where.split(" > ")[0] for p in caught.value.problems} == {"ship.A", "ship.B"}


def test_the_deployer_policy_covers_every_service_of_the_stack() -> None:
    from flowtasks.deploy.deployer import deployer_policy

    env = domain_environment("demo", "dev")
    template = domain_template("demo", env, parse_image(IMAGE.replace("123456789012", env.account)))
    policy = deployer_policy("demo", env)
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    services = {a.split(":")[0] for a in actions}
    prefixes = {
        "IAM": "iam",
        "StepFunctions": "states",
        "ECS": "ecs",
        "Logs": "logs",
        "Events": "events",
        "Scheduler": "scheduler",
        "Lambda": "lambda",
    }
    for resource in template["Resources"].values():
        assert prefixes[resource["Type"].split("::")[1]] in services, resource["Type"]
    assert {"cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"} <= actions
    assert not any(action.endswith(":*") for action in actions)


TASKS = """
from flowtasks import Permission, task


@task(permissions=[Permission(["s3:GetObject", "s3:ListBucket"], "arn:aws:s3:::in-{env}/*")])
def fetch(event: dict) -> dict:
    return event


@task(compute="lambda", permissions=Permission("sqs:SendMessage",
      "arn:aws:sqs:{region}:{account}:alerts-{env}"))
def alert(event: dict) -> dict:
    return event


Work = Flow("Work", fetch >> alert)
__all__ = ["Check", "Greet", "Parent", "Work"]
"""


def test_declared_permissions_and_lambda_tasks_reach_the_stack(ship: Any, tmp_path: Path) -> None:
    from pathlib import Path as P

    source = (P(ship.package) / "__init__.py").read_text()
    ship.write(source.replace("__all__", "from flowtasks import Flow\n__all__", 1) + TASKS)
    template = _ship_template(ship)
    task = _statements(template, "TaskRole")
    assert task["s3:ListBucket"] == ["arn:aws:s3:::in-test/*"]
    assert task["sqs:SendMessage"] == ["arn:aws:sqs:us-east-1:123456789012:alerts-test"]
    assert _statements(template, "FunctionRole")["sqs:SendMessage"] == task["sqs:SendMessage"]
    function = template["Resources"]["TaskFunction"]["Properties"]
    assert function["PackageType"] == "Image"
    assert function["Code"] == {"ImageUri": IMAGE}
    assert _statements(template, "StateMachineRole")["lambda:InvokeFunction"] == {
        "Fn::GetAtt": ["TaskFunction", "Arn"]
    }
    work = template["Resources"]["WorkStateMachine"]["Properties"]
    assert work["DefinitionSubstitutions"]["FunctionArn"] == {"Fn::GetAtt": ["TaskFunction", "Arn"]}
    lint({"work": template}, tmp_path)


@pytest.mark.parametrize(
    ("actions", "resources", "message"),
    [
        ("GetObject", "arn:aws:s3:::b/*", "'GetObject' is not an IAM action"),
        ("s3:GetObject", "bucket/*", "resource 'bucket/*' is not an ARN"),
        ("s3:GetObject", "arn:aws:s3:::b-{stage}/*", "uses {stage}; only {env}, {account}"),
    ],
)
def test_a_bad_permission_is_refused(actions: str, resources: str, message: str) -> None:
    from flowtasks import Permission

    with pytest.raises(ValueError, match="Permission") as caught:
        Permission(actions, resources)
    assert message in str(caught.value)


def test_starting_or_following_an_unregistered_flow_is_refused_at_synth(ship: Any) -> None:
    from pathlib import Path as P

    from flowtasks.errors import UsageError

    source = (P(ship.package) / "__init__.py").read_text()
    ship.write(source.replace("OnSuccess(Greet)", 'OnSuccess("ship.Gone")'))
    with pytest.raises(UsageError, match=r"follows ship\.Gone, which is not a registered flow"):
        _ship_template(ship)
    ship.write(source.replace('StartFlow("RunGreet", Greet', 'StartFlow("RunGreet", "other.Gone"'))
    with pytest.raises(UsageError, match=r"StartFlow_other_Gone\}: a StartFlow of a flow that"):
        _ship_template(ship)
