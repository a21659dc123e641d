"""``flow-task new``: scaffold a domain package or a flow, registered and exported at once.

`new_domain` writes ``domains/<name>-flows`` (pyproject with the ``flowtasks.domains`` entry
point, poetry.toml, ``src/<name>_flows/{flows,tasks}``, tests, an example flow and its test), adds
it to the root pyproject's path dependencies, links its ``.venv`` to the root one as
scripts/bootstrap does, and installs it editable so that it is discovered immediately.
`new_flow` writes ``flows/<module>.py`` and ``tests/test_<module>.py``, exports the flow from
``flows/__init__.py`` and, in a domain that keeps golden files (``tests/golden/``, as every
scaffolded domain and the demo do), writes the flow's compiled ASL there, so that a new flow
passes every test untouched. Neither ever overwrites a file.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flowtasks.errors import FlowtasksError, UsageError
from flowtasks.scaffold import templates

__all__ = ["EXAMPLE_FLOW", "DomainLayout", "find_root", "flow_names", "new_domain", "new_flow"]

EXAMPLE_FLOW = "HelloItems"
"""The flow every new domain starts with."""

_DOMAIN_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_FLOW_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_RESERVED = {"count_items", "any", "task", "flow", "choice", "retry", "succeed", "var"}


@dataclass(frozen=True)
class DomainLayout:
    """Where a domain's files live under the monorepo root."""

    root: Path
    domain: str

    @property
    def dist(self) -> str:
        """The distribution (and folder) name: ``billing-flows``."""
        return self.domain.replace("_", "-") + "-flows"

    @property
    def package(self) -> str:
        """The import name: ``billing_flows``."""
        return self.domain + "_flows"

    @property
    def path(self) -> Path:
        """``domains/billing-flows``."""
        return self.root / "domains" / self.dist

    @property
    def source(self) -> Path:
        """``domains/billing-flows/src/billing_flows``."""
        return self.path / "src" / self.package

    def values(self) -> dict[str, str]:
        """Template values."""
        return {"domain": self.domain, "dist": self.dist, "package": self.package}


def find_root(start: Path | None = None) -> Path:
    """The monorepo root: the nearest folder (from `start`, default cwd) with a root pyproject."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        pyproject = folder / "pyproject.toml"
        if (
            (folder / "domains").is_dir()
            and pyproject.is_file()
            and "package-mode = false" in pyproject.read_text(encoding="utf-8")
        ):
            return folder
    raise UsageError(f"no monorepo root above {here} (a pyproject.toml beside a domains/ folder)")


def flow_names(name: str) -> tuple[str, str]:
    """(Flow name, module name) for `name`: ``order-sync`` / ``OrderSync`` -> ``OrderSync``,
    ``order_sync``."""
    if not _FLOW_NAME.match(name):
        raise UsageError(
            f"flow name {name!r}: use letters, digits, '-' or '_', starting with a letter"
        )
    parts = [p for p in re.split(r"[-_]", name) if p]
    flow = "".join(p[0].upper() + p[1:] for p in parts)
    module = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", flow).lower()
    return flow, module


def _write_new(path: Path, text: str) -> Path:
    if path.exists():
        raise UsageError(f"{path} already exists; not overwriting it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _export(init: Path, package: str, module: str, flow: str) -> None:
    """Add ``from <package>.flows.<module> import <flow>`` and `flow` in __all__ to `init`
    (`flow` is the module attribute holding the Flow: the module's own name, as in the demo)."""
    text = init.read_text(encoding="utf-8") if init.exists() else '"""Flows."""\n'
    tree = ast.parse(text)
    lines = text.splitlines()
    exported: list[str] = []
    all_span: tuple[int, int] | None = None
    import_lines: list[int] = []
    after_docstring = 0
    for node in tree.body:
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and node is tree.body[0]
        ):
            after_docstring = node.end_lineno or 0
        elif isinstance(node, ast.ImportFrom | ast.Import) and node.lineno == node.end_lineno:
            import_lines.append(node.lineno - 1)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                exported = list(ast.literal_eval(node.value)) if node.value else []
                all_span = (node.lineno - 1, node.end_lineno or node.lineno)
    if flow in exported:
        raise UsageError(f"{init} already exports {flow!r}")
    new_import = f"from {package}.flows.{module} import {flow}"
    all_text = ["__all__ = [", *(f'    "{n}",' for n in sorted({*exported, flow})), "]"]
    edits: list[tuple[int, int, list[str]]] = []  # (start, end, replacement) on `lines`
    if all_span is not None:
        edits.append((all_span[0], all_span[1], all_text))
    else:
        edits.append((len(lines), len(lines), ["", *all_text]))
    if import_lines:
        imports = sorted({*(lines[i] for i in import_lines), new_import})
        edits += [(i, i + 1, []) for i in import_lines[1:]]
        edits.append((import_lines[0], import_lines[0] + 1, imports))
    else:
        edits.append((after_docstring, after_docstring, ["", new_import, ""]))
    for begin, stop, replacement in sorted(edits, key=lambda edit: edit[0], reverse=True):
        lines[begin:stop] = replacement
    out: list[str] = []
    for line in lines:
        if line.startswith("__all__") and out and out[-1].startswith(("from ", "import ")):
            out.append("")
        out.append(line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out).strip() + "\n")
    init.write_text(text, encoding="utf-8")


def new_flow(domain: str, name: str, *, root: Path | None = None) -> list[Path]:
    """Write a flow and its test into `domain` and export it. Returns the files written/changed."""
    layout = DomainLayout(root or find_root(), domain)
    if not layout.source.is_dir():
        raise UsageError(f"no domain {domain!r}: {layout.source} does not exist")
    flow, module = flow_names(name)
    if module in _RESERVED:
        raise UsageError(
            f"flow name {name!r} clashes with the template's own names; choose another"
        )
    values = {**layout.values(), "flow": flow, "module": module}
    values["imports"] = templates.test_imports(layout.package, module)
    init = layout.source / "flows" / "__init__.py"
    flow_file = layout.source / "flows" / f"{module}.py"
    test_file = layout.path / "tests" / f"test_{module}.py"
    for path in (flow_file, test_file):
        if path.exists():
            raise UsageError(f"{path} already exists; not overwriting it")
    written = [
        _write_new(flow_file, templates.FLOW.substitute(values)),
        _write_new(test_file, templates.FLOW_TEST.substitute(values)),
    ]
    _export(init, layout.package, module, module)
    from flowtasks.registry import clear_cache

    clear_cache()
    golden = layout.path / "tests" / "golden"
    if golden.is_dir():
        text = _compiled_text(layout, module)
        written.append(_write_new(golden / f"{flow}.asl.json", text))
    return [*written, init]


def _compiled_text(layout: DomainLayout, module: str) -> str:
    """The canonical ASL JSON of the flow just written to ``flows/<module>.py`` (its golden file).

    Imported by its real module name (the compiler checks that tasks import by name), from the
    domain's ``src`` even when the domain is not installed yet; the domain's modules imported
    for this are forgotten again, so that later imports see the updated ``flows/__init__.py``.
    """
    from flowtasks.asl import compile_flow

    src = str(layout.path / "src")
    added = src not in sys.path
    before = set(sys.modules)
    bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # write only the files `new_flow` reports, no __pycache__
    if added:
        sys.path.insert(0, src)
    try:
        importlib.invalidate_caches()
        loaded = importlib.import_module(f"{layout.package}.flows.{module}")
        return compile_flow(getattr(loaded, module), layout.domain).to_json()
    finally:
        sys.dont_write_bytecode = bytecode
        if added:
            sys.path.remove(src)
        for name in set(sys.modules) - before:
            if name == layout.package or name.startswith(layout.package + "."):
                del sys.modules[name]


def _register(root: Path, layout: DomainLayout) -> None:
    """Add the domain to the root pyproject's ``[tool.poetry.dependencies]`` (path, develop)
    and to ruff's ``known-first-party``."""
    pyproject = root / "pyproject.toml"
    lines = pyproject.read_text(encoding="utf-8").splitlines()
    entry = f'{layout.dist} = {{ path = "domains/{layout.dist}", develop = true }}'
    try:
        start = lines.index("[tool.poetry.dependencies]")
    except ValueError:
        raise UsageError(f"{pyproject} has no [tool.poetry.dependencies] table") from None
    end = start + 1
    while end < len(lines) and not lines[end].startswith("["):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    if not any(line.split("=")[0].strip() == layout.dist for line in lines[start:end]):
        lines.insert(end, entry)
    for index, line in enumerate(lines):  # ruff sorts the domain's imports as first-party
        if line.startswith("known-first-party = [") and f'"{layout.package}"' not in line:
            names = [n.strip() for n in line.split("[", 1)[1].rstrip("]").split(",") if n.strip()]
            names = sorted({*names, f'"{layout.package}"'})
            lines[index] = f"known-first-party = [{', '.join(names)}]"
    pyproject.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _install(layout: DomainLayout, log: Callable[[str], None]) -> None:
    log(f"installing {layout.dist} into {sys.prefix} (pip install -e, a few seconds)...")
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    result = subprocess.run(
        [*command, "--no-deps", "-e", str(layout.path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise FlowtasksError(f"pip could not install {layout.path}:\n{tail}")
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(layout.path / "src")],
        capture_output=True,
        check=False,
    )


def new_domain(
    name: str,
    *,
    root: Path | None = None,
    install: bool = True,
    log: Callable[[str], None] = lambda _: None,
) -> Path:
    """Scaffold the domain `name` with its example flow; register and (optionally) install it."""
    if not _DOMAIN_NAME.match(name):
        raise UsageError(
            f"domain name {name!r}: use lower-case letters, digits and '_', starting with a letter"
        )
    root = root or find_root()
    if not ((root / "pyproject.toml").is_file() and (root / "domains").is_dir()):
        raise UsageError(f"{root} is not the monorepo root (a pyproject.toml beside domains/)")
    layout = DomainLayout(root, name)
    if layout.path.exists():
        raise UsageError(f"{layout.path} already exists")
    values = layout.values()
    files = {
        layout.path / "pyproject.toml": templates.DOMAIN_PYPROJECT,
        layout.path / "poetry.toml": templates.POETRY_TOML,
        layout.source / "__init__.py": templates.PACKAGE_INIT,
        layout.source / "flows" / "__init__.py": templates.FLOWS_INIT,
        layout.source / "tasks" / "__init__.py": templates.TASKS_INIT,
    }
    for path, template in files.items():
        _write_new(path, template.substitute(values))
    (layout.path / "tests" / "golden").mkdir(parents=True)
    flows_test = templates.FLOWS_TEST.substitute(
        values, flows_imports=templates.flows_test_imports(layout.package)
    )
    _write_new(layout.path / "tests" / "test_flows.py", flows_test)
    new_flow(name, EXAMPLE_FLOW, root=root)
    _register(root, layout)
    venv = root / ".venv"
    if venv.exists():
        (layout.path / ".venv").symlink_to(Path("..") / ".." / ".venv")
    if install:
        _install(layout, log)
    from flowtasks.registry import clear_cache

    clear_cache()
    return layout.path
