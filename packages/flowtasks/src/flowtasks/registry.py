"""Where flows come from: domains discovered through the ``flowtasks.domains`` entry-point group.

A domain package declares, in its pyproject::

    [project.entry-points."flowtasks.domains"]
    demo = "demo_flows.flows"

The entry point's name is the domain, its value the module exporting the domain's flows (its
``__all__`` if it has one, else every module attribute that is a `Flow`). A flow is known by its
qualified name ``<domain>.<Flow.name>``, e.g. ``demo.VendorIngest``.

Entry points are read straight from the ``*.dist-info/entry_points.txt`` files on `sys.path`
(the same files `importlib.metadata` reads) because importing `importlib.metadata` alone costs
more than the whole rest of ``flow-task``'s start-up.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flowtasks.errors import DomainLoadError, FlowNotFoundError

if TYPE_CHECKING:
    from flowtasks.asl.compiler import Compiled
    from flowtasks.dsl import Flow

__all__ = [
    "ENTRY_POINT_GROUP",
    "Domain",
    "DomainLoadError",
    "clear_cache",
    "compiled",
    "compiled_definition",
    "domains",
    "get_flow",
    "load_flows",
    "qualified_name_of",
    "split_name",
]

ENTRY_POINT_GROUP = "flowtasks.domains"


@dataclass(frozen=True)
class Domain:
    """One registered domain: its name and the ``module[:attribute]`` that exports its flows."""

    name: str
    value: str
    distribution: str


_lock = threading.RLock()
_flows: dict[str, Flow] | None = None
_compiled: dict[str, Compiled] = {}


def clear_cache() -> None:
    """Forget the discovered flows and compiled definitions (after installing a domain)."""
    global _flows
    with _lock:
        _flows = None
        _compiled.clear()


def _entry_points_files() -> list[tuple[str, str]]:
    """(distribution, path of its entry_points.txt) for every distribution on sys.path."""
    found: list[tuple[str, str]] = []
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                path = os.path.join(entry or ".", name, "entry_points.txt")
                if os.path.isfile(path):
                    dist = name.rsplit(".", 1)[0].split("-", 1)[0].lower().replace("-", "_")
                    found.append((dist, path))
    return found


def _parse_group(text: str, group: str) -> list[tuple[str, str]]:
    """The ``name = value`` pairs of one ``[group]`` section of an entry_points.txt file."""
    pairs: list[tuple[str, str]] = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, value = line.split("=", 1)
            pairs.append((name.strip(), value.strip()))
    return pairs


def domains() -> dict[str, Domain]:
    """Every registered domain by name. The first distribution on sys.path wins, as for imports."""
    seen_dists: set[str] = set()
    result: dict[str, Domain] = {}
    for dist, path in _entry_points_files():
        if dist in seen_dists:
            continue
        seen_dists.add(dist)
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            continue
        for name, value in _parse_group(text, ENTRY_POINT_GROUP):
            result.setdefault(name, Domain(name, value, dist))
    return result


def _flows_of(domain: Domain) -> dict[str, Flow]:
    from flowtasks.dsl import Flow

    module_name, _, attr = domain.value.partition(":")
    try:
        target: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attr.strip().split(".")):
            target = getattr(target, part)
    except Exception as exc:
        raise DomainLoadError(domain.name, domain.value, f"{type(exc).__name__}: {exc}") from exc
    exported = getattr(target, "__all__", None)
    names = list(exported) if exported is not None else sorted(vars(target))
    flows: dict[str, Flow] = {}
    for name in names:
        value = getattr(target, name, None)
        if not isinstance(value, Flow):
            continue
        qualified = f"{domain.name}.{value.name}"
        other = flows.get(qualified)
        if other is not None and other is not value:
            raise DomainLoadError(
                domain.name, domain.value, f"two different flows are both named {value.name!r}"
            )
        flows[qualified] = value
    return flows


def load_flows() -> dict[str, Flow]:
    """Every flow of every registered domain, by qualified name (``domain.Flow``), sorted.

    Raises `DomainLoadError` naming the domain when its module fails to import.
    """
    global _flows
    with _lock:
        if _flows is None:
            flows: dict[str, Flow] = {}
            for domain in domains().values():
                flows.update(_flows_of(domain))
            _flows = dict(sorted(flows.items()))
        return _flows


def split_name(qualified_name: str) -> tuple[str, str]:
    """``"demo.VendorIngest"`` -> ``("demo", "VendorIngest")``."""
    domain, _, flow = qualified_name.partition(".")
    return domain, flow


def get_flow(qualified_name: str) -> Flow:
    """The flow called `qualified_name`: ``domain.Flow``, or a bare ``Flow`` if it is unique.

    Raises `FlowNotFoundError` listing the known flows, with the closest names as suggestions.
    """
    flows = load_flows()
    flow = flows.get(qualified_name)
    if flow is not None:
        return flow
    if "." not in qualified_name:
        matches = [name for name in flows if split_name(name)[1] == qualified_name]
        if len(matches) == 1:
            return flows[matches[0]]
    import difflib

    error = FlowNotFoundError(qualified_name, flows)
    close = difflib.get_close_matches(qualified_name, list(flows), n=1)
    if not close and "." not in qualified_name:
        bare = {split_name(name)[1]: name for name in flows}
        close = [bare[m] for m in difflib.get_close_matches(qualified_name, list(bare), n=1)]
    if close:
        error.args = (f"{error} Did you mean {close[0]!r}?",)
    raise error


def qualified_name_of(flow_name: str) -> str:
    """The registered qualified name of `flow_name` (which may be a bare unique flow name)."""
    flow = get_flow(flow_name)
    for name, candidate in load_flows().items():
        if candidate is flow:
            return name
    return flow_name  # pragma: no cover - get_flow only returns registered flows


def compiled(qualified_name: str) -> Compiled:
    """`compile_flow` of the flow, cached. Raises `DefinitionError` with every problem."""
    name = qualified_name_of(qualified_name)
    with _lock:
        result = _compiled.get(name)
        if result is None:
            from flowtasks.asl.compiler import compile_flow

            result = compile_flow(get_flow(name), domain=split_name(name)[0])
            _compiled[name] = result
        return result


def compiled_definition(qualified_name: str) -> dict[str, Any]:
    """The compiled ASL of the flow (a dict; do not mutate it: it is cached)."""
    return compiled(qualified_name).definition
