"""The audit log as CSV rows (the web page's download and the API's export share them)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone

from audit.models import AuditEntry

# A download is one file in memory; beyond this, narrow the search (dates, a person).
EXPORT_MAX_ROWS = 50_000

CSV_HEADER = [
    "at",
    "kind",
    "kind_label",
    "actor_id",
    "actor_name",
    "actor_email",
    "actor_role",
    "on_behalf_of_id",
    "on_behalf_of_name",
    "subject_user_id",
    "subject_user_name",
    "case_ids",
    "case_references",
    "constituent_ids",
    "summary",
    "ip_address",
    "detail",
]


def csv_rows(entries: Iterable[AuditEntry]) -> Iterator[list[Any]]:
    yield CSV_HEADER
    for e in entries:
        yield [
            timezone.localtime(e.at).isoformat(),
            e.action,
            e.action_label,
            e.actor_id,
            e.actor_name,
            e.actor_email,
            e.actor_role,
            e.on_behalf_of_id,
            e.on_behalf_of_name,
            e.subject_user_id,
            e.subject_user_name,
            " ".join(str(pk) for pk in e.case_ids),
            " ".join(e.case_references),
            " ".join(str(pk) for pk in e.constituent_ids),
            e.summary,
            e.ip_address or "",
            json.dumps(e.detail, sort_keys=True),
        ]
