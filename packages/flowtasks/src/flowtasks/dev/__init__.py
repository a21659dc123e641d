"""Local services on loopback: what `flow-task dev up` starts and what the test fixtures reuse.

- `flowtasks.dev.services`: ``dev up|down|status`` (a background supervisor) and
  `LocalServices` (the same servers as a context manager, for tests).
- `flowtasks.dev.state`: where they keep their state and settings; whether they run.
- `flowtasks.dev.postgres`: a PostgreSQL server standing in for Redshift (md5 auth, loopback).
- `flowtasks.dev.pgshim`: the loopback shim that lets redshift-connector talk to that server.
- `flowtasks.dev.sftp`: an SFTP server (asyncssh) serving a local folder, key auth.
- `flowtasks.dev.moto`: moto in server mode, the S3 endpoint.
"""
