"""The local engine: run Amazon States Language definitions in-process with Step Functions
semantics.

    from flowtasks.local import run, redrive, Execution
    execution = run(definition, input, handlers={"StateName": fn}, skip_waits=True)

See `flowtasks.local.engine.run` for the contract; `flowtasks.local.clock` for injectable time;
`flowtasks.local.heartbeat` for long-running handlers with HeartbeatSeconds.
"""

from flowtasks.local.clock import Clock, FakeClock, RealClock
from flowtasks.local.engine import redrive, run
from flowtasks.local.execution import Execution
from flowtasks.local.state_task import heartbeat

__all__ = ["Clock", "Execution", "FakeClock", "RealClock", "heartbeat", "redrive", "run"]
