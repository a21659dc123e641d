"""``flow-task``: list, compile, validate, draw, scaffold and run flows. See docs/cli.md.

Start-up is kept fast: nothing heavy is imported at module level; the parser names each command's
handler by module, and only the chosen command's module is imported, which imports what it needs.
Every error flowtasks raises on purpose prints one clear message on stderr and exits with its
`exit_code`; set ``FLOWTASKS_DEBUG=1`` to get tracebacks instead.

Exit codes: 0 success; 1 failure (invalid flow, failed run, failed task, a domain that cannot be
loaded); 2 usage (bad arguments, malformed JSON, unknown flow / state / run); 3 the run timed out;
4 the run was aborted (Ctrl-C during `run` aborts the execution, which is saved); 130 interrupted
(Ctrl-C in any other command, or before a run starts).

Modules: `app` (``main``: parse, dispatch, errors to exit codes), `parser` (the arguments),
`io` (output and reading JSON / ASL inputs), `mocks` (``--mock`` values as engine handlers),
`progress` (the live output of a local run), and one module per group of commands: `catalog`
(list, asl), `validate`, `graph`, `state`, `run` (run, runs), `new` (new domain, new flow).
"""

from __future__ import annotations

from flowtasks.cli.app import EXIT_CODES, main

__all__ = ["EXIT_CODES", "main"]
