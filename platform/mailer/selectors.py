"""Reads over the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from core.tenancy import PUBLIC_SCHEMA
from mailer.models import OutboundEmail
from tenants.selectors import council_list_ready


def outbox_schemas_with_due_mail(
    *, schemas: Sequence[str], now: datetime | None = None
) -> list[str]:
    """Which of `schemas` hold an email that is due (queued, or claimed with a lapsed lease).

    One UNION ALL statement for all schemas, each arm an EXISTS on the partial indexes, so
    the every-minute sweep costs one query however many councils there are.
    """
    if not schemas:
        return []
    now = now or timezone.now()
    table = OutboundEmail._meta.db_table
    arms = []
    params: list[Any] = []
    for schema in schemas:
        quoted = connection.ops.quote_name(schema)
        arms.append(
            f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quoted}.{table} "
            "WHERE (status = 'queued' AND next_attempt_at <= %s) "
            "OR (status = 'sending' AND lease_expires_at < %s))"
        )
        params += [schema, now, now]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(arms), params)
        return [row[0] for row in cursor.fetchall()]


def outbox_sweep_schemas() -> list[str]:
    """Public plus every council that is ready (provisioned)."""
    return [PUBLIC_SCHEMA, *council_list_ready().values_list("schema_name", flat=True)]
