"""The runner: runs ONE Task state of a flow, as ``flow-task state <flow> <state>`` does.

`execute` is shared by the local engine (our Task states run in-process) and the ``flow-task state``
command. The AWS side of the container (task token, heartbeats, payload offload) comes later.
"""

from flowtasks.runner.execute import NotATaskStateError, encode_result, execute, resolve

__all__ = ["NotATaskStateError", "encode_result", "execute", "resolve"]
