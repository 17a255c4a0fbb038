"""Celery tasks: thin, ids in, idempotent."""

from __future__ import annotations

from celery import shared_task

from core.tasks import retry_policy
from correspondence import services
from correspondence.services import mailbox


@shared_task(
    name="correspondence.batch_process",
    **retry_policy(),
)
def batch_process_task(*, batch_id: int) -> str:
    return services.batch_process(batch_id=batch_id).status


@shared_task(
    name="correspondence.batch_requeue_stale",
    **retry_policy(max_retries=3),
)
def batch_requeue_stale_task() -> int:
    """Beat, one job per council (tenants.fan_out): batches whose task was lost."""
    return len(services.batch_requeue_stale())


@shared_task(
    name="correspondence.inbound_poll",
    **retry_policy(max_retries=3),
)
def inbound_poll_task() -> int:
    """Poll INBOUND_IMAP_URL (run from beat in public, when a mailbox is configured)."""
    return mailbox.inbound_poll_imap()
