"""Local services on loopback: what `flow-task dev up` starts and what the test fixtures reuse.

- `flowtasks.dev.postgres`: a PostgreSQL server standing in for Redshift (md5 auth, loopback).
- `flowtasks.dev.pgshim`: the loopback shim that lets redshift-connector talk to that server.
"""
