"""Sentry set-up: tagged with the council's schema, constituent data scrubbed before sending."""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

# Constituent and case fields are personal (sometimes special-category) data: they must
# never leave the platform in an error report, whatever object or request they sit in.
CONSTITUENT_FIELDS = [
    "name",
    "full_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "address",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "date_of_birth",
    "notes",
    "description",
    "body",
    "text",
    "subject",
    "constituent",
    "constituent_name",
    "preferred_contact",
]


def event_scrubber() -> EventScrubber:
    return EventScrubber(
        denylist=[*DEFAULT_DENYLIST, *CONSTITUENT_FIELDS],
        pii_denylist=[*DEFAULT_PII_DENYLIST],
        recursive=True,
        send_default_pii=False,
    )


def tag_council(event: Any, hint: dict[str, Any]) -> Any:
    """Tag every event with the schema the connection was in when it happened."""
    from django.db import connection

    schema = getattr(connection, "schema_name", None) or "unknown"
    event.setdefault("tags", {})["council_schema"] = schema
    return event


def init_sentry(
    *,
    dsn: str,
    environment: str,
    traces_sample_rate: float = 0.0,
    transport: Any = None,
) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration(monitor_beat_tasks=True)],
        send_default_pii=False,
        event_scrubber=event_scrubber(),
        before_send=tag_council,
        traces_sample_rate=traces_sample_rate,
        transport=transport,
    )
