"""The morning BF sweep at scale: 100 councils x 2,000 open cases, each with a BF due today or
overdue, plus referrals past their target. Target: the whole sweep under 10 s.

The figure is the time the workers spend, summed: `reminders_council_digest` run once in
each council, as the fan-out's jobs do (NO_ACTION rules, the one gathering query, the
per-BF-per-day delivery claims, one digest per person into the outbox). Holidays are
seeded beforehand (they are seeded once a year per council, not every morning).
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
from datetime import date, datetime

from django.core import mail
from django.db import connection, connections
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from caseload.calendar import WorkingCalendar
from caseload.models import Case, Constituent, Delegation, Officer, Referral
from console.services import council_provision
from mailer.models import OutboundEmail
from mailer.services import outbox_deliver
from reminders.models import BFDelivery
from reminders.services import reminders_council_digest
from tests.bench.conftest import bench, p95

COUNCILS = int(os.environ.get("BENCH_REMINDER_COUNCILS", "100"))
# Worker processes for the sweep: one `celery worker` at its default concurrency (2, see
# deploy/docker/entrypoint.sh and `make run`), each taking the next council's job.
WORKERS = 2
CASES = 2_000
COUNCILLORS = 10
STAFF = 2
REFERRALS_PAST_TARGET = 200
DAY = date(2026, 3, 10)  # a Tuesday


def _populate(slug: str) -> None:
    """Bulk-insert one council's people, cases, due BFs and late referrals."""
    users = User.objects.bulk_create(
        [
            User(
                email=f"cllr{i}@{slug}.gov.uk",
                name=f"Councillor {i}",
                role="councillor",
                password="!",
            )
            for i in range(COUNCILLORS)
        ]
        + [
            User(email=f"staff{i}@{slug}.gov.uk", name=f"Staff {i}", role="staff", password="!")
            for i in range(STAFF)
        ]
    )
    councillors, staff = users[:COUNCILLORS], users[COUNCILLORS:]
    Delegation.objects.bulk_create(
        Delegation(staff=staff[i % STAFF], councillor=c, granted_by=c, confirmed_at=timezone.now())
        for i, c in enumerate(councillors)
    )
    constituents = Constituent.objects.bulk_create(
        Constituent(
            owner=councillors[i % COUNCILLORS],
            created_by=councillors[i % COUNCILLORS],
            name=f"Constituent {i}",
        )
        for i in range(CASES // 4)
    )
    opened = timezone.make_aware(datetime(2026, 1, 12, 10))
    # Cases and BFs are generated server-side (INSERT ... SELECT generate_series): the same
    # rows bulk_create would write, without building 4,000 objects in Python per council.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO caseload_case (reference, year, number, constituent_id, title,
                description, priority, status, outcome, owner_id, created_by_id, sharing,
                opened_at, created_at, updated_at)
            SELECT 'RB-2026-' || lpad(n::text, 5, '0'), 2026, n,
                   (%(constituents)s::bigint[])[1 + n %% %(nc)s],
                   'Enquiry ' || n || ' about the bins',
                   '', 'normal', 'open', '', (%(owners)s::bigint[])[1 + n %% %(no)s],
                   (%(owners)s::bigint[])[1 + n %% %(no)s], 'private', %(opened)s, now(), now()
            FROM generate_series(1, %(cases)s) AS n
            """,
            {
                "constituents": [c.pk for c in constituents],
                "nc": len(constituents),
                "owners": [c.pk for c in councillors],
                "no": len(councillors),
                "opened": opened,
                "cases": CASES,
            },
        )
        # Due today or overdue by 1, 3 or 7 days.
        cursor.execute(
            """
            INSERT INTO reminders_bf (created_at, updated_at, case_id, due_date, reason,
                owner_id, source, snooze_count, done, done_note)
            SELECT now(), now(), c.id,
                   %(day)s::date - (ARRAY[0, 0, 1, 3, 7])[1 + c.number %% 5],
                   'Chase the repair', c.owner_id, 'manual', 0, false, ''
            FROM caseload_case c
            """,
            {"day": DAY},
        )
    cases = list(Case.objects.order_by("id")[:REFERRALS_PAST_TARGET])
    officer = Officer.objects.create(name="Waste Officer", email=f"waste@{slug}.gov.uk")
    Referral.objects.bulk_create(
        Referral(
            case=case,
            officer=officer,
            created_by_id=case.owner_id,
            sent_at=opened,
            working_days=10,
            target_date=date(2026, 1, 26),
            original_target_date=date(2026, 1, 26),
        )
        for case in cases[:REFERRALS_PAST_TARGET]
    )
    WorkingCalendar.for_years({DAY.year - 1, DAY.year})


def _council_job(schema: str) -> tuple[float, int, int]:
    """What one fan-out job does in a worker: the council's morning run."""
    with schema_context(schema):
        started, cpu = time.perf_counter(), time.process_time()
        run = reminders_council_digest(day=DAY)
        if os.environ.get("BENCH_REMINDER_CPU"):
            print(
                "CPU", round(time.process_time() - cpu, 3), round(time.perf_counter() - started, 3)
            )
        return time.perf_counter() - started, run.digests, run.bfs_delivered


def test_reminder_sweep(committed) -> None:
    started = time.perf_counter()
    schemas = []
    for i in range(COUNCILS):
        slug = f"rb-{i:03d}"
        schemas.append(council_provision(slug=slug, name=slug, actor="bench").council.schema_name)
    provision_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for schema in schemas:
        with schema_context(schema):
            _populate(schema.replace("_", "-"))
    print(
        f"setup: {COUNCILS} councils provisioned in {provision_seconds:.1f} s, "
        f"{COUNCILS * CASES:,} cases with BFs inserted in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    connections.close_all()  # the worker processes open their own
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        results = pool.map(_council_job, schemas, chunksize=1)
    wall = time.perf_counter() - started
    per_council = [seconds for seconds, _, _ in results]
    digests = sum(d for _, d, _ in results)
    delivered = sum(b for _, _, b in results)
    assert delivered == COUNCILS * CASES
    assert digests == COUNCILS * (COUNCILLORS + STAFF)
    bench("reminder_sweep_seconds", wall, "s")
    bench("reminder_sweep_worker_seconds_total", sum(per_council), "s")
    bench("reminder_sweep_council_p95_seconds", p95(per_council), "s")
    bench("reminder_sweep_council_median_seconds", statistics.median(per_council), "s")

    # A second tick (duplicate beat, retry) does nothing new.
    started = time.perf_counter()
    for schema in schemas:
        with schema_context(schema):
            assert reminders_council_digest(day=DAY).digests == 0
    bench("reminder_sweep_repeat_seconds", time.perf_counter() - started, "s")

    # Draining the outbox through Django's email machinery (in-memory backend).
    from django.test import override_settings

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        started = time.perf_counter()
        sent = 0
        for schema in schemas:
            with schema_context(schema):
                sent += outbox_deliver()
        seconds = time.perf_counter() - started
    assert sent == digests == len(mail.outbox)
    bench("reminder_outbox_deliver_per_email_ms", seconds / sent * 1000, "ms")
    with schema_context(schemas[0]):
        assert BFDelivery.objects.count() == CASES
        assert OutboundEmail.objects.filter(status="sent").count() == COUNCILLORS + STAFF
