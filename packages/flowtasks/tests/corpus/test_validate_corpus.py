"""`validate_definition` accepts every real-world definition of ``shared/asl-examples`` once
its deployment placeholders are filled in as CloudFormation fills them (AWS accepted them all:
they come from AWS samples and LocalStack's AWS-validated tests). As published, only
``wfc--human-task-reminder`` is refused: its Wait ``Seconds`` is the string
``${ReminderTimeout}``, which CreateStateMachine refuses too (Seconds must be an integer).
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
    assert validate_definition(load(name, SCENARIOS[name].substitutions)) == []


def test_an_unsubstituted_numeric_placeholder_is_refused_with_its_location() -> None:
    (problem,) = validate_definition(load("wfc--human-task-reminder"))
    assert problem.where.endswith("States.Sleep for Reminder > Seconds")
    assert "${ReminderTimeout}" in problem.message
