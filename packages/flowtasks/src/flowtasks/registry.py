"""Where flows come from: domains discovered through the ``flowtasks.domains`` entry-point group.

A domain package declares, in its pyproject::

    [project.entry-points."flowtasks.domains"]
    demo = "demo_flows.flows"

The entry point's name is the domain, its value the module exporting the domain's flows (its
``__all__`` if it has one, else every module attribute that is a `Flow`). A flow is known by its
qualified name ``<domain>.<Flow.name>``, e.g. ``demo.VendorIngest``.

Domains are imported lazily and one by one: a qualified name imports only its own domain, and a
domain that fails to import (`DomainLoadError`, located at the failing line of its code) does not
hide the others (`load_all` returns the healthy domains' flows and the broken domains' errors).

Entry points are read straight from the ``*.dist-info/entry_points.txt`` files on `sys.path`
(the same files `importlib.metadata` reads) because importing `importlib.metadata` alone costs
more than the whole rest of ``flow-task``'s start-up.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import traceback
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
    "load_all",
    "load_domain",
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
_registered: dict[str, Domain] | None = None
_loaded: dict[str, dict[str, Flow]] = {}  # domain -> its flows by qualified name
_broken: dict[str, DomainLoadError] = {}  # domain -> why it cannot be loaded
_compiled: dict[str, Compiled] = {}


def clear_cache() -> None:
    """Forget the discovered domains, their flows and compiled definitions (after installing a
    domain)."""
    global _registered
    with _lock:
        _registered = None
        _loaded.clear()
        _broken.clear()
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


def _shown(path: str) -> str:
    """`path` relative to the current folder when it is inside it, else as it is."""
    try:
        inside = os.path.abspath(path).startswith(os.path.join(os.getcwd(), ""))
        return os.path.relpath(path) if inside else path
    except ValueError:  # pragma: no cover - another drive on Windows
        return path


def _failure(exc: BaseException, package: str) -> str:
    """``Type: message (file:line)``, located at the innermost frame of the domain's own package
    (where a SyntaxError is, for one): the line of the domain's code that failed."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"SyntaxError: {exc.msg} ({_shown(exc.filename)}:{exc.lineno})"
    where = None
    frames = traceback.walk_tb(exc.__traceback__)
    for frame, line in frames:
        module = str(frame.f_globals.get("__name__", ""))
        if module == package or module.startswith(package + "."):
            where = f"{_shown(frame.f_code.co_filename)}:{line}"
    at = f" ({where})" if where else ""
    return f"{type(exc).__name__}: {exc}{at}"


def _flows_of(domain: Domain) -> dict[str, Flow]:
    from flowtasks.dsl import Flow

    module_name, _, attr = domain.value.partition(":")
    module_name = module_name.strip()
    try:
        target: Any = importlib.import_module(module_name)
        for part in filter(None, attr.strip().split(".")):
            target = getattr(target, part)
    except Exception as exc:
        package = module_name.split(".")[0]
        raise DomainLoadError(domain.name, domain.value, _failure(exc, package)) from exc
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


def _domains_cached() -> dict[str, Domain]:
    global _registered
    with _lock:
        if _registered is None:
            _registered = domains()
        return _registered


def load_domain(domain: str) -> dict[str, Flow]:
    """The flows of the one registered domain `domain`, by qualified name (cached): no other
    domain's module is imported. Raises `DomainLoadError` when its module fails to import,
    `FlowNotFoundError` when no such domain is registered."""
    with _lock:
        flows = _loaded.get(domain)
        if flows is not None:
            return flows
        error = _broken.get(domain)
        if error is not None:
            raise error
        registered = _domains_cached().get(domain)
        if registered is None:
            known = ", ".join(sorted(_domains_cached())) or "(none)"
            unknown = FlowNotFoundError(domain)
            unknown.args = (f"unknown domain {domain!r}. Known domains: {known}.",)
            raise unknown
        try:
            flows = dict(sorted(_flows_of(registered).items()))
        except DomainLoadError as exc:
            _broken[domain] = exc
            raise
        _loaded[domain] = flows
        return flows


def load_all() -> tuple[dict[str, Flow], dict[str, DomainLoadError]]:
    """(every flow of every domain that loads, sorted by qualified name; the `DomainLoadError` of
    each domain that does not, by domain name). One broken domain does not hide the others."""
    flows: dict[str, Flow] = {}
    broken: dict[str, DomainLoadError] = {}
    with _lock:
        for name in _domains_cached():
            try:
                flows.update(load_domain(name))
            except DomainLoadError as exc:
                broken[name] = exc
    return dict(sorted(flows.items())), broken


def load_flows() -> dict[str, Flow]:
    """Every flow of every registered domain, by qualified name (``domain.Flow``), sorted.

    Raises `DomainLoadError` naming the domain when its module fails to import (`load_all`
    gives the healthy domains' flows and the errors instead).
    """
    flows, broken = load_all()
    if broken:
        raise next(iter(broken.values()))
    return flows


def split_name(qualified_name: str) -> tuple[str, str]:
    """``"demo.VendorIngest"`` -> ``("demo", "VendorIngest")``."""
    domain, _, flow = qualified_name.partition(".")
    return domain, flow


def _find(name: str) -> tuple[str, Flow]:
    """(qualified name, flow) of `name`: ``domain.Flow`` imports only that domain's module."""
    domain, dot, _ = name.partition(".")
    if dot and domain in _domains_cached():
        flow = load_domain(domain).get(name)
        if flow is not None:
            return name, flow
    flows, broken = load_all()
    flow = flows.get(name)
    if flow is not None:
        return name, flow
    if not dot:
        matches = [known for known in flows if split_name(known)[1] == name]
        if len(matches) == 1:
            return matches[0], flows[matches[0]]
    import difflib

    error = FlowNotFoundError(name, flows)
    hint = str(error)
    close = difflib.get_close_matches(name, list(flows), n=1)
    if not close and not dot:
        bare = {split_name(known)[1]: known for known in flows}
        close = [bare[m] for m in difflib.get_close_matches(name, list(bare), n=1)]
    if close:
        hint += f" Did you mean {close[0]!r}?"
    if broken:
        hint += f" Domains that cannot be loaded: {', '.join(sorted(broken))}."
    error.args = (hint,)
    raise error


def get_flow(qualified_name: str) -> Flow:
    """The flow called `qualified_name`: ``domain.Flow``, or a bare ``Flow`` if it is unique.

    A qualified name imports only its own domain, so a broken domain does not hide the others'
    flows. Raises `FlowNotFoundError` listing the known flows, with the closest names as
    suggestions, and `DomainLoadError` when the flow's own domain cannot be loaded.
    """
    return _find(qualified_name)[1]


def qualified_name_of(flow_name: str) -> str:
    """The registered qualified name of `flow_name` (which may be a bare unique flow name)."""
    return _find(flow_name)[0]


def compiled(qualified_name: str) -> Compiled:
    """`compile_flow` of the flow, cached. Raises `DefinitionError` with every problem."""
    name = qualified_name_of(qualified_name)
    with _lock:
        result = _compiled.get(name)
        if result is None:
            from flowtasks.asl import compile_flow

            result = compile_flow(get_flow(name), domain=split_name(name)[0])
            _compiled[name] = result
        return result


def compiled_definition(qualified_name: str) -> dict[str, Any]:
    """The compiled ASL of the flow (a dict; do not mutate it: it is cached)."""
    return compiled(qualified_name).definition
