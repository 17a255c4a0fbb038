"""The council template schema, its replayable snapshot, and fast cloning.

Why not django-tenants' built-in `clone_schema`? It walks the catalog in PL/pgSQL on every
call (about 0.3 s here, measured in NOTES.md) and then still runs `migrate_schemas` on the
new schema. We read the catalog once, when the template changes, and store plain DDL plus
the template's seed rows (content types, permissions, migration records). Provisioning then
replays that text in a single round trip, inside the caller's transaction, so a failure
rolls back the schema together with the council's rows.

Objects we cannot replay faithfully (views, free-standing sequences, functions owned by the
schema) make `snapshot_build` refuse loudly rather than produce a subtly different schema.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from psycopg import sql

from core.errors import StateError
from tenants.models import SpareSchema, TemplateSnapshot

logger = logging.getLogger(__name__)

PLACEHOLDER = "__SCHEMA__"


class TemplateUnsupported(RuntimeError):
    """The template holds an object the snapshot cannot replay."""


def template_schema_name() -> str:
    return str(settings.TENANT_BASE_SCHEMA)


@lru_cache(maxsize=1)
def expected_migrations() -> frozenset[tuple[str, str]]:
    """Every migration the code on disk defines (what a fully migrated schema records)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.nodes.keys())


def fingerprint_of(migrations: frozenset[tuple[str, str]] | set[tuple[str, str]]) -> str:
    joined = ",".join(f"{app}.{name}" for app, name in sorted(migrations))
    return hashlib.sha256(joined.encode()).hexdigest()


def applied_migrations_by_schema(schemas: list[str]) -> dict[str, set[tuple[str, str]]]:
    """Applied migrations of many schemas, in two catalog queries whatever their number.

    A schema without a django_migrations table maps to an empty set.
    """
    result: dict[str, set[tuple[str, str]]] = {s: set() for s in schemas}
    if not schemas:
        return result
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)",
            [schemas],
        )
        with_table = [row[0] for row in cursor.fetchall()]
        if not with_table:
            return result
        parts = [
            sql.SQL("SELECT {lit} AS s, app, name FROM {tbl}").format(
                lit=sql.Literal(schema),
                tbl=sql.Identifier(schema, "django_migrations"),
            )
            for schema in with_table
        ]
        cursor.execute(sql.SQL(" UNION ALL ").join(parts).as_string(cursor.connection))
        for schema, app, name in cursor.fetchall():
            result[schema].add((app, name))
    return result


def schemas_needing_migration(schemas: list[str]) -> list[str]:
    expected = expected_migrations()
    applied = applied_migrations_by_schema(schemas)
    return [s for s in schemas if not expected <= applied[s]]


# --- building the snapshot -------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str
    type: str
    not_null: bool
    default: str | None
    identity: str
    generated: str
    collation: str | None


def _fetch(cursor, query: str, params: list | None = None) -> list[tuple]:
    cursor.execute(query, params or [])
    return list(cursor.fetchall())


def _qualify(text: str, template: str) -> str:
    return text.replace(f"{template}.", f"{PLACEHOLDER}.")


def snapshot_build(template: str | None = None) -> str:
    """Read the template's catalog and return DDL + data that recreate it under PLACEHOLDER."""
    template = template or template_schema_name()
    statements: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        previous_search_path = cursor.fetchone()[0]
        # An empty search_path makes the catalog functions schema-qualify every name.
        cursor.execute("SET LOCAL search_path TO ''")
        ns = _fetch(cursor, "SELECT oid FROM pg_namespace WHERE nspname = %s", [template])
        if not ns:
            raise TemplateUnsupported(f"template schema {template!r} does not exist")
        nsoid = ns[0][0]

        unsupported = _fetch(
            cursor,
            """
            SELECT relname, relkind FROM pg_class
            WHERE relnamespace = %s AND relkind IN ('v', 'm', 'f', 'c')
            UNION ALL
            SELECT s.relname, 'S' FROM pg_class s
            WHERE s.relnamespace = %s AND s.relkind = 'S' AND NOT EXISTS (
                SELECT 1 FROM pg_depend d
                WHERE d.objid = s.oid AND d.deptype IN ('i', 'a')
            )
            UNION ALL
            SELECT proname, 'function' FROM pg_proc WHERE pronamespace = %s
            UNION ALL
            SELECT typname, 'type' FROM pg_type t
            WHERE typnamespace = %s AND typtype IN ('e', 'd')
            """,
            [nsoid, nsoid, nsoid, nsoid],
        )
        if unsupported:
            raise TemplateUnsupported(
                "template holds objects the snapshot cannot replay: "
                + ", ".join(f"{name} ({kind})" for name, kind in unsupported)
            )

        tables = _fetch(
            cursor,
            "SELECT oid, relname FROM pg_class WHERE relnamespace = %s AND relkind = 'r' "
            "ORDER BY relname",
            [nsoid],
        )
        columns: dict[int, list[_Column]] = {oid: [] for oid, _ in tables}
        for row in _fetch(
            cursor,
            """
            SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
                   CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
                        THEN (SELECT quote_ident(collname) FROM pg_collation
                              WHERE oid = a.attcollation) END
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.relnamespace = %s AND c.relkind = 'r' AND a.attnum > 0
              AND NOT a.attisdropped
            ORDER BY a.attrelid, a.attnum
            """,
            [nsoid],
        ):
            columns[row[0]].append(_Column(*row[1:]))

        statements.append(f"CREATE SCHEMA {PLACEHOLDER}")
        for oid, relname in tables:
            defs = []
            for col in columns[oid]:
                parts = [sql.Identifier(col.name).as_string(cursor.connection), col.type]
                if col.collation:
                    parts.append(f"COLLATE {col.collation}")
                if col.identity == "a":
                    parts.append("GENERATED ALWAYS AS IDENTITY")
                elif col.identity == "d":
                    parts.append("GENERATED BY DEFAULT AS IDENTITY")
                elif col.generated == "s":
                    parts.append(f"GENERATED ALWAYS AS ({col.default}) STORED")
                elif col.default is not None:
                    if "nextval(" in col.default:
                        raise TemplateUnsupported(
                            f"{relname}.{col.name} uses a serial sequence; only identity "
                            "columns are supported"
                        )
                    parts.append(f"DEFAULT {col.default}")
                if col.not_null:
                    parts.append("NOT NULL")
                defs.append(" ".join(parts))
            ident = sql.Identifier(relname).as_string(cursor.connection)
            statements.append(f"CREATE TABLE {PLACEHOLDER}.{ident} ({', '.join(defs)})")

        constraints = _fetch(
            cursor,
            """
            SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
            WHERE con.connamespace = %s AND con.contype IN ('p', 'u', 'c', 'x', 'f')
              AND con.conislocal
            ORDER BY CASE con.contype WHEN 'f' THEN 1 ELSE 0 END, c.relname, con.conname
            """,
            [nsoid],
        )
        # Data goes in before foreign keys and triggers, so they neither check nor fire.
        fk_statements: list[str] = []
        for relname, conname, contype, condef in constraints:
            stmt = (
                f"ALTER TABLE {PLACEHOLDER}.{sql.Identifier(relname).as_string(cursor.connection)}"
                f" ADD CONSTRAINT {sql.Identifier(conname).as_string(cursor.connection)} "
                f"{_qualify(condef, template)}"
            )
            (fk_statements if contype == "f" else statements).append(stmt)

        for (indexdef,) in _fetch(
            cursor,
            """
            SELECT pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
            WHERE ic.relnamespace = %s
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                              AND con.contype IN ('p', 'u', 'x'))
            ORDER BY ic.relname
            """,
            [nsoid],
        ):
            statements.append(_qualify(indexdef, template))

        for oid, relname in tables:
            ident = sql.Identifier(template, relname).as_string(cursor.connection)
            cursor.execute(f"SELECT * FROM {ident}")
            rows = cursor.fetchall()
            if not rows:
                continue
            names = [d.name for d in cursor.description]
            collist = ", ".join(sql.Identifier(n).as_string(cursor.connection) for n in names)
            values = ", ".join(
                "(" + ", ".join(sql.Literal(v).as_string(cursor.connection) for v in row) + ")"
                for row in rows
            )
            target = f"{PLACEHOLDER}.{sql.Identifier(relname).as_string(cursor.connection)}"
            overriding = (
                " OVERRIDING SYSTEM VALUE" if any(c.identity == "a" for c in columns[oid]) else ""
            )
            statements.append(f"INSERT INTO {target} ({collist}){overriding} VALUES {values}")
            for col in columns[oid]:
                if col.identity:
                    statements.append(
                        f"SELECT setval(pg_get_serial_sequence('{PLACEHOLDER}.' || "
                        f"quote_ident({sql.Literal(relname).as_string(cursor.connection)}), "
                        f"{sql.Literal(col.name).as_string(cursor.connection)}), "
                        f"(SELECT max({sql.Identifier(col.name).as_string(cursor.connection)}) "
                        f"FROM {target}))"
                    )

        statements.extend(fk_statements)
        for (triggerdef,) in _fetch(
            cursor,
            """
            SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relnamespace = %s AND NOT t.tgisinternal ORDER BY t.tgname
            """,
            [nsoid],
        ):
            statements.append(_qualify(triggerdef, template))
        cursor.execute("SELECT set_config('search_path', %s, true)", [previous_search_path])
    return ";\n".join(statements) + ";\n"


@transaction.atomic
def snapshot_refresh() -> TemplateSnapshot:
    """Store the snapshot of the (already migrated) template, replacing older ones."""
    template = template_schema_name()
    applied = applied_migrations_by_schema([template])[template]
    fingerprint = fingerprint_of(applied)
    ddl = snapshot_build(template)
    TemplateSnapshot.objects.exclude(fingerprint=fingerprint).delete()
    snapshot, _ = TemplateSnapshot.objects.update_or_create(
        fingerprint=fingerprint,
        defaults={"sql": ddl, "migration_count": len(applied)},
    )
    logger.info("council template snapshot refreshed: %s", snapshot)
    return snapshot


def snapshot_current() -> TemplateSnapshot:
    """The snapshot matching the migrations on disk, or a clear error if there is none."""
    expected = fingerprint_of(expected_migrations())
    snapshot = TemplateSnapshot.objects.filter(fingerprint=expected).first()
    if snapshot is None:
        raise StateError(
            "The council template is not up to date with this release's migrations. "
            "Run `manage.py migrate_schemas` and try again."
        )
    return snapshot


def _replay(snapshot: TemplateSnapshot, schema_name: str) -> None:
    # schema_name has been validated as [a-z][a-z0-9_]*, so it needs no quoting.
    with connection.cursor() as cursor:
        cursor.execute(snapshot.sql.replace(PLACEHOLDER, schema_name))


def _spare_take(fingerprint: str) -> str | None:
    """Claim a spare made from the current template; concurrent claimers skip locked rows."""
    spare = (
        SpareSchema.objects.select_for_update(skip_locked=True)
        .filter(fingerprint=fingerprint)
        .order_by("id")
        .first()
    )
    if spare is None:
        return None
    spare.delete()
    return spare.name


def clone_template_into(schema_name: str) -> bool:
    """Create `schema_name` as a copy of the template. Must run inside a transaction.

    Uses a spare schema when one is ready (returns True), else replays the snapshot (False).
    Either way the work is part of the caller's transaction and vanishes on rollback.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("clone_template_into must run inside transaction.atomic()")
    spare = _spare_take(fingerprint_of(expected_migrations()))
    if spare is not None:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER SCHEMA "{spare}" RENAME TO "{schema_name}"')
        return True
    _replay(snapshot_current(), schema_name)
    return False


def spare_pool_target() -> int:
    return int(getattr(settings, "TENANT_SPARE_SCHEMAS", 0))


def spare_pool_drop_stale() -> int:
    """Drop spares made from an older template (after migrations changed)."""
    current = fingerprint_of(expected_migrations())
    dropped = 0
    for spare in SpareSchema.objects.exclude(fingerprint=current):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{spare.name}" CASCADE')
            spare.delete()
        dropped += 1
    return dropped


def spare_pool_refill(*, target: int | None = None) -> int:
    """Top the pool up to `target` spares (default: TENANT_SPARE_SCHEMAS). Returns how many
    were made. Each spare is its own transaction, so a crash leaves only whole spares."""
    target = spare_pool_target() if target is None else target
    snapshot = snapshot_current()
    made = 0
    while SpareSchema.objects.filter(fingerprint=snapshot.fingerprint).count() < target:
        name = f"spare_{secrets.token_hex(6)}"
        with transaction.atomic():
            _replay(snapshot, name)
            SpareSchema.objects.create(name=name, fingerprint=snapshot.fingerprint)
        made += 1
    return made
