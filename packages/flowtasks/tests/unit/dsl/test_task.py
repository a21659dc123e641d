"""@task: names, options, immutability, and typed input/output at the JSON boundary."""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
from typing import Any

import pydantic
import pytest

from flowtasks import Catch, Retry, TaskState, task
from flowtasks.dsl import _typed


@task
def fetch_orders(payload: dict[str, Any]) -> dict[str, Any]:
    return {"orders": payload["n"]}


@task(name="Load", timeout_seconds=30, heartbeat_seconds=10, compute="lambda", cpu=512, memory=1024)
def load_rows(payload: Any) -> Any:
    return payload


@dataclass
class Order:
    id: int
    amount: float


class Customer(pydantic.BaseModel):
    name: str
    age: int


@task
def double_order(order: Order) -> Order:
    return Order(order.id, order.amount * 2)


@task
def greet(customer: Customer) -> Customer:
    return Customer(name=customer.name.upper(), age=customer.age + 1)


@task
def no_input() -> str:
    return "ok"


@task
def lies(order: Order) -> Order:
    return {"id": order.id}  # type: ignore[return-value]


def test_task_name_is_derived_from_the_function_name() -> None:
    assert isinstance(fetch_orders, TaskState)
    assert fetch_orders.name == "FetchOrders"
    assert task(lambda: None).name == "<lambda>"


def test_task_options_are_kept() -> None:
    assert load_rows.name == "Load"
    assert (load_rows.timeout_seconds, load_rows.heartbeat_seconds) == (30, 10)
    assert (load_rows.compute, load_rows.cpu, load_rows.memory) == ("lambda", 512, 1024)


def test_calling_the_task_state_calls_the_function_unchanged() -> None:
    assert fetch_orders({"n": 3}) == {"orders": 3}
    assert fetch_orders.function.__name__ == "fetch_orders"


def test_with_returns_a_new_state_and_keeps_the_original() -> None:
    again = fetch_orders.with_(name="FetchAgain", retry=Retry([KeyError]))
    assert again.name == "FetchAgain"
    assert again.retry == (Retry([KeyError]),)
    assert fetch_orders.name == "FetchOrders"
    assert fetch_orders.retry == ()
    assert again.function is fetch_orders.function
    with pytest.raises(dataclasses.FrozenInstanceError):
        fetch_orders.name = "X"  # type: ignore[misc]


def test_retry_and_catch_accept_one_rule_or_a_list() -> None:
    one = fetch_orders.with_(retry=Retry(["A"]), catch=Catch(["B"], next="X"))
    many = fetch_orders.with_(retry=[Retry(["A"]), Retry(["C"])])
    assert one.retry == (Retry(["A"]),)
    assert len(one.catch) == 1  # type: ignore[arg-type]
    assert len(many.retry) == 2  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Retry objects"):
        fetch_orders.with_(retry=["A"])


def test_source_is_where_the_task_was_defined() -> None:
    assert fetch_orders.source.endswith("test_task.py:17")
    copy = fetch_orders.with_(name="Other")
    assert copy.source.endswith(f"test_task.py:{sys._getframe().f_lineno - 1}")


def test_call_validates_dataclass_input_and_returns_json_data() -> None:
    assert double_order.call({"id": 1, "amount": 2.5}) == {"id": 1, "amount": 5.0}


def test_call_rejects_bad_dataclass_input() -> None:
    with pytest.raises(pydantic.ValidationError):
        double_order.call({"id": "not a number", "amount": 1})


def test_call_validates_pydantic_models_both_ways() -> None:
    assert greet.call({"name": "ada", "age": 36}) == {"name": "ADA", "age": 37}
    with pytest.raises(pydantic.ValidationError):
        greet.call({"name": "ada"})


def test_call_without_input_parameter_ignores_the_payload() -> None:
    assert no_input.call({"anything": 1}) == "ok"


def test_call_passes_untyped_payload_through() -> None:
    assert fetch_orders.call({"n": 2}) == {"orders": 2}


def test_call_refuses_output_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match="returned dict, declared Order"):
        lies.call({"id": 1, "amount": 1})


def test_call_propagates_what_the_function_raises() -> None:
    with pytest.raises(KeyError):
        fetch_orders.call({})


def test_dataclasses_work_without_pydantic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pydantic", None)  # makes "import pydantic" fail
    assert _typed.to_typed(Order, {"id": 1, "amount": 2.0, "extra": 1}) == Order(1, 2.0)
    assert _typed.to_json_data(Order(1, 2.0)) == {"id": 1, "amount": 2.0}
    with pytest.raises(TypeError, match="missing field"):
        _typed.to_typed(Order, {"id": 1})
    with pytest.raises(TypeError, match="expects a JSON object"):
        _typed.to_typed(Order, [1])


# The task function contract (flowtasks.dsl._typed.signature_problem): the runner passes the
# state input as the one positional argument, or nothing when the function has no positional slot.


def test_keyword_only_parameter_with_default_is_not_given_the_input() -> None:
    @task
    def keyword_default(*, x: int = 1) -> int:
        return x

    assert _typed.signature_problem(keyword_default.function) is None
    assert keyword_default.call({"x": 5}) == 1  # called with no argument, not with the input


def test_extra_parameters_with_defaults_keep_their_defaults() -> None:
    @task
    def extra(payload: Any, scale: int = 2, *, offset: int = 1) -> Any:
        return payload["n"] * scale + offset

    assert _typed.signature_problem(extra.function) is None
    assert extra.call({"n": 3}) == 7


def test_varargs_receives_the_input() -> None:
    @task
    def spread(*args: Any) -> Any:
        return list(args)

    assert spread.call({"a": 1}) == [{"a": 1}]


def test_signature_problem_names_the_function_and_every_required_parameter() -> None:
    def kw_required(payload: Any, *, limit: int) -> Any:
        return payload

    def two(a: Any, b: Any, c: Any = 0) -> Any:
        return a

    def only_kw(*, limit: int) -> Any:
        return limit

    problem = _typed.signature_problem(kw_required)
    assert problem is not None
    assert "kw_required takes 2 required arguments (payload, limit)" in problem
    assert "needs a default" in problem
    assert "two takes 2 required arguments (a, b)" in str(_typed.signature_problem(two))
    assert "only_kw takes 1 required arguments (limit)" in str(_typed.signature_problem(only_kw))
    assert _typed.signature_problem(lambda: 1) is None
    assert _typed.signature_problem(lambda x, y=2: x) is None
