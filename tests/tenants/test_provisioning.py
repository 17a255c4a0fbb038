from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from console.services import council_provision
from core.errors import ValidationFailed
from tenants.cloning import schemas_needing_migration, template_schema_name
from tenants.services import council_schema_name, council_validate_slug


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("", "needs a slug"),
        ("Fife", "capital letters"),
        ("east_dunbartonshire", "underscore"),
        ("east--dunbartonshire", "single hyphens"),
        ("-fife", "starting with a letter"),
        ("fife-", "single hyphens"),
        ("9fife", "starting with a letter"),
        ("fife.council", "not valid"),
        ("a" * 51, "limit is 50"),
        ("www", "reserved"),
        ("public", "reserved"),
        ("pg-catalog", "reserved"),
    ],
)
def test_bad_slugs_are_refused_with_clear_reasons(slug: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        council_validate_slug(slug)
    assert message in exc.value.message


def test_schema_name_is_derived_from_slug() -> None:
    assert council_schema_name("east-dunbartonshire") == "east_dunbartonshire"
    assert council_validate_slug("dumfries-and-galloway") == "dumfries-and-galloway"


@pytest.mark.django_db
def test_cloned_schema_matches_template_catalog(council_a) -> None:
    """Tables, columns, constraints (by name), indexes (by name) and rows all match."""
    template = template_schema_name()

    def catalog(schema: str) -> dict[str, list]:
        out = {}
        with connection.cursor() as cursor:
            for key, query in {
                # Column order, not attnum: the template keeps gaps where columns were
                # dropped by migrations, a clone does not.
                "columns": """SELECT table_name, column_name, data_type, is_nullable,
                    column_default, is_identity
                    FROM information_schema.columns WHERE table_schema = %s
                    ORDER BY table_name, ordinal_position""",
                # CHECK bodies are compared by name only: PostgreSQL re-deparses a parsed
                # CHECK with equivalent but differently written casts.
                "constraints": """SELECT c.relname, con.conname, con.contype,
                    CASE WHEN con.contype = 'c' THEN '' ELSE
                    replace(pg_get_constraintdef(con.oid), %s || '.', '') END
                    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
                    JOIN pg_namespace n ON n.oid = con.connamespace WHERE n.nspname = %s
                    ORDER BY 1, 2""",
                "indexes": """SELECT tablename, indexname,
                    replace(indexdef, %s || '.', '') FROM pg_indexes WHERE schemaname = %s
                    ORDER BY 1, 2""",
            }.items():
                params = [schema] if key == "columns" else [schema, schema]
                cursor.execute(query, params)
                out[key] = cursor.fetchall()
            cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY app, name')
            out["migrations"] = cursor.fetchall()
            cursor.execute(
                f'SELECT app_label, model FROM "{schema}".django_content_type ORDER BY 1, 2'
            )
            out["content_types"] = cursor.fetchall()
        return out

    cloned, original = catalog(council_a.schema_name), catalog(template)
    assert original["columns"] and original["migrations"] and original["content_types"]
    for key in original:
        assert cloned[key] == original[key], key


@pytest.mark.django_db
def test_identity_sequences_continue_after_copied_rows(council_a) -> None:
    from django.contrib.contenttypes.models import ContentType

    with schema_context(council_a.schema_name):
        before = ContentType.objects.order_by("-id").first()
        new = ContentType.objects.create(app_label="x", model="y")
        assert before is not None and new.pk > before.pk


@pytest.mark.django_db
def test_migration_check_spots_a_schema_missing_a_migration(council_a, council_b) -> None:
    schemas = [council_a.schema_name, council_b.schema_name]
    assert schemas_needing_migration(schemas) == []
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{council_b.schema_name}".django_migrations '
            "WHERE app = 'sessions' AND name = '0001_initial'"
        )
    assert schemas_needing_migration(schemas) == [council_b.schema_name]


@pytest.mark.django_db
def test_schema_without_migrations_table_needs_migration() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA empty_one")
    assert schemas_needing_migration(["empty_one"]) == ["empty_one"]


@pytest.mark.django_db
def test_migrate_schemas_noop_skips_councils(council_a, council_b, capsys) -> None:
    from django.core.management import call_command

    call_command("migrate_schemas", verbosity=1)
    out = capsys.readouterr().out
    assert "0 migrated" in out
    assert "2 councils already up to date" in out


@pytest.mark.django_db
def test_provision_renames_a_spare_when_one_is_ready() -> None:
    from tenants.cloning import spare_pool_refill
    from tenants.models import SpareSchema

    spare_pool_refill(target=2)
    before = set(SpareSchema.objects.values_list("name", flat=True))
    result = council_provision(slug="fife", name="Fife Council")
    after = set(SpareSchema.objects.values_list("name", flat=True))
    assert result.used_spare
    (taken,) = before - after
    assert not schema_exists(taken)
    assert schema_exists("fife")
    assert schemas_needing_migration(["fife"]) == []


@pytest.mark.django_db
def test_provision_replays_snapshot_when_pool_is_empty() -> None:
    from tenants.models import SpareSchema

    for spare in SpareSchema.objects.all():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{spare.name}" CASCADE')
        spare.delete()
    result = council_provision(slug="fife", name="Fife Council")
    assert not result.used_spare
    assert schema_exists("fife")
    assert schemas_needing_migration(["fife"]) == []


@pytest.mark.django_db
def test_stale_spares_are_dropped() -> None:
    from tenants.cloning import spare_pool_drop_stale
    from tenants.models import SpareSchema

    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA spare_old1")
    SpareSchema.objects.create(name="spare_old1", fingerprint="0" * 64)
    assert spare_pool_drop_stale() == 1
    assert not schema_exists("spare_old1")
    assert not SpareSchema.objects.filter(name="spare_old1").exists()


def test_spare_prefix_is_reserved() -> None:
    with pytest.raises(ValidationFailed, match="reserved"):
        council_validate_slug("spare-abc")
