"""The files the browser loads: the UI's own (``flowtasks/ui/static``) and the graph layout
library, elkjs, which ``scripts/bootstrap`` installs with npm into the repository's
``node_modules``. Nothing is loaded from anywhere else (no CDN): the UI works offline.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ELK_ENV", "STATIC_DIR", "find_elk"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
"""The UI's HTML, JavaScript and CSS."""

ELK_ENV = "FLOWTASKS_UI_ELK"
"""Path of ``elk.bundled.js`` to use instead of looking for ``node_modules``."""

_ELK = Path("node_modules") / "elkjs" / "lib" / "elk.bundled.js"


def find_elk(start: Path | None = None) -> Path | None:
    """``elk.bundled.js``: from `ELK_ENV`, else in ``node_modules`` of the current folder or a
    parent of it, else beside this package's checkout (a develop install). None if absent."""
    configured = os.environ.get(ELK_ENV)
    if configured:
        path = Path(configured)
        return path if path.is_file() else None
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents, *Path(__file__).resolve().parents):
        candidate = folder / _ELK
        if candidate.is_file():
            return candidate
    return None
