"""The error names that Step Functions itself raises, and the failure that carries one.

Names and meanings follow the AWS Step Functions developer guide, "Error handling in Step
Functions" (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
"""

from __future__ import annotations

from enum import StrEnum


class StatesErrorName(StrEnum):
    """Predefined error names (the `States.` prefix is reserved for them)."""

    ALL = "States.ALL"
    """Wildcard: matches any error name except States.DataLimitExceeded and States.Runtime."""
    HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
    """Documented, but AWS reports a missed heartbeat as States.Timeout (recorded: LocalStack's
    test_heartbeats.py::test_heartbeat_timeout); the engine does the same."""
    TIMEOUT = "States.Timeout"
    TASK_FAILED = "States.TaskFailed"
    """Wildcard: matches any error from a Task state except States.Timeout."""
    PERMISSIONS = "States.Permissions"
    RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
    REFERENCE_PATH_CONFLICT = "States.ReferencePathConflict"
    """Undocumented but raised by AWS when a ResultPath step meets a non-object node."""
    PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
    QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
    BRANCH_FAILED = "States.BranchFailed"
    NO_CHOICE_MATCHED = "States.NoChoiceMatched"
    INTRINSIC_FAILURE = "States.IntrinsicFailure"
    EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
    ITEM_READER_FAILED = "States.ItemReaderFailed"
    RESULT_WRITER_FAILED = "States.ResultWriterFailed"
    DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
    """A payload over 256 KiB (`flowtasks.limits.MAX_PAYLOAD_BYTES`). Not matched by States.ALL,
    so an oversized state input or output fails the execution; but a Task's oversized *result*
    is reported as the task's failure, which States.ALL does retry and catch (AWS-recorded in
    LocalStack's test_states_errors.py; see `flowtasks.local.limits.ResultTooLarge`)."""
    RUNTIME = "States.Runtime"
    """Never retried; not matched by States.ALL."""


class StatesFailure(Exception):
    """A state failed with an ASL (`error`, `cause`) pair. Raised while evaluating a state.

    Evaluation code raises this for anything a Retry/Catch may see; the engine turns it into
    the state's failure. Not a `FlowtasksError`: it never escapes `flowtasks.local.run`.
    `error` and `cause` are None when absent: a Fail state without Error or Cause (AWS then
    records neither; a ``States.ALL`` catcher sees ``{"Error": null, "Cause": null}``).
    """

    def __init__(self, error: str | None, cause: str | None = "") -> None:
        self.error = error
        self.cause = cause
        super().__init__(f"{error}: {cause}" if cause else str(error))

    def event_details(self) -> dict[str, str]:
        """``error`` and ``cause`` for a history event, each only when present."""
        return error_details(self.error, self.cause)


def error_details(error: str | None, cause: str | None) -> dict[str, str]:
    """The ``error`` / ``cause`` keys of a failure event: an absent one is left out, as AWS does
    (LocalStack's AWS-recorded ``test_base.py::test_state_fail_empty``: ``{}``)."""
    details = {}
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    return details
