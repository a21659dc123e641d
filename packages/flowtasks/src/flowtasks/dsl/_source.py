"""Where a DSL object was written: ``file.py:42`` of the first caller outside flowtasks.dsl."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_DSL_DIR = str(Path(__file__).resolve().parent)


def caller_source() -> str:
    """``path:line`` of the innermost frame that is not flowtasks.dsl code.

    The path is relative to the working directory when the file lies below it.
    """
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        generated = filename.startswith("<") and frame.f_code.co_name == "__init__"
        if not filename.startswith(_DSL_DIR) and not generated:
            return f"{_short(filename)}:{frame.f_lineno}"
        next_frame = frame.f_back
        if next_frame is None:
            break
        frame = next_frame
    return "<unknown>"


def _short(filename: str) -> str:
    try:
        rel = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if rel.startswith("..") else rel
