"""Every public real-world definition in ../shared/asl-examples loads into the engine:
validated (`flowtasks.asl.validate`) and compiled into runnable states, without error.

Running them with mocked Tasks is the corpus suite's job (tests/corpus); JSONata states load
here and fail clearly only when run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowtasks.errors import DefinitionError
from flowtasks.local.graph import compile_definition

EXAMPLES = Path(__file__).resolve().parents[5].parent / "shared" / "asl-examples"
FILES = sorted(EXAMPLES.glob("*.json"))


def test_the_corpus_is_there() -> None:
    assert len(FILES) == 60


UNSUBSTITUTED = {"wfc--human-task-reminder": "Sleep for Reminder > Seconds"}
"""Examples whose numeric fields hold a DefinitionSubstitutions placeholder (``${...}``):
Step Functions refuses such a definition at creation, and so does the engine, naming the field
(the corpus suite runs them with the placeholders substituted)."""


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_loads(path: Path) -> None:
    definition = json.loads(path.read_text())
    if path.stem in UNSUBSTITUTED:
        with pytest.raises(DefinitionError) as raised:
            compile_definition(definition)
        (problem,) = raised.value.problems
        assert problem.where.endswith(UNSUBSTITUTED[path.stem])
        assert "unsubstituted" in problem.message
        return
    _, graph = compile_definition(definition)
    assert set(graph.states) == set(definition["States"])
    assert graph.start_at in graph.states
