"""The Redshift SQL builders produce the documented UNLOAD / COPY / upsert text, and refuse
combinations Redshift refuses (checked against the "UNLOAD" and "COPY" reference pages)."""

from __future__ import annotations

import pytest

from flowtasks.tasks.redshift_sql import (
    MAX_BIND_PARAMETERS,
    CopyOptions,
    UnloadOptions,
    copy_sql,
    insert_sql,
    quote_identifier,
    quote_literal,
    rows_per_insert,
    unload_sql,
    upsert_sql,
)

ROLE = "arn:aws:iam::123456789012:role/Unloader"


def test_quote_identifier_quotes_each_part_and_doubles_quotes() -> None:
    assert quote_identifier("sales.orders") == '"sales"."orders"'
    assert quote_identifier('we"ird') == '"we""ird"'
    with pytest.raises(ValueError, match=r"empty part"):
        quote_identifier("a..b")


def test_quote_literal_escapes_quotes_and_backslashes_as_unload_requires() -> None:
    assert quote_literal("it's") == "'it\\'s'"
    assert quote_literal("a\\b") == "'a\\\\b'"
    with pytest.raises(ValueError, match=r"NUL"):
        quote_literal("a\x00")


def test_unload_csv_with_header_gzip_manifest_kms_and_size() -> None:
    sql = unload_sql(
        "select * from venue where state = 'NV';",
        "s3://bucket/unload/venue_",
        iam_role=ROLE,
        options=UnloadOptions(
            header=True,
            compression="gzip",
            manifest=True,
            encrypted=True,
            kms_key_id="1234abcd-12ab-34cd-56ef-1234567890ab",
            max_file_size_mb=256,
            parallel=False,
            allow_overwrite=True,
        ),
    )
    assert sql == (
        "UNLOAD ('select * from venue where state = \\'NV\\'')\n"
        "TO 's3://bucket/unload/venue_'\n"
        "IAM_ROLE 'arn:aws:iam::123456789012:role/Unloader'\n"
        "FORMAT AS CSV\n"
        "HEADER\n"
        "GZIP\n"
        "MANIFEST\n"
        "ENCRYPTED\n"
        "KMS_KEY_ID '1234abcd-12ab-34cd-56ef-1234567890ab'\n"
        "MAXFILESIZE AS 256 MB\n"
        "PARALLEL OFF\n"
        "ALLOWOVERWRITE"
    )


def test_unload_parquet_partitioned_with_the_default_role() -> None:
    sql = unload_sql(
        "select * from sales",
        "s3://b/p/",
        iam_role="default",
        options=UnloadOptions(format="parquet", partition_by=("year", "month"), clean_path=True),
    )
    assert sql.splitlines()[2:] == [
        "IAM_ROLE default",
        "FORMAT AS PARQUET",
        'PARTITION BY ("year", "month")',
        "CLEANPATH",
    ]


def test_unload_text_is_redshifts_default_format_and_chained_roles_are_kept() -> None:
    chained = f"{ROLE},arn:aws:iam::210987654321:role/Other"
    sql = unload_sql("select 1", "s3://b/x", iam_role=chained, options=UnloadOptions("text"))
    assert "FORMAT" not in sql
    assert f"IAM_ROLE '{chained}'" in sql


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (UnloadOptions(format="parquet", header=True), "header: not allowed with format parquet"),
        (UnloadOptions(format="json", delimiter=","), "delimiter: not allowed with format json"),
        (UnloadOptions(kms_key_id="k"), "kms_key_id: needs encrypted=True"),
        (UnloadOptions(max_file_size_mb=4), "max_file_size_mb 4: must be between 5 and 6200"),
        (UnloadOptions(max_file_size_mb=7000), "must be between 5 and 6200"),
        (UnloadOptions(format="parquet", compression="gzip"), "Parquet files are compressed"),
        (UnloadOptions(delimiter="||"), "must be one character"),
        (UnloadOptions(allow_overwrite=True, clean_path=True), "choose one"),
    ],
)
def test_unload_refuses_what_redshift_refuses(options: UnloadOptions, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        unload_sql("select 1", "s3://b/x", iam_role=ROLE, options=options)


def test_unload_lists_every_problem_at_once_and_checks_role_and_destination() -> None:
    bad = UnloadOptions(format="parquet", header=True, kms_key_id="k")
    with pytest.raises(ValueError, match=r"header.*; kms_key_id"):
        unload_sql("select 1", "s3://b/x", iam_role=ROLE, options=bad)
    with pytest.raises(ValueError, match=r"not an IAM role ARN"):
        unload_sql("select 1", "s3://b/x", iam_role="MyRole", options=UnloadOptions())
    with pytest.raises(ValueError, match=r"destination must be an s3:// URI"):
        unload_sql("select 1", "/tmp/x", iam_role=ROLE, options=UnloadOptions())


def test_copy_csv_gzip_with_header_columns_and_region() -> None:
    sql = copy_sql(
        "staging.orders",
        "s3://bucket/in/orders/",
        iam_role=ROLE,
        columns=("id", "amount"),
        options=CopyOptions(
            ignore_header=1,
            compression="gzip",
            region="eu-west-1",
            date_format="auto",
            max_errors=10,
            comp_update=False,
        ),
    )
    assert sql == (
        'COPY "staging"."orders" ("id", "amount")\n'
        "FROM 's3://bucket/in/orders/'\n"
        "IAM_ROLE 'arn:aws:iam::123456789012:role/Unloader'\n"
        "FORMAT AS CSV\n"
        "IGNOREHEADER 1\n"
        "GZIP\n"
        "DATEFORMAT AS 'auto'\n"
        "MAXERROR 10\n"
        "COMPUPDATE OFF\n"
        "REGION AS 'eu-west-1'"
    )


def test_copy_json_with_a_jsonpaths_file_from_a_manifest() -> None:
    sql = copy_sql(
        "t",
        "s3://b/load.manifest",
        iam_role="default",
        options=CopyOptions(format="json", json_paths="s3://b/paths.json", manifest=True),
    )
    assert "FORMAT AS JSON 's3://b/paths.json'" in sql
    assert sql.endswith("MANIFEST")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (CopyOptions(format="parquet", ignore_header=1), "ignore_header: only for csv and text"),
        (CopyOptions(format="orc", compression="gzip"), "carry their own compression"),
        (CopyOptions(json_paths="s3://b/p.json"), "json_paths: only for format json"),
        (CopyOptions(max_errors=-1), "max_errors: must be >= 0"),
    ],
)
def test_copy_refuses_what_redshift_refuses(options: CopyOptions, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        copy_sql("t", "s3://b/x", iam_role=ROLE, options=options)


def test_insert_binds_values_and_batches_within_the_parameter_limit() -> None:
    assert insert_sql("s.t", ["id", "amount"], 2) == (
        'INSERT INTO "s"."t" ("id", "amount") VALUES (%s, %s), (%s, %s)'
    )
    assert rows_per_insert(2) == 1000
    assert rows_per_insert(100) == MAX_BIND_PARAMETERS // 100
    assert rows_per_insert(40000) == 1
    with pytest.raises(ValueError, match=r"at least one column"):
        insert_sql("t", [], 1)


def test_upsert_deletes_matching_keys_then_inserts_from_a_like_stage() -> None:
    sql = upsert_sql("sales.orders", ["vendor", "id"])
    assert sql.stage == "stage_orders"
    assert sql.create_stage == 'CREATE TEMP TABLE "stage_orders" (LIKE "sales"."orders")'
    assert sql.delete == (
        'DELETE FROM "sales"."orders" USING "stage_orders" WHERE '
        '"sales"."orders"."vendor" = "stage_orders"."vendor" AND '
        '"sales"."orders"."id" = "stage_orders"."id"'
    )
    assert sql.insert == 'INSERT INTO "sales"."orders" SELECT * FROM "stage_orders"'
    with pytest.raises(ValueError, match=r"at least one key"):
        upsert_sql("t", [])
