"""Where in the user's code an exception came from: its innermost user frame and its traceback.

A task that raises fails its state with the exception's name and message (`protocol.error_of`);
this module adds where it happened, for people: `location` is ``file:line`` of the innermost
frame that is the user's own code (not flowtasks, not the standard library, not an installed
third-party package), so a ``KeyError`` raised inside ``json`` or ``pydantic`` points at the
user's line that called it. `origin_of` is what the local engine records with a failed attempt
(history event key ``"flowtasks"``, entry ``"origin"``), and what `flowtasks.history` reads.
"""

from __future__ import annotations

import os
import sysconfig
import traceback
from pathlib import Path
from typing import Any

__all__ = ["location", "origin_of", "user_frame"]

_FLOWTASKS = str(Path(__file__).resolve().parent) + os.sep
_NOT_USER = tuple(
    {
        _FLOWTASKS,
        *(
            str(Path(path).resolve()) + os.sep
            for key in ("stdlib", "platstdlib", "purelib", "platlib")
            if (path := sysconfig.get_paths().get(key))
        ),
    }
)


def _is_user(filename: str) -> bool:
    if filename.startswith("<"):  # <string>, <frozen ...>: no file to open
        return False
    return not str(Path(filename).resolve()).startswith(_NOT_USER)


def user_frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The innermost frame of `exc`'s traceback that is the user's own code, or None."""
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        if _is_user(frame.filename):
            return frame
    return None


def _shown(filename: str) -> str:
    """`filename` relative to the current folder when it lies below it."""
    try:
        relative = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if relative.startswith("..") else relative


def location(exc: BaseException) -> str | None:
    """``file:line`` of `exc`'s innermost user frame (None when the traceback has none)."""
    frame = user_frame(exc)
    return None if frame is None else f"{_shown(frame.filename)}:{frame.lineno}"


def origin_of(exc: BaseException) -> dict[str, Any] | None:
    """``{"location": "file:line", "function": name, "traceback": text}`` when the user's own
    code raised `exc` (some frame of its traceback is theirs), else None (a mocked failure,
    an error of flowtasks' own checks, whose cause already says what is wrong)."""
    frame = user_frame(exc)
    if frame is None:
        return None
    origin: dict[str, Any] = {
        "location": f"{_shown(frame.filename)}:{frame.lineno}",
        "function": frame.name,
    }
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_FLOWTASKS):
        tb = tb.tb_next  # the engine's own frames that called the task: noise here
    shown = traceback.format_exception(type(exc), exc, tb or exc.__traceback__)
    origin["traceback"] = "".join(shown).rstrip("\n")
    return origin
