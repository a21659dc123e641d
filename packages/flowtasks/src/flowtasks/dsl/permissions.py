"""`Permission`: an AWS permission a task needs, declared on the task, granted by its stack.

``@task(permissions=[Permission(["s3:GetObject"], ["arn:aws:s3:::landing-{env}/vendor/*"])])``
adds that statement to the task role (and the Lambda role) of every stack the task's domain is
deployed to. ``{env}``, ``{account}`` and ``{region}`` in a resource are filled per environment.
Checked when made: ValueError naming the action or resource that is not one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Permission"]

_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*]+$")
_PLACEHOLDER = re.compile(r"\{([^}]*)\}")
_KNOWN = {"env", "account", "region"}


@dataclass(frozen=True, init=False)
class Permission:
    """Allow `actions` (``service:Action``) on `resources` (ARNs, ``{env}`` etc. filled in)."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def __init__(self, actions: Sequence[str] | str, resources: Sequence[str] | str) -> None:
        acts = (actions,) if isinstance(actions, str) else tuple(actions)
        res = (resources,) if isinstance(resources, str) else tuple(resources)
        if not acts or not res:
            raise ValueError("Permission needs at least one action and one resource")
        for action in acts:
            if not isinstance(action, str) or not _ACTION.match(action) or action == "*:*":
                raise ValueError(f"Permission: {action!r} is not an IAM action ('s3:GetObject')")
        for resource in res:
            if not isinstance(resource, str) or not (
                resource.startswith("arn:") or resource == "*"
            ):
                raise ValueError(f"Permission: resource {resource!r} is not an ARN (or '*')")
            unknown = set(_PLACEHOLDER.findall(resource)) - _KNOWN
            if unknown:
                raise ValueError(
                    f"Permission: resource {resource!r} uses {{{sorted(unknown)[0]}}}; only "
                    "{env}, {account} and {region} are filled in"
                )
        object.__setattr__(self, "actions", acts)
        object.__setattr__(self, "resources", res)

    def resolved(self, env: str, account: str, region: str) -> tuple[str, ...]:
        """The resources with ``{env}``, ``{account}`` and ``{region}`` filled in."""
        values = {"env": env, "account": account, "region": region}
        return tuple(_PLACEHOLDER.sub(lambda m: values[m[1]], r) for r in self.resources)
