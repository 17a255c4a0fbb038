"""A nullable column and its index on the cases table, in two statements of one migration
(the shape of a typical additive release migration).

MIGRATION_PROBE_SLEEP (seconds, default 0) makes each council's migration take that long
between the two statements, so a test can kill the run while councils are mid-migration.
"""

import os

from django.db import migrations

COLUMN = "probe_note"
INDEX = "caseload_case_probe_note_idx"


def _sleep_sql() -> str:
    seconds = float(os.environ.get("MIGRATION_PROBE_SLEEP", "0"))
    return f"SELECT pg_sleep({seconds})" if seconds > 0 else "SELECT 1"


class Migration(migrations.Migration):
    dependencies = [("caseload", "0001_initial")]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE caseload_case ADD COLUMN {COLUMN} varchar(200) NULL",
            reverse_sql=f"ALTER TABLE caseload_case DROP COLUMN {COLUMN}",
        ),
        migrations.RunSQL(_sleep_sql(), reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON caseload_case ({COLUMN})",
            reverse_sql=f"DROP INDEX {INDEX}",
        ),
    ]
