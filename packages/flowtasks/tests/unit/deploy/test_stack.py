"""`deploy_stack` turns botocore's errors into flowtasks' own: UsageError without credentials,
DeployFailed naming the stack otherwise (a refused AWS call: tests/integration/deploy)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from flowtasks.deploy.environments import Environment, environment
from flowtasks.deploy.stack import DeployFailed, deploy_stack
from flowtasks.dev.services import free_port
from flowtasks.errors import UsageError

ENVIRONMENTS = """
[dev]
account = "111111111111"
region = "eu-west-1"
cluster = "data-dev"
subnets = ["subnet-0a1b2c3d4e5f60001"]
security_groups = ["sg-0a1b2c3d4e5f60001"]
artifact_bucket = "acme-artifacts-dev"
log_retention_days = 14
"""
TEMPLATE = {"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}
CREDENTIALS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


@pytest.fixture
def dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Environment:
    """Environment ``dev``; no AWS credentials, configuration or instance metadata (and a
    fresh boto3 default session: the one of earlier tests keeps the credentials it found)."""
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    path = tmp_path / "environments.toml"
    path.write_text(ENVIRONMENTS)
    return environment(path, "dev")


def test_without_credentials_the_deploy_says_which_account_to_sign_in_to(
    dev: Environment,
) -> None:
    said: list[str] = []
    with pytest.raises(UsageError, match="no AWS credentials: sign in to account 111111111111"):
        deploy_stack(TEMPLATE, domain="demo", env=dev, stack="flows-demo-dev", say=said.append)
    assert said == []


def test_an_unreachable_aws_is_a_deploy_failure_naming_the_stack(
    dev: Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(DeployFailed, match="deploying flows-demo-dev failed: Could not connect"):
        deploy_stack(TEMPLATE, domain="demo", env=dev, stack="flows-demo-dev", say=print)
