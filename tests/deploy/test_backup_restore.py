"""The runbook's single-council backup and restore (deploy/README.md, "Back up and restore
one council"), run as written against the test database: `pg_dump --schema`, the live
schema renamed aside, `pg_restore`, and the council comes back with every row.

Everything runs in other processes (manage.py, psql, pg_dump, pg_restore), as an operator
would, and commits for real; the test's own connection only makes sure the test database
exists and never touches the council, so it holds no lock that the DDL would wait on."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from core import pgclient
from tests.deploy.conftest import ROOT, process_env, test_database_url

SLUG = "deploy-restore-check"
SCHEMA = SLUG.replace("-", "_")
ASIDE = f"{SCHEMA}_before_restore"


def _run(name: str, *args: str, url: str) -> str:
    """A PostgreSQL client program of the server's version, connected as the runbook's
    `"$DIRECT_DATABASE_URL"` would be (core.pgclient)."""
    out = pgclient.run(name, *args, url=url, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _psql(sql: str, url: str) -> str:
    return _run("psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, url=url)


def _manage(url: str, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=process_env(DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def _fingerprint(schema: str, url: str) -> dict[str, object]:
    """Tables with their row counts, and index and trigger names, of one schema."""
    tables = _psql(
        f"SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' ORDER BY 1",
        url,
    ).split()
    rows = {}
    if tables:
        union = " UNION ALL ".join(
            f'SELECT \'{t}\', count(*) FROM "{schema}"."{t}"' for t in tables
        )
        for line in _psql(union, url).splitlines():
            name, count = line.split("|")
            rows[name] = int(count)
    indexes = _psql(f"SELECT indexname FROM pg_indexes WHERE schemaname = '{schema}'", url)
    triggers = _psql(
        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema}' "
        "AND NOT t.tgisinternal",
        url,
    )
    return {
        "rows": rows,
        "indexes": sorted(indexes.split()),
        "triggers": sorted(triggers.split()),
    }


def _drop_schemas(url: str) -> None:
    # Plain psycopg, not the client programs under test: teardown must not depend on them.
    with psycopg.connect(pgclient.conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{ASIDE}" CASCADE')
        conn.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')


def _delete_council_rows(url: str) -> None:
    # The ORM's cascade removes the public rows (domain, licence, its history) as one.
    _manage(
        url,
        "shell",
        "-c",
        f"from tenants.models import Council; Council.objects.filter(slug='{SLUG}').delete()",
    )


@pytest.fixture
def council_url(db) -> Iterator[str]:
    """A council provisioned and committed through the command line; removed afterwards,
    whatever happens in between."""
    url = test_database_url()
    # Each step of the teardown runs even if the one before it failed (ExitStack).
    with ExitStack() as cleanup:
        cleanup.callback(_delete_council_rows, url)
        cleanup.callback(_drop_schemas, url)
        created = json.loads(
            _manage(url, "create_council", SLUG, "--name", "Restore Check").strip().splitlines()[-1]
        )
        assert created["schema"] == SCHEMA
        for i in range(2):
            _manage(
                url,
                "create_member",
                SLUG,
                "--email",
                f"member{i}@restore.example.gov.uk",
                "--password",
                "restore-check-2026-pw",
                "--role",
                "councillor",
            )
        yield url


def test_one_council_is_dumped_and_restored_with_every_row(council_url, tmp_path: Path) -> None:
    url = council_url
    before = _fingerprint(SCHEMA, url)
    assert before["rows"]["accounts_user"] >= 2

    dump = tmp_path / f"{SCHEMA}.dump"
    # Back up: the council's schema only, in pg_restore's custom format.
    _run("pg_dump", f"--schema={SCHEMA}", "--format=custom", f"--file={dump}", url=url)
    assert dump.stat().st_size > 0

    # Restore: move the live schema aside (kept until the restore is checked), then replay.
    _psql(f"ALTER SCHEMA {SCHEMA} RENAME TO {ASIDE}", url)
    assert _fingerprint(SCHEMA, url)["rows"] == {}
    # pg_restore writes a script to stdout unless told which database to restore into.
    dbname = pgclient.libpq_params(url)["dbname"]
    _run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={dbname}", str(dump), url=url)

    assert _fingerprint(SCHEMA, url) == before
    # The restored schema is the council's again: the application finds its users.
    count = _manage(
        url,
        "shell",
        "-c",
        "from django_tenants.utils import schema_context\n"
        "from accounts.models import User\n"
        f"with schema_context('{SCHEMA}'):\n"
        "    print(User.objects.filter(email__endswith='@restore.example.gov.uk').count())",
    )
    assert count.strip().splitlines()[-1] == "2"
