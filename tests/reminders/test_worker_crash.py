"""Exactly-once delivery against real failures: a real `celery worker` process is SIGKILLed
while it holds a claimed outbox row, a new worker is started, and beat's outbox sweep
recovers the row after its lease. Data is committed (another process must see it) and
removed afterwards."""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import User
from caseload.models import (
    Action,
    Case,
    CaseloadSettings,
    CaseSequence,
    Constituent,
    CouncilHoliday,
    HolidayYear,
)
from config.celery_app import app
from core.pgclient import database_url
from mailer.models import OutboundEmail
from mailer.tasks import outbox_sweep_task
from reminders.models import BF, BFDelivery, BFRule
from reminders.services import bf_add, reminders_council_digest
from tests.factories import UserFactory
from tests.reminders.conftest import make_case, today_is
from tests.reminders.spool_backend import AFTER_SEND, AT_SEND, HANG_AFTER, HANG_BEFORE

REPO = Path(__file__).resolve().parents[2]
DAY = date(2026, 3, 10)
LEASE_SECONDS = 3
# Deleted in this order after the test (children first); CaseSequence is restored.
CREATED = [
    BFDelivery,
    BF,
    BFRule,
    OutboundEmail,
    Action,
    Case,
    Constituent,
    CaseloadSettings,
    CouncilHoliday,
    HolidayYear,
    User,
]


def _database_url() -> str:
    return database_url(connection.settings_dict)


@contextmanager
def _committed_rows_removed(schema: str) -> Iterator[None]:
    with schema_context(schema):
        before = {m: set(m.objects.values_list("pk", flat=True)) for m in CREATED}
        sequences = dict(CaseSequence.objects.values_list("year", "last"))
    try:
        yield
    finally:
        with schema_context(schema):
            for model in CREATED:
                model.objects.exclude(pk__in=before[model]).delete()
            CaseSequence.objects.exclude(year__in=list(sequences)).delete()
            for year, last in sequences.items():
                CaseSequence.objects.filter(year=year).update(last=last)


class Worker:
    """`celery worker` in its own process group, delivering with the spool backend."""

    def __init__(self, queue: str, spool: Path) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "EMAIL_BACKEND": "tests.reminders.spool_backend.SpoolEmailBackend",
            "MAILER_TEST_SPOOL": str(spool),
            "MAILER_LEASE_SECONDS": str(LEASE_SECONDS),
            "PYTHONPATH": str(REPO),
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config.celery_app",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-l",
                "WARNING",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=REPO,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


def _wait_for(predicate, timeout: float = 90) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def _delivered(spool: Path) -> list[str]:
    return [email.message_from_bytes(p.read_bytes())["Message-ID"] for p in spool.glob("*.eml")]


def _digest_row(schema: str) -> OutboundEmail:
    with schema_context(schema):
        return OutboundEmail.objects.get(kind="bf_digest")


@contextmanager
def _scenario(councils, django_db_blocker, tmp_path) -> Iterator[tuple[str, str, Path, list]]:
    """A committed digest in council A (the sweep run twice), a queue and a spool."""
    schema = councils["a"].schema_name
    queue = f"test-outbox-{uuid.uuid4().hex[:8]}"
    workers: list[Worker] = []
    previous_queue = app.conf.task_default_queue
    with django_db_blocker.unblock(), _committed_rows_removed(schema):
        try:
            with schema_context(schema):
                owner = UserFactory(role="councillor", email="crash@a.gov.uk")
                with today_is(date(2026, 3, 2)):
                    bf_add(actor=owner, case=make_case(owner), due_date=DAY, reason="Chase")
                # The morning sweep, twice (a duplicate beat tick): one digest.
                assert reminders_council_digest(day=DAY).digests == 1
                assert reminders_council_digest(day=DAY).digests == 0
                assert OutboundEmail.objects.count() == 1
            app.conf.task_default_queue = queue  # where the sweep sends its nudges
            yield schema, queue, tmp_path, workers
        finally:
            app.conf.task_default_queue = previous_queue
            for worker in workers:
                worker.kill()


@pytest.mark.worker
def test_worker_killed_after_claim_before_send_delivers_exactly_once(
    councils, django_db_blocker, tmp_path
):
    with _scenario(councils, django_db_blocker, tmp_path) as (schema, queue, spool, workers):
        (spool / HANG_BEFORE).touch()
        workers.append(Worker(queue, spool))
        with schema_context(schema):
            app.send_task("mailer.outbox_deliver", queue=queue)
        _wait_for(lambda: (spool / AT_SEND).exists())
        claimed = _digest_row(schema)
        assert claimed.status == OutboundEmail.Status.SENDING and claimed.attempts == 1

        workers[0].kill()  # SIGKILL mid-send: nothing reached the backend
        (spool / HANG_BEFORE).unlink()
        assert _delivered(spool) == []
        assert _digest_row(schema).status == OutboundEmail.Status.SENDING

        workers.append(Worker(queue, spool))
        # Before the lease lapses the sweep leaves the claimed row alone...
        with schema_context("public"):
            assert schema not in _sweep_schemas()
        time.sleep(LEASE_SECONDS + 0.5)
        # ...after it, beat's sweep queues delivery and the new worker sends it.
        with schema_context("public"):
            assert outbox_sweep_task() >= 1
        _wait_for(lambda: _digest_row(schema).status == OutboundEmail.Status.SENT)
        with schema_context("public"):
            outbox_sweep_task()  # and again: nothing is due any more
        time.sleep(2)

        row = _digest_row(schema)
        assert _delivered(spool) == [row.message_id]
        assert row.attempts == 2 and row.sent_at is not None


@pytest.mark.worker
def test_worker_killed_after_send_before_mark_resends_with_the_same_message_id(
    councils, django_db_blocker, tmp_path
):
    """The one residual window, made explicit: the backend accepted the message and the
    worker died before recording it. Delivery is at-least-once, so it is sent again, with
    the identical Message-ID for the receiving side to collapse."""
    with _scenario(councils, django_db_blocker, tmp_path) as (schema, queue, spool, workers):
        (spool / HANG_AFTER).touch()
        workers.append(Worker(queue, spool))
        with schema_context(schema):
            app.send_task("mailer.outbox_deliver", queue=queue)
        _wait_for(lambda: (spool / AFTER_SEND).exists())
        workers[0].kill()
        (spool / HANG_AFTER).unlink()
        workers.append(Worker(queue, spool))
        time.sleep(LEASE_SECONDS + 0.5)
        with schema_context("public"):
            outbox_sweep_task()
        _wait_for(lambda: _digest_row(schema).status == OutboundEmail.Status.SENT)
        row = _digest_row(schema)
        assert _delivered(spool) == [row.message_id, row.message_id]


def _sweep_schemas() -> list[str]:
    from mailer.selectors import outbox_schemas_with_due_mail, outbox_sweep_schemas

    return outbox_schemas_with_due_mail(schemas=outbox_sweep_schemas())
