"""environments.toml: every missing or invalid setting is one error naming the file and key;
images are deployed by digest only."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowtasks.deploy.environments import EnvironmentFileError, environment, load_environments
from flowtasks.deploy.image import ImageError, parse_image

GOOD = """
[dev]
account = "111111111111"
region = "eu-west-1"
cluster = "data-dev"
subnets = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
security_groups = ["sg-0a1b2c3d4e5f60001"]
artifact_bucket = "acme-artifacts-dev"
log_retention_days = 14

[dev.connections]
warehouse = "flows/dev/warehouse"

[dev.tags]
team = "data"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "environments.toml"
    path.write_text(text)
    return path


def test_a_good_file_reads_into_environments(tmp_path: Path) -> None:
    dev = environment(write(tmp_path, GOOD), "dev")
    assert dev.subnets == ("subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002")
    assert dev.cluster_arn == "arn:aws:ecs:eu-west-1:111111111111:cluster/data-dev"
    assert dev.connections == {"warehouse": "flows/dev/warehouse"}
    assert (dev.cpu, dev.memory) == (512, 1024)


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ('account = "111111111111"\n', "", "[dev].account", "missing; every environment needs it"),
        ('"111111111111"', '"1111"', "[dev].account", "'1111' is not valid; write e.g."),
        ('"subnet-0a1b2c3d4e5f60002"', '"subnet-zz"', "[dev].subnets[1]", "'subnet-zz'"),
        ('["sg-0a1b2c3d4e5f60001"]', "[]", "[dev].security_groups", "must be a non-empty list"),
        ("= 14", "= 15", "[dev].log_retention_days", "15 is not a CloudWatch Logs retention"),
        (
            "= 14\n",
            "= 14\ncpu = 256\nmemory = 4096\n",
            "[dev].memory",
            "4096 MiB does not go with cpu 256",
        ),
        ("= 14\n", "= 14\nsubnet = 1\n", "[dev].subnet", "is not a setting; known"),
        ('"flows/dev/warehouse"', "3", "[dev].connections.warehouse", "3 is not a valid value"),
    ],
)
def test_a_bad_setting_names_the_file_and_the_key(
    tmp_path: Path, old: str, new: str, key: str, message: str
) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(EnvironmentFileError) as caught:
        load_environments(path)
    assert caught.value.key == key
    assert str(caught.value).startswith(f"{path}: {key}: ")
    assert message in str(caught.value)


def test_file_level_problems_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "environments.toml"
    with pytest.raises(EnvironmentFileError, match=r"no such file: create environments\.toml"):
        load_environments(missing)
    with pytest.raises(EnvironmentFileError, match="is not valid TOML"):
        load_environments(write(tmp_path, "[dev\n"))
    with pytest.raises(EnvironmentFileError, match="unknown environment 'qa'; this domain "):
        environment(write(tmp_path, GOOD), "qa")


def test_images_need_a_digest() -> None:
    digest = "0123456789abcdef" * 4
    image = parse_image(
        f"111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/flows:v1@sha256:{digest}"
    )
    assert image.pinned.endswith(f"team/flows@sha256:{digest}")
    assert image.ecr_repository_arn == "arn:aws:ecr:eu-west-1:111111111111:repository/team/flows"
    assert parse_image(f"ghcr.io/acme/flows@sha256:{digest}").ecr_repository_arn is None
    with pytest.raises(ImageError, match="it has no digest"):
        parse_image("111111111111.dkr.ecr.eu-west-1.amazonaws.com/flows:latest")
    with pytest.raises(ImageError, match="64 lower-case hex digits"):
        parse_image("ghcr.io/acme/flows@sha256:ABC")


def test_without_credentials_operating_commands_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowtasks.deploy.operate import executions
    from flowtasks.errors import UsageError

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    dev = environment(write(tmp_path, GOOD), "dev")
    with pytest.raises(UsageError, match="no AWS credentials"):
        executions("demo.VendorIngest", dev)


def test_the_failed_events_are_those_with_a_reason() -> None:
    from flowtasks.deploy.stack import failed_events

    events = [
        {"ResourceStatus": "ROLLBACK_COMPLETE", "LogicalResourceId": "flows-demo-dev"},
        {"ResourceStatus": "DELETE_COMPLETE", "LogicalResourceId": "TaskRole"},
        {
            "ResourceStatus": "CREATE_FAILED",
            "LogicalResourceId": "TaskDefinition",
            "ResourceStatusReason": "Invalid request provided: No Fargate configuration",
        },
        {"ResourceStatus": "CREATE_FAILED", "LogicalResourceId": "TaskLogGroup"},
    ]
    assert [e["LogicalResourceId"] for e in failed_events(events)] == ["TaskDefinition"]
