"""Outbox delivery tasks. The Celery message is only a nudge; the outbox row is the truth."""

from __future__ import annotations

import logging

from celery import current_app, shared_task
from django_tenants.utils import schema_context

from core.tasks import retry_policy
from mailer import selectors, services

logger = logging.getLogger(__name__)


@shared_task(
    name="mailer.outbox_deliver",
    **retry_policy(),
)
def outbox_deliver_task() -> int:
    """Deliver the due emails of the schema this task was queued from (idempotent)."""
    return services.outbox_deliver()


@shared_task(
    name="mailer.outbox_sweep",
    **retry_policy(max_retries=3),
)
def outbox_sweep_task() -> int:
    """Beat, in public, every minute: queue delivery in each schema with due email.

    Covers nudges lost to a broker outage, tasks lost with a worker, lapsed claims and
    retry back-offs that have come due.
    """
    schemas = selectors.outbox_schemas_with_due_mail(schemas=selectors.outbox_sweep_schemas())
    for schema in schemas:
        with schema_context(schema):
            current_app.send_task("mailer.outbox_deliver")
    if schemas:
        logger.info("outbox sweep queued delivery in %d schemas", len(schemas))
    return len(schemas)


@shared_task(
    name="mailer.outbox_purge",
    **retry_policy(max_retries=3),
)
def outbox_purge_task() -> int:
    """Daily, in public and (through tenants.fan_out) in every council."""
    return services.outbox_purge()
