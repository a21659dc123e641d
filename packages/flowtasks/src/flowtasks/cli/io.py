"""What the commands share: writing output, and reading JSON inputs and ASL files."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from flowtasks.errors import UsageError


def out(text: str) -> None:
    """`text` on stdout, ending with a newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def err(text: str) -> None:
    """`text` on stderr, ending with a newline."""
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def json_text(value: Any) -> str:
    """`value` as indented JSON text (non-ASCII kept)."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def parse_json(text: str, what: str) -> Any:
    """`text` parsed as JSON; UsageError naming `what` if it is not."""
    from flowtasks.cli.mocks import parse_json as parse

    return parse(text, what)


def is_json(text: str) -> bool:
    """True if `text` is valid JSON."""
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def read_input(args: argparse.Namespace) -> tuple[bool, Any]:
    """(given?, value) from --input / --input-file (``-`` reads stdin)."""
    if args.input is not None:
        return True, parse_json(args.input, "--input")
    if args.input_file is not None:
        if args.input_file == "-":
            return True, parse_json(sys.stdin.read(), "standard input")
        try:
            text = Path(args.input_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot read --input-file {args.input_file}: {exc.strerror}"
            ) from None
        return True, parse_json(text, args.input_file)
    return False, None


def read_asl(path: str) -> dict[str, Any]:
    """The JSON object in `path`; UsageError if unreadable, not JSON or not an object."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    definition = parse_json(text, path)
    if not isinstance(definition, dict):
        raise UsageError(f"{path} is not an ASL definition (expected a JSON object)")
    return definition


def read_valid_asl(path: str) -> dict[str, Any]:
    """The ASL definition in `path`; DefinitionError listing every problem if it is invalid."""
    from flowtasks.asl.validate import validate_definition
    from flowtasks.errors import DefinitionError

    definition = read_asl(path)
    errors = [p for p in validate_definition(definition) if p.severity != "warning"]
    if errors:
        raise DefinitionError(errors, f"the state machine definition in {path}")
    return definition


def report_broken(broken: dict[str, Any]) -> None:
    """One line on stderr for each domain that cannot be loaded (its DomainLoadError)."""
    if broken and os.environ.get("FLOWTASKS_DEBUG"):
        raise next(iter(broken.values()))
    for error in broken.values():
        err(f"flow-task: error: {error}")
