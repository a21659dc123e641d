"""`validate_definition` accepts every real-world definition of ``shared/asl-examples`` as
published (AWS accepted them all: they come from AWS samples and LocalStack's AWS-validated tests).
"""

from __future__ import annotations

import pytest
from corpus_presence import CORPUS_DIR, require_corpus
from corpus_scenarios import SCENARIOS, load

from flowtasks.asl.validate import validate_definition

require_corpus()


def test_the_corpus_holds_sixty_definitions() -> None:
    assert len(list(CORPUS_DIR.glob("*.json"))) == 60


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_real_world_definitions_are_accepted(name: str) -> None:
    assert validate_definition(load(name)) == []
