"""Run several scopes (Parallel branches, Map iterations) concurrently, and stop them together.

Workers are threads of a pool bounded by MaxConcurrency (0 = unbounded, capped at
`MAX_THREADS` = 40, the effective concurrency of an inline Map in AWS: "Map state runs up to 40
iterations concurrently" in the developer guide's inline Map page). The first failure cancels
the siblings (they stop at their next state, AWS's "other branches are stopped"); the pool is
always shut down, waiting for every worker, before this returns: no thread outlives a state.
With a `SkippedWaits` clock, a job starts (in skipped time) when one of the `workers` slots is
free, the first ones at the caller's time, and the caller resumes at the latest time a job
reached: skipped waits of concurrent branches overlap as real waits would.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from flowtasks.asl.states_errors import StatesFailure
from flowtasks.limits import INLINE_MAP_MAX_CONCURRENCY
from flowtasks.local.clock import Clock, SkippedWaits
from flowtasks.local.engine import Cancelled, CancelToken

__all__ = ["MAX_THREADS", "Outcome", "fan_out"]

MAX_THREADS = INLINE_MAP_MAX_CONCURRENCY
"""Worker threads of one fan-out, at most: AWS's inline Map concurrency."""


class Outcome(NamedTuple):
    """How one job ended: its `output`, or the `failure` it raised (then `ok` is False). A named
    tuple: one is made per Map iteration, so it must be cheap."""

    output: Any = None
    failure: StatesFailure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


_outcome = tuple.__new__
"""Makes an `Outcome` without the named tuple's Python-level ``__new__`` (once per item)."""


def fan_out(
    jobs: Sequence[Callable[[CancelToken], Any]],
    max_concurrency: int,
    cancel: CancelToken,
    tolerate: Callable[[int, int], bool] | None = None,
    sequential: bool = False,
    clock: Clock | None = None,
) -> list[Outcome | None]:
    """Run each job (given its own cancel token); returns one outcome per job, in order.

    Without `tolerate`, the first failure cancels the rest. With it, ``tolerate(failed, total)``
    says whether the failures so far are acceptable; once not, the rest are cancelled. A job that
    was cancelled or never started has the outcome None. ExecutionTimedOut propagates.
    """
    group = cancel.child()
    outcomes: list[Outcome | None] = [None] * len(jobs)
    failures = 0
    lock = threading.Lock()
    stopped: list[BaseException] = []  # ExecutionTimedOut, or a bug in the engine

    workers = min(max_concurrency or MAX_THREADS, MAX_THREADS, len(jobs))
    lanes = clock if isinstance(clock, SkippedWaits) else None
    # With skipped waits: when each of the `workers` slots is free again, in skipped seconds.
    slots = [lanes.offset()] * max(workers, 1) if lanes is not None else []

    def one(index: int) -> None:
        nonlocal failures
        if group.cancelled:
            return
        if lanes is not None:
            with lock:
                lanes.set_offset(heapq.heappop(slots))
        try:
            outcomes[index] = _outcome(Outcome, (jobs[index](group), None))
        except Cancelled:
            return
        except StatesFailure as failure:
            outcomes[index] = Outcome(failure=failure)
            with lock:
                failures += 1
                stop = tolerate is None or not tolerate(failures, len(jobs))
            if stop:
                group.cancel()
        except Exception as exc:
            stopped.append(exc)
            group.cancel()
        finally:
            if lanes is not None:
                with lock:
                    heapq.heappush(slots, lanes.offset())

    if sequential or workers <= 1:
        for index in range(len(jobs)):
            one(index)
            if group.cancelled:
                break
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flowtasks") as pool:
            for index in range(len(jobs)):
                pool.submit(one, index)
    if lanes is not None:
        lanes.set_offset(max(slots))
    if stopped:
        raise stopped[0]
    if cancel.cancelled:
        raise Cancelled
    return outcomes
