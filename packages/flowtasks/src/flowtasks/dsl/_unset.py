"""A marker for "field not given" where ``None`` already means JSON ``null``."""

from __future__ import annotations

from enum import Enum
from typing import Final, Literal


class Unset(Enum):
    """The type of `UNSET`: the field is left out of the ASL (AWS's default applies)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET
UnsetType = Literal[Unset.UNSET]
