"""Amazon States Language: compile a `Flow` to ASL, and validate any ASL definition.

    from flowtasks.asl import compile_flow, validate_definition
    compiled = compile_flow(flow, "demo")      # Compiled: .definition, .json, .warnings
    problems = validate_definition(asl_dict)  # [] when sound

Modules: `compiler` (Flow -> canonical ASL), `validate` (the one judge of what ASL is accepted:
structure, `checks`, `choice_rules`, `validate_numbers`, `validate_variables`, `schema`),
`warnings` (AWS limits a flow may hit), `walk` (the one walk over nested machines and states),
`diagram` (Mermaid / dot drawings), `task_resource` (our Task states' Resource and Parameters),
`states_errors` (`StatesErrorName`, `StatesFailure`), `canonical` (stable JSON text). The names
below load on first use, so importing a submodule stays cheap.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from flowtasks.asl.compiler import Compiled, compile_flow
    from flowtasks.asl.validate import validate_definition

__all__ = ["Compiled", "compile_flow", "validate_definition"]

_HOMES = {
    "Compiled": "flowtasks.asl.compiler",
    "compile_flow": "flowtasks.asl.compiler",
    "validate_definition": "flowtasks.asl.validate",
}


def __getattr__(name: str) -> _typing.Any:
    """Load the public names on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'flowtasks.asl' has no attribute {name!r}")
    value = getattr(_importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
