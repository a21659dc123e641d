"""Mock outcomes: values, callables, exceptions, per-call lists, literal lists."""

from __future__ import annotations

import threading

import pytest

from flowtasks import TaskError
from flowtasks.testing import MockExhaustedError, returns
from flowtasks.testing.mocks import MockHandler


def test_a_value_is_returned_on_every_call() -> None:
    mock = MockHandler("S", {"rows": 3})
    assert mock({"a": 1}) == {"rows": 3}
    assert mock({"a": 2}) == {"rows": 3}
    assert mock.calls == [{"a": 1}, {"a": 2}]


def test_a_callable_receives_the_input() -> None:
    mock = MockHandler("S", lambda payload: {"double": payload["n"] * 2})
    assert mock({"n": 4}) == {"double": 8}


def test_an_exception_instance_is_raised() -> None:
    mock = MockHandler("S", TaskError("Vendor.NotReady", "still uploading"))
    with pytest.raises(TaskError) as raised:
        mock({})
    assert (raised.value.error, raised.value.cause) == ("Vendor.NotReady", "still uploading")


def test_an_exception_class_is_raised() -> None:
    mock = MockHandler("S", TimeoutError)
    with pytest.raises(TimeoutError):
        mock({})


def test_a_list_gives_one_outcome_per_call() -> None:
    mock = MockHandler("S", [TaskError("Busy"), {"ok": True}])
    with pytest.raises(TaskError):
        mock({})
    assert mock({}) == {"ok": True}


def test_calling_a_list_mock_too_often_is_a_test_error() -> None:
    mock = MockHandler("S", [{"ok": True}])
    mock({})
    with pytest.raises(MockExhaustedError, match="called 2 times but lists only 1"):
        mock({})
    assert mock.exhausted


def test_returns_gives_a_list_result_literally() -> None:
    mock = MockHandler("S", returns([1, 2]))
    assert mock({}) == [1, 2]
    assert mock({}) == [1, 2]


def test_calls_are_recorded_from_many_threads() -> None:
    mock = MockHandler("S", list(range(100)))
    results: list[int] = []
    lock = threading.Lock()

    def call(i: int) -> None:
        value = mock(i)
        with lock:
            results.append(value)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(100))
    assert sorted(mock.calls) == list(range(100))
