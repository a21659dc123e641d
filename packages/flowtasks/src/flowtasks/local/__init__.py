"""The local engine: run Amazon States Language definitions in-process with Step Functions
semantics.

    from flowtasks.local import run, redrive, Execution
    execution = run(definition, input, handlers={"StateName": fn}, skip_waits=True)

`run` / `redrive` are in `flowtasks.local.start`; time is injectable (`flowtasks.local.clock`);
``skip_waits=True`` skips Wait states and retry intervals but moves the execution's time on
(`SkippedWaits`), so timeouts and timestamps behave as if the time had passed; long-running
handlers report liveness with `heartbeat()`. A definition with badly typed numeric fields is a
`DefinitionError` before anything runs (`flowtasks.asl.validate_numbers`).

Modules: `start` (``run`` / ``redrive``: StartExecution, RedriveExecution), `engine` (the
interpreter loop: `Runtime`, `Scope`, ``run_scope``), `graph` (a validated definition compiled
once into state objects), one module per state type (`state_basic`: Pass, Choice, Wait, Succeed,
Fail; `state_task`; `state_parallel`; `state_map`, `distributed` and `items` for Distributed
Maps; `child_flows` for startExecution; `jsonata_states`), `state` (their base and I/O fields),
`retry` (Retry and Catch, and the decision recorded for `flowtasks.history`), `choice`,
`variables`, `fanout` (threads of branches and iterations), `history` (the events,
GetExecutionHistory-shaped), `limits` (the JSON boundary and payload size), `clock`, `context`,
`execution`. Expressions are evaluated by `flowtasks.expressions`; what is valid ASL is judged
only by `flowtasks.asl.validate`.

Decisions where AWS behaviour cannot be reproduced exactly in-process (each documented in its
module):

- Task results cross the JSON boundary with the runner's encoder: a datetime, set, bytes or NaN
  fails the task with Error ``TypeError`` (catchable, retriable), as in the container.
- TimeoutSeconds / HeartbeatSeconds of in-process handlers are judged when the handler returns
  (threads cannot be interrupted safely): the state then fails with ``States.Timeout`` for
  both, as recorded against AWS; a handler that never returns is not stopped.
- Parallel branches and Map iterations run on at most 40 threads (MaxConcurrency 0 = 40),
  AWS's effective inline Map concurrency; iterations made only of Pass/Choice/Succeed/Fail run
  in the calling thread. Every thread is joined before the state ends.
- The 25,000-event history quota is enforced (``history_limit=None`` lifts it).
- ``States.Runtime`` is never retried nor caught, as the error-handling page says.
- A retried Parallel / Map state records ``ParallelStateFailed`` / ``MapStateFailed`` once,
  after its last attempt, as recorded against AWS.
- What the engine decided after a failure (the retrier and delay, the catcher) is recorded in a
  ``"flowtasks"`` key of the failure's event, beside AWS's fields (`flowtasks.history` reads it).
- Distributed Map child executions are kept in `Execution.children` (their events are not
  passed to ``on_event``); a redrive re-runs failed children from their start.
- Workflow variables (``Assign``, ``$name``) in both query languages: see
  `flowtasks.local.variables` (scopes, evaluation order, limits, history).
- Not implemented: Activities / ``.sync`` service polling (a handler stands for any Resource).
"""

from flowtasks.local.clock import Clock, FakeClock, RealClock, SkippedWaits
from flowtasks.local.execution import Execution
from flowtasks.local.start import redrive, run
from flowtasks.local.state_task import heartbeat

__all__ = [
    "Clock",
    "Execution",
    "FakeClock",
    "RealClock",
    "SkippedWaits",
    "heartbeat",
    "redrive",
    "run",
]
