"""``flow-task dev up|down|status``: local S3, SFTP and Redshift stand-ins on loopback."""

from __future__ import annotations

import argparse
from pathlib import Path

from flowtasks.cli.io import err, out


def _print_status(services: dict[str, str]) -> None:
    for name, where in services.items():
        out(f"{name:<9} {where}")


def dev_command(args: argparse.Namespace) -> int:
    """Start, stop or describe the local services (see flowtasks.dev.services)."""
    from flowtasks.dev import services

    folder = Path(args.dir).absolute() if args.dir else services.dev_dir()
    if args.action == "up":
        seed = Path(args.seed) if args.seed else None
        try:
            running = services.up(folder, seed=seed)
        except services.DevServicesError as exc:
            err(f"flow-task: error: {exc}")
            return 1
        _print_status(running.services)
        err(f"local services up (pid {running.pid}); `flow-task run` in this folder uses them")
        err(f"settings (environment variables): {folder / 'settings.json'}")
        return 0
    if args.action == "down":
        if services.down(folder):
            err("local services stopped (data kept in " + str(folder) + ")")
        else:
            err("local services were not running")
        return 0
    found = services.status(folder)
    if found is None:
        err(f"local services are not running (start them with `flow-task dev up`); dir {folder}")
        return 1
    _print_status(found.services)
    err(f"running (pid {found.pid}); dir {folder}")
    return 0


def use_local_services() -> None:
    """While `flow-task dev up` services run (``./.flowtasks/dev``), tasks run by ``run`` and
    ``state`` reach them: their settings (AWS endpoint, FLOWTASKS_CONN_*) override the
    environment of this process. Elsewhere (a container in AWS) nothing changes."""
    import os

    from flowtasks.dev.state import active_settings, dev_dir

    settings = active_settings()
    if settings:
        os.environ.update(settings)
        err(f"using the local services of {dev_dir()} (see `flow-task dev status`)")
