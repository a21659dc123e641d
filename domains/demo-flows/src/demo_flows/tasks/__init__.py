"""The demo domain's own tasks: plain Python functions, decorated with ``@task``."""
