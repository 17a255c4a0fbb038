"""Celery tasks: thin, ids in, idempotent."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="correspondence.batch_process",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def batch_process_task(*, batch_id: int) -> str:
    from correspondence.services import batch_process

    return batch_process(batch_id=batch_id).status


@shared_task(
    name="correspondence.inbound_poll",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def inbound_poll_task() -> int:
    """Poll INBOUND_IMAP_URL (run from beat in public, when a mailbox is configured)."""
    from correspondence.services.mailbox import inbound_poll_imap

    return inbound_poll_imap()
