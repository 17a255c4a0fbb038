"""Outbox delivery tasks. The Celery message is only a nudge; the outbox row is the truth."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError
from django_tenants.utils import schema_context

from mailer.selectors import outbox_schemas_with_due_mail, outbox_sweep_schemas
from mailer.services import outbox_deliver, outbox_purge

logger = logging.getLogger(__name__)


@shared_task(
    name="mailer.outbox_deliver",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def outbox_deliver_task() -> int:
    """Deliver the due emails of the schema this task was queued from (idempotent)."""
    return outbox_deliver()


@shared_task(
    name="mailer.outbox_sweep",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def outbox_sweep_task() -> int:
    """Beat, in public, every minute: queue delivery in each schema with due email.

    Covers nudges lost to a broker outage, tasks lost with a worker, lapsed claims and
    retry back-offs that have come due.
    """
    from config.celery_app import app

    schemas = outbox_schemas_with_due_mail(schemas=outbox_sweep_schemas())
    for schema in schemas:
        with schema_context(schema):
            app.send_task("mailer.outbox_deliver")
    if schemas:
        logger.info("outbox sweep queued delivery in %d schemas", len(schemas))
    return len(schemas)


@shared_task(
    name="mailer.outbox_purge",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def outbox_purge_task() -> int:
    """Daily, in public and (through tenants.fan_out) in every council."""
    return outbox_purge()
