"""``deploy``: apply a template to its stack through a change set, and report what happened.

1. Refuse before touching anything: the caller's account must be the environment's.
2. Create a change set (CREATE for a new stack, UPDATE otherwise); a template over 51,200 bytes
   is uploaded to the artifact bucket first and passed by URL.
3. Print every change (``Add``/``Modify``/``Remove``, logical id, type, replacement).
4. ``dry_run``: delete the change set (and the empty stack a CREATE change set makes) and stop.
5. Execute it, wait for the stack to settle, print its new events as they come; on failure print
   the events that failed (their reasons) and raise `DeployFailed`.

A change set with no changes is reported as such and deleted. A stack left in
``ROLLBACK_COMPLETE`` (a first deploy that failed) cannot be updated: the error says to delete it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flowtasks.deploy.environments import Environment
from flowtasks.deploy.template import MAX_BODY_BYTES, template_prefix, to_text
from flowtasks.errors import FlowtasksError, UsageError

__all__ = ["DeployFailed", "DeployResult", "deploy_stack", "failed_events"]

Printer = Callable[[str], None]

_DONE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE")
_FAILED_END = (
    "CREATE_FAILED",
    "ROLLBACK_COMPLETE",
    "ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "UPDATE_FAILED",
    "DELETE_FAILED",
)
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


class DeployFailed(FlowtasksError):
    """The stack did not reach CREATE_COMPLETE / UPDATE_COMPLETE; `events` are the failed ones."""

    def __init__(self, message: str, events: list[dict[str, Any]] | None = None) -> None:
        self.events = events or []
        super().__init__(message)


@dataclass
class DeployResult:
    """What `deploy_stack` did: `status` of the stack (None for a dry run), the changes."""

    stack: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    status: str | None = None
    executed: bool = False


def _client(service: str, env: Environment) -> Any:
    import boto3

    client: Any = boto3.client(service, region_name=env.region)  # type: ignore[call-overload]
    return client


def _stack_status(cfn: Any, stack: str) -> str | None:
    from botocore.exceptions import ClientError

    try:
        stacks = cfn.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise
    return str(stacks[0]["StackStatus"]) if stacks else None


def check_account(env: Environment) -> None:
    """Raise UsageError unless the credentials in use belong to the environment's account."""
    account = _client("sts", env).get_caller_identity()["Account"]
    if account != env.account:
        raise UsageError(
            f"the AWS credentials in use belong to account {account}, but environment "
            f"{env.name!r} ({env.source}) deploys to account {env.account}: use that account's "
            "credentials (or fix the environment's account)"
        )


def _template_argument(template: dict[str, Any], env: Environment, domain: str) -> dict[str, str]:
    text = to_text(template)
    body = text.encode()
    if len(body) <= MAX_BODY_BYTES:
        return {"TemplateBody": text}
    digest = hashlib.sha256(body).hexdigest()[:16]
    key = f"{template_prefix(domain, env.name)}{digest}.json"
    _client("s3", env).put_object(Bucket=env.artifact_bucket, Key=key, Body=body)
    return {"TemplateURL": f"https://{env.artifact_bucket}.s3.{env.region}.amazonaws.com/{key}"}


def _change_line(change: dict[str, Any]) -> str:
    rc = change.get("ResourceChange", change)
    action = rc.get("Action", "?")
    replacement = rc.get("Replacement")
    extra = " (replaced)" if replacement == "True" else ""
    return (
        f"  {action:<7} {rc.get('LogicalResourceId', '?'):<40} {rc.get('ResourceType', '')}{extra}"
    )


def _wait_change_set(cfn: Any, arn: str, timeout: float, poll: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        described: dict[str, Any] = cfn.describe_change_set(ChangeSetName=arn)
        if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
            return described
        if time.monotonic() > deadline:
            raise DeployFailed(
                f"change set {arn} still {described['Status']} after {timeout:.0f} s"
            )
        time.sleep(poll)


def failed_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events (newest first, as AWS lists them) that say why a deployment failed."""
    return [
        e
        for e in events
        if str(e.get("ResourceStatus", "")).endswith("_FAILED") and e.get("ResourceStatusReason")
    ]


def _event_line(event: dict[str, Any]) -> str:
    reason = event.get("ResourceStatusReason") or ""
    reason = f"  {reason}" if reason else ""
    return (
        f"  {event.get('ResourceStatus', '?'):<28} {event.get('LogicalResourceId', '?'):<40} "
        f"{event.get('ResourceType', '')}{reason}"
    )


@contextmanager
def _aws_errors(stack: str, env: Environment) -> Iterator[None]:
    """botocore's errors in the block become `DeployFailed` naming `stack`, with AWS's message;
    missing credentials become a UsageError saying which account to sign in to."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        yield
    except NoCredentialsError:  # a BotoCoreError: caught first
        raise UsageError(
            f"no AWS credentials: sign in to account {env.account} (AWS_PROFILE, aws sso "
            "login, or GitHub's OIDC role) before deploying"
        ) from None
    except (ClientError, BotoCoreError) as exc:
        raise DeployFailed(f"deploying {stack} failed: {exc}") from None


def deploy_stack(
    template: dict[str, Any],
    *,
    domain: str,
    env: Environment,
    stack: str,
    dry_run: bool = False,
    say: Printer = print,
    timeout: float = 3600,
    poll: float = 5,
) -> DeployResult:
    """Create or update `stack` with `template` through a change set (see the module doc).

    AWS errors become `DeployFailed` (or UsageError for missing credentials) with AWS's message.
    """
    with _aws_errors(stack, env):
        check_account(env)
        cfn = _client("cloudformation", env)
        status = _stack_status(cfn, stack)
        if status in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED"):
            raise UsageError(
                f"stack {stack} is {status} after a failed first deploy and cannot be updated: "
                f"delete it (aws cloudformation delete-stack --stack-name {stack}), "
                "then deploy again"
            )
        if (
            status is not None
            and status.endswith("_IN_PROGRESS")
            and status != "REVIEW_IN_PROGRESS"
        ):
            raise UsageError(f"stack {stack} is {status}: wait until it settles, then deploy again")
        change_type = "CREATE" if status in (None, "REVIEW_IN_PROGRESS") else "UPDATE"
        name = "flow-task-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        tags = [{"Key": k, "Value": v} for k, v in sorted(env.tags.items())]
        created = cfn.create_change_set(
            StackName=stack,
            ChangeSetName=name,
            ChangeSetType=change_type,
            Capabilities=["CAPABILITY_IAM"],
            Description=f"flow-task deploy of domain {domain} to {env.name}",
            Tags=tags,
            **_template_argument(template, env, domain),
        )
        arn = created["Id"]
        described = _wait_change_set(cfn, arn, timeout, poll)
        result = DeployResult(stack=stack)

        def discard() -> None:
            cfn.delete_change_set(ChangeSetName=arn)
            if change_type == "CREATE":  # a CREATE change set leaves an empty stack behind
                cfn.delete_stack(StackName=stack)

        if described["Status"] == "FAILED":
            reason = str(described.get("StatusReason", ""))
            discard()
            if any(marker in reason for marker in _NO_CHANGES):
                say(f"{stack}: no changes; nothing to deploy")
                result.status = status
                return result
            raise DeployFailed(f"CloudFormation refused the change set for {stack}: {reason}")
        result.changes = list(described.get("Changes", []))
        verb = "create" if change_type == "CREATE" else "update"
        say(f"{stack}: {len(result.changes)} change(s) to {verb} the stack:")
        for change in result.changes:
            say(_change_line(change))
        if dry_run:
            discard()
            say("dry run: change set deleted, nothing deployed")
            return result
        seen = {e["EventId"] for e in cfn.describe_stack_events(StackName=stack)["StackEvents"]}
        cfn.execute_change_set(ChangeSetName=arn)
        result.executed = True
        deadline = time.monotonic() + timeout
        while True:
            events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
            fresh = [e for e in events if e["EventId"] not in seen]
            for event in reversed(fresh):
                say(_event_line(event))
                seen.add(event["EventId"])
            status = _stack_status(cfn, stack)
            if status in _DONE:
                result.status = status
                say(f"{stack}: {status}")
                return result
            if status in _FAILED_END or status is None:
                failed = failed_events(fresh or events)
                say(f"{stack}: {status or 'DELETED'}; what failed:")
                for event in failed:
                    say(_event_line(event))
                raise DeployFailed(f"deploying {stack} failed ({status})", failed)
            if time.monotonic() > deadline:
                raise DeployFailed(f"stack {stack} still {status} after {timeout:.0f} s")
            time.sleep(poll)
