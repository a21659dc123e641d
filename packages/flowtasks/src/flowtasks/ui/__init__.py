"""``flow-task ui``: a local web app that shows runs the way the Step Functions console does.

- `sources`: where runs come from (`LocalRuns`: ``.flowtasks/runs``); every view reads a
  `RunSource`, so another source needs no new page.
- `aws`: `AwsExecutions`, the executions of an AWS environment as a source (``--env``).
- `views`: the JSON the page asks for (runs list, one run, a state, Map iterations), read
  through `flowtasks.history`.
- `app`: the Starlette application (routes, loopback-only hosts, security headers, CSRF).
- `actions`: the one action, redriving a failed local run.
- `assets`: the page's files and the graph layout library (elkjs, installed by npm).
- `server`: `serve` runs the app with uvicorn on 127.0.0.1.
- ``static/``: the page (plain JavaScript modules, no build step).
"""
