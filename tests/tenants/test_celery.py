"""Tasks run in the schema they were queued from, through a real broker and worker."""

from __future__ import annotations

import json
import uuid

import pytest
import redis
from celery import shared_task
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_create
from config.celery_app import app
from tenants.models import Council


@shared_task(name="tests.list_user_emails")
def list_user_emails() -> dict:
    return {
        "schema": connection.schema_name,
        "emails": sorted(User.objects.values_list("email", flat=True)),
    }


@pytest.mark.worker
def test_task_from_a_reads_a_and_never_b(councils, django_db_blocker) -> None:
    """Committed users in A and B; a real worker thread runs the task queued from each."""
    a, b = councils["a"], councils["b"]
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        with schema_context(a.schema_name):
            user_create(email="only-in-a@example.gov.uk", role="staff")
        with schema_context(b.schema_name):
            user_create(email="only-in-b@example.gov.uk", role="staff")
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
                with schema_context(a.schema_name):
                    from_a = list_user_emails.apply_async(queue=queue)
                with schema_context(b.schema_name):
                    from_b = list_user_emails.apply_async(queue=queue)
                result_a = from_a.get(timeout=30)
                result_b = from_b.get(timeout=30)
        finally:
            for council in (a, b):
                with schema_context(council.schema_name):
                    User.objects.filter(email__startswith="only-in-").delete()

    assert result_a == {"schema": a.schema_name, "emails": ["only-in-a@example.gov.uk"]}
    assert result_b == {"schema": b.schema_name, "emails": ["only-in-b@example.gov.uk"]}


@pytest.mark.django_db
def test_fan_out_queues_one_job_per_ready_council_with_its_schema(council_a, council_b) -> None:
    from tenants.tasks import fan_out

    Council.objects.filter(pk=council_b.pk).update(status=Council.Status.PROVISIONING)
    queue = f"test-fanout-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        count = fan_out("tenants.council_heartbeat", jitter_seconds=30)
        raw = client.lrange(queue, 0, -1)
    finally:
        app.conf.task_default_queue = previous
        client.delete(queue)
    assert count == 1
    messages = [json.loads(m) for m in raw]
    assert [m["headers"]["_schema_name"] for m in messages] == [council_a.schema_name]
    assert messages[0]["headers"]["task"] == "tenants.council_heartbeat"
    assert messages[0]["headers"]["eta"] is not None  # jittered


@pytest.mark.django_db
def test_heartbeat_records_last_activity_and_skips_unready(council_a, make_user) -> None:
    from django.utils import timezone

    from tenants.services import council_record_heartbeat

    user = make_user(council_a)
    with schema_context(council_a.schema_name):
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        assert council_record_heartbeat(schema_name=council_a.schema_name) == "council_a"
    council_a.refresh_from_db()
    assert council_a.last_activity_at is not None
    Council.objects.filter(pk=council_a.pk).update(status=Council.Status.SUSPENDED)
    assert council_record_heartbeat(schema_name=council_a.schema_name) is None
