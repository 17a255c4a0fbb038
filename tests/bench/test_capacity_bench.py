"""Storage per case, for the capacity estimate in deploy/SCALING.md.

One council gets CASES cases written through the real services, each with a typical history:
a constituent (new for two cases in three), four hand-written actions, a referral for three
cases in five with the officer's reply for half of them, and closure for four in five. The
council schema's size (tables, TOAST and indexes) and row count before and after give the
bytes and rows one case costs. Also reported: the relations a council schema holds, which is
what the PostgreSQL catalog grows by per council.
"""

from __future__ import annotations

import random

from django.db import connection
from django_tenants.utils import schema_context
from faker import Faker

from accounts.services import user_create
from caseload.models import Case
from caseload.services import (
    action_add,
    case_close,
    case_open,
    constituent_create,
    officer_create,
    referral_create,
    referral_record_reply,
)
from console.services import council_provision
from tests.bench.conftest import bench

CASES = 300


def _schema_totals(schema: str) -> tuple[int, int]:
    """(bytes of every table with its TOAST and indexes, live rows) in one schema."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0),"
            " coalesce(sum(s.n_live_tup), 0)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
            " WHERE n.nspname = %s AND c.relkind = 'r'",
            [schema],
        )
        size, rows = cursor.fetchone()
    return int(size), int(rows)


def _compact(schema: str) -> None:
    """Rewrite the schema's tables without dead rows or free space (VACUUM FULL): the case
    history is written with several updates per case, whose old row versions autovacuum
    would recycle for later rows in a running system."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind = 'r'",
            [schema],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'VACUUM FULL "{schema}"."{table}"')


def _breakdown(schema: str) -> list[tuple[str, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), coalesce(s.n_live_tup, 0)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
            " WHERE n.nspname = %s AND c.relkind = 'r'"
            " ORDER BY 2 DESC LIMIT 8",
            [schema],
        )
        return [(str(a), int(b), int(c)) for a, b, c in cursor.fetchall()]


def _relations(schema: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) + 2 * count(*) FILTER (WHERE c.reltoastrelid <> 0)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s",
            [schema],
        )
        return int(cursor.fetchone()[0])


def test_case_footprint(committed) -> None:
    rng = random.Random(2026)
    fake = Faker("en_GB")
    Faker.seed(2026)
    council = council_provision(slug="bench-capacity", name="Bench capacity").council
    schema = council.schema_name
    bench("council_schema_relations", _relations(schema), "relations")

    with schema_context(schema):
        councillor = user_create(email="cllr@capacity.example.gov.uk", role="councillor")
        admin = user_create(email="admin@capacity.example.gov.uk", role="admin")
        officers = [
            officer_create(actor=admin, name=fake.name(), email=f"officer{i}@council.gov.uk")
            for i in range(10)
        ]
        before_bytes, before_rows = _schema_totals(schema)
        constituents: list = []
        for i in range(CASES):
            if not constituents or rng.random() < 2 / 3:
                constituents.append(
                    constituent_create(
                        actor=councillor,
                        name=fake.name(),
                        address=fake.street_address(),
                        postcode=fake.postcode(),
                        phone=fake.phone_number(),
                        email=f"resident{i}@example.com",
                        allow_duplicate=True,
                    )
                )
            case = case_open(
                actor=councillor,
                constituent=rng.choice(constituents),
                title=fake.sentence(nb_words=8)[:120],
                description=fake.paragraph(nb_sentences=5),
            )
            for kind in ("note", "call", "email_in", "email_out"):
                action_add(actor=councillor, case=case, kind=kind, text=fake.paragraph(3))
            if rng.random() < 0.6:
                referral = referral_create(
                    actor=councillor,
                    case=case,
                    officer=rng.choice(officers),
                    note=fake.paragraph(nb_sentences=2),
                )
                if rng.random() < 0.5:
                    referral_record_reply(
                        actor=councillor, referral=referral, text=fake.paragraph(3)
                    )
            if rng.random() < 0.8:
                case_close(actor=councillor, case=case, outcome=Case.Outcome.RESOLVED)
        written_bytes, after_rows = _schema_totals(schema)
        assert Case.objects.count() == CASES
    _compact(schema)
    compact_bytes, _rows = _schema_totals(schema)
    for table, size, rows in _breakdown(schema):
        print(f"  {table}: {size} bytes, {rows} rows")

    bench("case_footprint_rows", (after_rows - before_rows) / CASES, "rows")
    bench("case_footprint_bytes_as_written", (written_bytes - before_bytes) / CASES, "bytes")
    # Measured against the empty schema's compacted size, so only the cases' own rows and
    # index entries count, not the first page every table and index allocates.
    bench("case_footprint_bytes", (compact_bytes - before_bytes) / CASES, "bytes")
