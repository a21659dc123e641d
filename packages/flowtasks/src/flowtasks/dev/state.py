"""Where the local services keep their state, and whether they run: cheap enough for every
``flow-task run`` / ``state`` to ask (standard library only; `services` starts them)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEV_DIR_ENV",
    "Status",
    "active_settings",
    "alive",
    "dev_dir",
    "settings_file",
    "state_file",
    "status",
]

DEV_DIR_ENV = "FLOWTASKS_DEV_DIR"


def dev_dir() -> Path:
    """``$FLOWTASKS_DEV_DIR`` or ``./.flowtasks/dev``."""
    return Path(os.environ.get(DEV_DIR_ENV) or Path.cwd() / ".flowtasks" / "dev").absolute()


@dataclass(frozen=True)
class Status:
    """What ``dev status`` reports: the supervisor's pid and each service's address."""

    pid: int
    services: dict[str, str]
    folder: Path


def state_file(folder: Path) -> Path:
    return folder / "state.json"


def settings_file(folder: Path) -> Path:
    return folder / "settings.json"


def alive(pid: int) -> bool:
    try:  # reap it first if it is our own exited child (`up` then `down` in one process)
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def status(folder: Path | None = None) -> Status | None:
    """The running services of `folder` (default `dev_dir`), or None when they are not up."""
    folder = folder or dev_dir()
    try:
        state = json.loads(state_file(folder).read_text())
    except (OSError, ValueError):
        return None
    if not alive(int(state["pid"])):
        return None
    return Status(int(state["pid"]), dict(state["services"]), folder)


def active_settings(folder: Path | None = None) -> dict[str, str]:
    """The environment variables reaching the running services, or {} when they are not up."""
    folder = folder or dev_dir()
    if status(folder) is None:
        return {}
    try:
        settings = json.loads(settings_file(folder).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in settings.items()}
