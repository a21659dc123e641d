"""The limits of AWS that flowtasks enforces or warns about: each one here, once, with its source.

Sources are pages of the AWS Step Functions developer guide
(https://docs.aws.amazon.com/step-functions/latest/dg/...) and API reference. The validator
(`flowtasks.asl`), the engine (`flowtasks.local`), the DSL and the runner import them from here.
"""

from __future__ import annotations

__all__ = [
    "DISTRIBUTED_MAP_MAX_CONCURRENCY",
    "EXPRESS_MAX_SECONDS",
    "INLINE_MAP_MAX_CONCURRENCY",
    "MAX_ARRAY_RANGE",
    "MAX_ASSIGN_BYTES",
    "MAX_CONTAINER_OVERRIDES_BYTES",
    "MAX_DEFINITION_BYTES",
    "MAX_ENCODING_INPUT",
    "MAX_FIELD_SECONDS",
    "MAX_HISTORY_EVENTS",
    "MAX_INTRINSIC_NESTING",
    "MAX_MAP_LABEL_LENGTH",
    "MAX_PAYLOAD_BYTES",
    "MAX_RETRY_DELAY_SECONDS",
    "MAX_TASK_CAUSE_LENGTH",
    "MAX_TASK_ERROR_LENGTH",
    "MAX_VARIABLES_BYTES",
    "MAX_VARIABLE_BYTES",
    "MAX_VARIABLE_NAME_LENGTH",
    "MAX_WAIT_DELAY_SECONDS",
    "MAX_WAIT_SECONDS",
]

MAX_PAYLOAD_BYTES = 262_144
"""256 KiB of UTF-8 JSON per state, task or execution input or output; past it
``States.DataLimitExceeded`` (service-quotas.html, "Maximum input or output size")."""

MAX_HISTORY_EVENTS = 25_000
"""Events in a Standard execution's history; the execution fails when it would pass them
(service-quotas.html, "Maximum execution history size")."""

EXPRESS_MAX_SECONDS = 300
"""The longest an Express execution runs: 5 minutes (service-quotas.html, "Maximum execution
time", Express)."""

INLINE_MAP_MAX_CONCURRENCY = 40
"""Iterations an inline Map runs at once, at most; more needs a Distributed Map
(state-map-inline.html: "runs up to 40 iterations concurrently")."""

DISTRIBUTED_MAP_MAX_CONCURRENCY = 10_000
"""Child executions a Distributed Map runs at once, at most (state-map-distributed.html,
MaxConcurrency)."""

MAX_WAIT_SECONDS = 99_999_999
"""The longest Wait, in seconds; SecondsPath and expressions are held to it (state-wait.html)."""

MAX_VARIABLE_BYTES = 262_144
"""256 KiB: the largest value one workflow variable may hold, as UTF-8 JSON
(workflow-variables.html, "Size limits")."""

MAX_ASSIGN_BYTES = 262_144
"""256 KiB: the largest combined size of the values one ``Assign`` sets
(workflow-variables.html, "Size limits")."""

MAX_VARIABLES_BYTES = 10 * 1024 * 1024
"""10 MiB: the largest combined size of the variables stored in one execution
(workflow-variables.html, "Size limits"; the engine counts those visible in one scope)."""

MAX_VARIABLE_NAME_LENGTH = 80
"""The longest variable name, in characters (workflow-variables.html, "Variable names")."""

MAX_INTRINSIC_NESTING = 10
"""Intrinsic functions nested in one field, at most (intrinsic-functions.html: "You can nest up
to 10 intrinsic functions within a field")."""

MAX_ARRAY_RANGE = 1000
"""Items States.ArrayRange may produce (intrinsic-functions.html: "The newly generated array
can't contain more than 1000 items")."""

MAX_ENCODING_INPUT = 10_000
"""Characters of input to States.Base64Encode, States.Base64Decode and States.Hash
(intrinsic-functions.html)."""

MAX_CONTAINER_OVERRIDES_BYTES = 8192
"""8 KiB: the total size of an ECS RunTask's container overrides (Amazon ECS API reference,
RunTask ``overrides``); why task input travels by reference past it."""

MAX_TASK_ERROR_LENGTH = 256
"""Characters of ``error`` that SendTaskFailure accepts (API reference, SendTaskFailure)."""

MAX_TASK_CAUSE_LENGTH = 32_768
"""Characters of ``cause`` that SendTaskFailure accepts (API reference, SendTaskFailure)."""

MAX_FIELD_SECONDS = 99_999_999
"""Upper bound of a Task's TimeoutSeconds and HeartbeatSeconds, a machine's TimeoutSeconds and
a retrier's IntervalSeconds and MaxAttempts (AWS's ASL linter, awslabs/statelint
StateMachine.j2119, and language service schema, aws/amazon-states-language-service)."""

MAX_RETRY_DELAY_SECONDS = 31_622_400
"""A retrier's largest MaxDelaySeconds, a year and a day (aws/amazon-states-language-service
json-schema common.json, "Maximum: 31622400")."""

MAX_MAP_LABEL_LENGTH = 40
"""Characters of a Distributed Map's Label (state-map-distributed.html, "Label")."""

MAX_DEFINITION_BYTES = 1_048_576
"""Bytes of a state machine's definition (service-quotas.html, "Maximum request size: 1 MB per
request", which holds the CreateStateMachine / UpdateStateMachine definition)."""

MAX_WAIT_DELAY_SECONDS = 2**31 - 1
"""The longest delay a Wait may resolve to (a TimestampPath far ahead): beyond it the state fails
with ``States.Runtime`` "Wait state delay is too long." (recorded against AWS: LocalStack's
test_wait.py::test_timestamp_too_far_in_future_boundary, 24855 days ahead waits, 24856 fail)."""
