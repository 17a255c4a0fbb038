"""Onboarding end to end through the broker and a real Celery worker."""

from __future__ import annotations

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from billing.models import Licence
from config.celery_app import app
from console.models import OnboardingJob
from console.services import onboarding_job_create
from mailer.models import OutboundEmail
from tenants.models import Council, Domain


def _drop(slug: str) -> None:
    council = Council.objects.filter(slug=slug).first()
    OnboardingJob.objects.filter(slug=slug).delete()
    OutboundEmail.objects.filter(
        kind="onboarding_welcome", to__contains=[f"admin@{slug}.gov.uk"]
    ).delete()
    if council is not None:
        Licence.objects.filter(council=council).delete()
        Domain.objects.filter(tenant=council).delete()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{council.schema_name}" CASCADE')
        Council.objects.filter(pk=council.pk).delete()


def test_tasks_are_registered_under_the_names_queued(db) -> None:
    """Beat's schedule and fan_out name these tasks by string. (Using `db` here also makes
    pytest-django create the test database when this file runs on its own.)"""
    app.loader.import_default_modules()
    assert "console.onboarding_run" in app.tasks
    assert "console.council_figures_refresh" in app.tasks
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["console-comparison-nightly"]
    assert entry["args"] == ["console.council_figures_refresh"]


@pytest.mark.worker
def test_a_queued_job_is_run_by_the_worker(django_db_setup, django_db_blocker) -> None:
    slug = f"worker-{uuid.uuid4().hex[:6]}"
    queue = f"test-onboarding-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue
    with django_db_blocker.unblock():
        app.conf.task_default_queue = queue
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
                job = onboarding_job_create(
                    actor="tests",
                    name=f"Worker {slug}",
                    slug=slug,
                    admin_email=f"admin@{slug}.gov.uk",
                )  # commits, and queues the task on commit
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    job.refresh_from_db()
                    if job.is_finished:
                        break
                    time.sleep(0.2)
            assert job.status == OnboardingJob.Status.SUCCEEDED, job.error
            assert Council.objects.get(slug=slug).status == Council.Status.READY
            assert job.welcome_email is not None
        finally:
            app.conf.task_default_queue = previous
            _drop(slug)
