"""Writing to the audit log: one recording service, and the retention purge.

Every app above records through `audit_record` (the database refuses UPDATE and DELETE on
the table, so there is no other way to touch it). An entry is written in the caller's
transaction: if what it records is rolled back (a refused change, a failed export), so is
the entry, and a refused write is never logged as done.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.middleware import current_request
from audit.models import AuditAction, AuditEntry
from core.client_ip import client_ip

# A list page shows at most a few hundred rows; anything longer is an export, whose entry
# records what was exported rather than every id.
MAX_IDS_PER_ENTRY = 1000


class Person(Protocol):
    """Whoever acts: a council's user or central staff (accounts.User), typed loosely so
    this app stays below accounts."""

    @property
    def pk(self) -> Any: ...

    @property
    def email(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...


def _ip_of(request: HttpRequest | None) -> str | None:
    request = request if request is not None else current_request()
    if request is None:
        return None
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(v for v in values if v is not None))


# Not @transaction.atomic: one INSERT is atomic by itself, and a savepoint around it would
# cost two more round trips on every page that records a read.
def audit_record(
    *,
    action: str,
    actor: Person | None,
    summary: str = "",
    on_behalf_of: Person | None = None,
    subject: Person | None = None,
    case_ids: Iterable[int] = (),
    case_references: Iterable[str] = (),
    constituent_ids: Iterable[int] = (),
    detail: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_email: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry to the current schema's audit log.

    `actor` None means the system (a scheduled job) or, with `actor_email`, someone unknown
    (a failed sign-in). A list or search page passes every case (or constituent) it showed,
    in one entry. `request` gives the client's address (by default the request being
    answered, audit.middleware).
    """
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}: add it to audit.models.AuditAction.")
    cases = _unique(int(pk) for pk in case_ids)
    references = _unique(case_references)
    constituents = _unique(int(pk) for pk in constituent_ids)
    extra = dict(detail or {})
    if max(len(cases), len(references), len(constituents)) > MAX_IDS_PER_ENTRY:
        extra["ids_truncated"] = True
    # Staff acting for a councillor: `on_behalf_of` is the councillor; acting for oneself
    # is not "on behalf of".
    if on_behalf_of is not None and actor is not None and on_behalf_of.pk == actor.pk:
        on_behalf_of = None
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        action=action,
        actor_id=actor.pk if actor is not None else None,
        actor_name=(actor.name if actor is not None else "")[:200],
        actor_email=(actor.email if actor is not None else actor_email.strip().lower())[:254],
        actor_role=(actor.role if actor is not None else "")[:20],
        on_behalf_of_id=on_behalf_of.pk if on_behalf_of is not None else None,
        on_behalf_of_name=(on_behalf_of.name if on_behalf_of is not None else "")[:200],
        subject_user_id=subject.pk if subject is not None else None,
        subject_user_name=(subject.name if subject is not None else "")[:200],
        case_ids=cases[:MAX_IDS_PER_ENTRY],
        case_references=[str(r)[:32] for r in references[:MAX_IDS_PER_ENTRY]],
        constituent_ids=constituents[:MAX_IDS_PER_ENTRY],
        summary=summary[:500],
        detail=extra,
        ip_address=_ip_of(request),
    )


def audit_retention_cutoff(*, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=int(settings.AUDIT_RETENTION_DAYS))


@transaction.atomic
def audit_purge(*, now: datetime | None = None) -> int:
    """Remove the current schema's entries older than AUDIT_RETENTION_DAYS; returns how many.

    The table's trigger refuses every DELETE unless the transaction has announced, with
    `audit.purge_before`, the cut-off it is purging to, and even then refuses rows younger
    than AUDIT_RETENTION_FLOOR_DAYS by the database's own clock. The purge records itself.
    """
    cutoff = audit_retention_cutoff(now=now)
    with connection.cursor() as cursor:
        # Local to this transaction (SET LOCAL), so no other statement inherits it, also
        # behind a transaction-mode pooler.
        cursor.execute("SELECT set_config('audit.purge_before', %s, true)", [cutoff.isoformat()])
        cursor.execute("DELETE FROM audit_auditentry WHERE at < %s", [cutoff])
        removed = cursor.rowcount
        cursor.execute("SELECT set_config('audit.purge_before', '', true)")
    if removed:
        audit_record(
            action=AuditAction.AUDIT_PURGED,
            actor=None,
            summary=f"Removed {removed} audit entries older than {cutoff:%d %B %Y} "
            f"(kept for {settings.AUDIT_RETENTION_DAYS} days).",
            detail={"removed": removed, "before": cutoff.isoformat()},
        )
    return removed
