"""pytest plugin of flowtasks (registered through the `pytest11` entry point)."""
