"""Running the probe migration in a `migrate_schemas` subprocess, checking each council's
state, and taking the probe away again (so later tests and benches provision from the
platform's own template)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from core.pgclient import database_url
from tenants.cloning import (
    snapshot_refresh,
    spare_pool_drop_stale,
    spare_pool_refill,
    template_schema_name,
)
from tenants.models import Council

ROOT = Path(__file__).resolve().parents[2]
APP = "migration_probe"
COLUMN = "probe_note"
INDEX = "caseload_case_probe_note_idx"
SETTINGS = "tests.migration_probe.settings"


def migrate_command(*extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--noinput", *extra]


def migrate_env(**extra: str) -> dict[str, str]:
    """The environment of a migrate_schemas subprocess with the probe app installed, on the
    database this process uses (the test database)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        **extra,
    }


def migrate_with_probe(*extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    connection.close()  # nothing of ours holds a lock the migration needs
    return subprocess.run(
        migrate_command(*extra),
        env=migrate_env(**env),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@dataclass(frozen=True)
class ProbeState:
    column: bool
    index: bool
    recorded: bool

    @property
    def migrated(self) -> bool:
        return self.column and self.index and self.recorded

    @property
    def untouched(self) -> bool:
        return not (self.column or self.index or self.recorded)


def probe_state(schema: str) -> ProbeState:
    """What of the probe migration one schema holds, read from the catalog."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT"
            " EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = %s"
            "         AND table_name = 'caseload_case' AND column_name = %s),"
            " EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = %s AND indexname = %s)",
            [schema, COLUMN, schema, INDEX],
        )
        column, index = cursor.fetchone()
        cursor.execute(f'SELECT count(*) FROM "{schema}".django_migrations WHERE app = %s', [APP])
        recorded = cursor.fetchone()[0] > 0
    return ProbeState(column=bool(column), index=bool(index), recorded=recorded)


def probe_remove() -> None:
    """Undo the probe everywhere (every council, the template, public's record), then rebuild
    the template's snapshot and the spare pool for the platform's own migrations."""
    schemas = [*Council.objects.values_list("schema_name", flat=True), template_schema_name()]
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f'ALTER TABLE "{schema}".caseload_case DROP COLUMN IF EXISTS {COLUMN}')
            cursor.execute(f'DROP INDEX IF EXISTS "{schema}".{INDEX}')
            cursor.execute(f'DELETE FROM "{schema}".django_migrations WHERE app = %s', [APP])
        cursor.execute("DELETE FROM public.django_migrations WHERE app = %s", [APP])
    snapshot_refresh()
    spare_pool_drop_stale()
    spare_pool_refill()
