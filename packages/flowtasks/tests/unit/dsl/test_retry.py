"""Retry and Catch: AWS defaults, exception classes compiled to names.

Defaults: https://states-language.net/spec.html#retrying-after-error (IntervalSeconds 1,
MaxAttempts 3, BackoffRate 2.0) and the AWS guide "Handling errors in Step Functions workflows"
(MaxDelaySeconds unset, JitterStrategy NONE).
"""

from __future__ import annotations

import dataclasses

import pytest

from flowtasks import Catch, Pass, Retry, TaskError


class VendorDown(ConnectionError):
    pass


def test_retry_defaults_are_aws_defaults() -> None:
    retry = Retry(["States.ALL"])
    assert retry.interval_seconds == 1
    assert retry.max_attempts == 3
    assert retry.backoff_rate == 2.0
    assert retry.max_delay_seconds is None
    assert retry.jitter is None


def test_exception_classes_become_their_names() -> None:
    assert Retry([VendorDown, "Vendor.NotReady", TaskError]).errors == (
        "VendorDown",
        "Vendor.NotReady",
        "TaskError",
    )
    assert Retry(KeyError).errors == ("KeyError",)
    assert Catch(ValueError, next="X").errors == ("ValueError",)


def test_errors_must_be_classes_or_names() -> None:
    with pytest.raises(TypeError, match="exception class or an ASL error name"):
        Retry([42])  # type: ignore[list-item]


def test_catch_keeps_its_target_and_result_path() -> None:
    handler = Pass("Handle")
    catch = Catch(["States.ALL"], next=handler, result_path="$.error")
    assert catch.next is handler
    assert catch.result_path == "$.error"


def test_rules_are_immutable_values() -> None:
    assert Retry(["A"], max_attempts=2) == Retry(["A"], max_attempts=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Retry(["A"]).max_attempts = 5  # type: ignore[misc]
