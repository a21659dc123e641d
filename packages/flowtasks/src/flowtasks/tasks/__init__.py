"""The shared task library: building blocks that every domain's flows use.

Each module is plain Python usable in any task, plus reusable flow tasks (configured states)::

    from flowtasks.tasks import s3, sftp

- `flowtasks.tasks.s3`: S3 objects by URI as bounded-memory streams (boto3 + smart_open).
- `flowtasks.tasks.sftp`: SFTP listing, fetching into S3 and uploading from S3 (paramiko).
- `flowtasks.tasks.redshift`: query, export to S3, execute, UNLOAD/COPY, upsert
  (redshift-connector); its SQL from `flowtasks.tasks.redshift_sql`; the Data API transport in
  `flowtasks.tasks.redshift_data` (docs/redshift.md).
- `flowtasks.tasks.reusable`: `reusable_task`, which turns a function into a factory of
  configured Task states (docs/creating-a-reusable-flow-task.md).

Private helpers, one job each: `_s3_upload` (the bounded background multipart writer),
`_sftp_session` (paramiko sessions: host keys, ciphers, prefetching reads) and `_redshift_text`
(query results read as the server's text straight into CSV, for `redshift.query_to_s3`).

Connections (SFTP servers, Redshift clusters) come from `flowtasks.connections`. The modules load
on first import, so importing this package costs nothing.
"""

from flowtasks.tasks.reusable import STATE_OPTIONS, ReusableTask, reusable_task

__all__ = ["STATE_OPTIONS", "ReusableTask", "reusable_task"]
