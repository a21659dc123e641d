"""A task result JSON cannot carry fails the task, naming where in the result the value is."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest

from flowtasks.local import run
from flowtasks.runner.execute import encode_result

EXPORT = {"Type": "Task", "Resource": "x", "End": True}
MACHINE = {"StartAt": "Export", "States": {"Export": EXPORT}}


@pytest.mark.parametrize(
    ("result", "where"),
    [
        ({"report": {"rows": [1, {"when": datetime.now(UTC)}]}}, "$.report.rows[1].when"),
        ({"ok": 1.5, "ratio": math.nan}, "$.ratio"),
        ({"file names": {"a.csv"}}, '$["file names"]'),
        ({"by": {(1, 2): 3}}, "$.by (a key of type tuple)"),
        (b"raw", "$"),
    ],
)  # fmt: skip
def test_the_failure_names_the_json_path_of_the_value(result: Any, where: str) -> None:
    with pytest.raises(TypeError, match=r"^the task's result is not JSON at (.+?): ") as info:
        encode_result(result)
    assert str(info.value).startswith(f"the task's result is not JSON at {where}: ")

    execution = run(MACHINE, {}, {"Export": lambda _: result})
    assert (execution.status, execution.error) == ("FAILED", "TypeError")
    assert f"not JSON at {where}: " in str(execution.cause)


def test_json_results_encode_as_before() -> None:
    assert encode_result({"a": [1, 2.5, None, True, "é"], "n": {"1": 2}}) == (
        '{"a":[1,2.5,null,true,"é"],"n":{"1":2}}'
    )
