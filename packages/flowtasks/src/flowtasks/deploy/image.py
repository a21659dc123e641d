"""Container image URIs: deployments take an image by digest, never by tag alone."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flowtasks.errors import UsageError

__all__ = ["Image", "ImageError", "parse_image"]

_IMAGE = re.compile(
    r"^(?P<registry>[a-z0-9.-]+(?::\d+)?)/(?P<repository>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?@sha256:(?P<digest>[0-9a-f]{64})$"
)
_ECR = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$")


class ImageError(UsageError):
    """An image URI that is not ``registry/repository[:tag]@sha256:<64 hex digits>``."""


@dataclass(frozen=True)
class Image:
    """An image pinned by digest: what the task definition and Lambda functions run."""

    uri: str
    registry: str
    repository: str
    digest: str

    @property
    def pinned(self) -> str:
        """``registry/repository@sha256:...`` (a tag next to a digest is only decoration)."""
        return f"{self.registry}/{self.repository}@sha256:{self.digest}"

    @property
    def ecr_repository_arn(self) -> str | None:
        """The ECR repository's ARN when the image lives in ECR, else None."""
        match = _ECR.match(self.registry)
        if match is None:
            return None
        return f"arn:aws:ecr:{match['region']}:{match['account']}:repository/{self.repository}"


def parse_image(uri: str) -> Image:
    """The `Image` of `uri`; raises `ImageError` for a URI without a sha256 digest."""
    match = _IMAGE.match(uri.strip())
    if match is None:
        if "@sha256:" not in uri:
            hint = (
                "it has no digest. Deploy an image by digest, e.g. "
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/flows-demo@sha256:<64 hex digits> "
                "(docker push prints it)"
            )
        else:
            hint = "expected registry/repository[:tag]@sha256:<64 lower-case hex digits>"
        raise ImageError(f"image {uri!r} cannot be deployed: {hint}")
    return Image(uri, match["registry"], match["repository"], match["digest"])
