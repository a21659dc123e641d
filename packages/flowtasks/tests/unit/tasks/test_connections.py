"""flowtasks.connections: URIs and JSON from FLOWTASKS_CONN_<NAME>, secrets never shown."""

from __future__ import annotations

import json

import pytest

from flowtasks import connections
from flowtasks.connections import (
    ConnectionConfigError,
    RedshiftConnection,
    Secret,
    SftpConnection,
)

KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAB3NzaC1yc2E\n-----END OPENSSH PRIVATE KEY-----\n"


def test_env_name_normalises_the_connection_name() -> None:
    assert connections.env_name("vendor") == "FLOWTASKS_CONN_VENDOR"
    assert connections.env_name("vendor-a.eu") == "FLOWTASKS_CONN_VENDOR_A_EU"
    with pytest.raises(ValueError, match="connection name"):
        connections.env_name("../x")


def test_sftp_uri_with_key_file_and_known_hosts() -> None:
    env = {
        "FLOWTASKS_CONN_VENDOR": "sftp://ingest@sftp.example.com:2222"
        "?key_file=/keys/id_ed25519&known_hosts=/keys/known_hosts&timeout=5"
    }
    conn = connections.get("vendor", env)
    assert conn == SftpConnection(
        name="vendor",
        host="sftp.example.com",
        username="ingest",
        port=2222,
        key_file="/keys/id_ed25519",
        known_hosts="/keys/known_hosts",
        timeout=5.0,
    )
    assert conn.kind == "sftp"


def test_sftp_defaults_port_22_and_decodes_percent_escapes() -> None:
    env = {"FLOWTASKS_CONN_V": "sftp://in%40gest:p%3Ass@h?host_key=ssh-ed25519%20AAAAC3Nz"}
    conn = connections.get_sftp("v", env)
    assert (conn.port, conn.username, conn.host_key) == (22, "in@gest", "ssh-ed25519 AAAAC3Nz")
    assert conn.password == Secret("p:ss")
    assert conn.password is not None
    assert conn.password.reveal() == "p:ss"


def test_inline_private_key_and_passphrase_are_masked_everywhere() -> None:
    env = {
        "FLOWTASKS_CONN_V": json.dumps(
            {
                "type": "sftp",
                "host": "h",
                "user": "u",
                "password": "hunter2",
                "private_key": KEY,
                "private_key_passphrase": "s3cret-pass",
                "known_hosts": "/k",
            }
        )
    }
    conn = connections.get_sftp("v", env)
    assert conn.private_key is not None
    assert conn.private_key.reveal() == KEY
    for text in (repr(conn), str(conn), f"{conn}", repr(conn.private_key)):
        assert "hunter2" not in text
        assert "s3cret-pass" not in text
        assert "AAAAB3" not in text
    assert "'***'" in repr(conn)


def test_redshift_uri_libpq_spelling_and_driver_kwargs() -> None:
    env = {
        "FLOWTASKS_CONN_DWH": "redshift://loader:pw%2Fx@dwh.example.com:5439/analytics"
        "?sslmode=disable&timeout=10&application_name=flows"
    }
    conn = connections.get_redshift("dwh", env)
    assert isinstance(conn, RedshiftConnection)
    assert (conn.host, conn.port, conn.database, conn.user) == (
        "dwh.example.com",
        5439,
        "analytics",
        "loader",
    )
    assert "pw/x" not in repr(conn)
    assert conn.driver_kwargs() == {
        "host": "dwh.example.com",
        "port": 5439,
        "database": "analytics",
        "user": "loader",
        "password": "pw/x",
        "ssl": False,
        "timeout": 10,
        "application_name": "flows",
    }


def test_redshift_iam_options_are_typed_and_secret_keys_masked() -> None:
    env = {
        "FLOWTASKS_CONN_DWH": "redshift://admin@c1.example.com/dev?iam=true"
        "&cluster_identifier=c1&db_groups=a,b&region=eu-west-1&secret_access_key=SUPERSECRET"
        "&access_key_id=AKIA1&sslmode=verify-full"
    }
    conn = connections.get_redshift("dwh", env)
    assert "SUPERSECRET" not in repr(conn)
    kwargs = conn.driver_kwargs()
    assert kwargs["iam"] is True
    assert kwargs["db_groups"] == ["a", "b"]
    assert kwargs["secret_access_key"] == "SUPERSECRET"
    assert (kwargs["ssl"], kwargs["sslmode"], kwargs["port"]) == (True, "verify-full", 5439)
    assert "password" not in kwargs


def test_airflow_json_spelling_is_accepted() -> None:
    value = json.dumps(
        {
            "conn_type": "postgres",
            "login": "u",
            "password": "p",
            "host": "h",
            "port": 5432,
            "schema": "db",
            "extra": json.dumps({"sslmode": "require"}),
        }
    )
    conn = connections.parse(value, name="dwh")
    assert isinstance(conn, RedshiftConnection)
    assert (conn.user, conn.database, conn.port, conn.sslmode) == ("u", "db", 5432, "require")
    assert conn.driver_kwargs()["sslmode"] == "verify-ca"


def test_missing_connection_names_the_variable() -> None:
    with pytest.raises(ConnectionConfigError) as caught:
        connections.get("vendor", {})
    assert str(caught.value).startswith("FLOWTASKS_CONN_VENDOR: connection 'vendor' is not")
    assert caught.value.variable == "FLOWTASKS_CONN_VENDOR"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ftp://u:topsecret@h", "must be a URI starting with sftp:// or redshift://"),
        ("sftp://u:topsecret@h:99999", "malformed host or port"),
        ("sftp://u:topsecret@h:22?colour=red", "unknown sftp key(s): colour"),
        ("sftp://:topsecret@h", "needs user"),
        ("sftp://u:topsecret@h?key_file=/a&key_file=/b", "given twice"),
        ("sftp://u:topsecret@h?key_file=/a&private_key=x", "key_file or private_key"),
        ("sftp://u:topsecret@h?known_hosts=/a&no_host_key_check=true", "contradicts"),
        ("sftp://u:topsecret@h?no_host_key_check=maybe", "must be true or false"),
        ("sftp://u:topsecret@h?timeout=soon", "timeout must be a number"),
        ("redshift://u:topsecret@h:5439", "needs database"),
        ("redshift://u:topsecret@h/db?sslmode=sometimes", "sslmode must be one of"),
        ("redshift://u:topsecret@h/db?iam=perhaps", "iam must be true or false"),
        ('{"type": "sftp", "password": "topsecret"', "is not valid JSON"),
        ('{"type": "mysql", "password": "topsecret"}', 'needs "type": "sftp" or "redshift"'),
        ('["topsecret"]', "must be a URI"),
    ],
)
def test_malformed_connection_is_one_line_without_the_value(value: str, message: str) -> None:
    with pytest.raises(ConnectionConfigError) as caught:
        connections.get("vendor", {"FLOWTASKS_CONN_VENDOR": value})
    text = str(caught.value)
    assert message in text
    assert text.startswith("FLOWTASKS_CONN_VENDOR: ")
    assert "topsecret" not in text
    assert "\n" not in text
    assert caught.value.__cause__ is None or "topsecret" not in str(caught.value.__cause__)


def test_typed_getters_refuse_the_other_kind() -> None:
    env = {"FLOWTASKS_CONN_DWH": "redshift://u@h/db"}
    with pytest.raises(ConnectionConfigError, match="is a redshift connection, not sftp"):
        connections.get_sftp("dwh", env)
    conn = connections.get_redshift("dwh", env)
    assert connections.get_redshift(conn) is conn


def test_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWTASKS_CONN_SOURCE_A", "sftp://u@h?known_hosts=/k")
    assert connections.get("source-a").host == "h"


def test_secret_equality_and_hash_do_not_reveal() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert len({Secret("a"), Secret("a")}) == 1
    assert str(Secret("a")) == "'***'"
