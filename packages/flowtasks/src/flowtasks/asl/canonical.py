"""Canonical ASL JSON text: the same definition always gives the same bytes."""

from __future__ import annotations

import json
from typing import Any


def to_json(definition: Any) -> str:
    """`definition` as canonical JSON: keys sorted, 2-space indent, UTF-8 text, final newline.

    Raises ValueError for NaN/Infinity (not JSON) and TypeError for non-JSON values.
    """
    return (
        json.dumps(definition, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    )
