"""Reading the audit log.

These read whatever the current schema holds: deciding who may read the log is the
caller's (caseload.selectors.audit, which knows the council's roles). Admins and the data
protection officer search it; nobody else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from core.errors import ValidationFailed

_REFERENCE_RE = re.compile(r"^[A-Za-z0-9]{2,12}-\d{4}-\d{1,9}$")


@dataclass(frozen=True)
class AuditFilters:
    """Every field narrows (AND). `case` is a case's id or its reference."""

    person_id: int | None = None
    case: str = ""
    constituent_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    actions: list[str] = field(default_factory=list)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries_matching(*, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Entries matching `filters`, newest first. A person matches as the one who acted or
    the one acted upon; a case or constituent matches single reads and the list pages that
    showed it."""
    qs = AuditEntry.objects.all()
    if filters.person_id is not None:
        qs = qs.filter(Q(actor_id=filters.person_id) | Q(subject_user_id=filters.person_id))
    case = filters.case.strip()
    if case:
        if case.isdigit():
            qs = qs.filter(case_ids__contains=[int(case)])
        elif _REFERENCE_RE.match(case):
            qs = qs.filter(case_references__contains=[case.upper()])
        else:
            raise ValidationFailed(
                f"'{case}' is neither a case number nor a reference such as FIFE-2026-00042.",
                extra={"case": ["Enter a case number or a reference."]},
            )
    if filters.constituent_id is not None:
        qs = qs.filter(constituent_ids__contains=[filters.constituent_id])
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationFailed(
            "The start date is after the end date.",
            extra={"date_from": ["The start date must be on or before the end date."]},
        )
    if filters.date_from:
        qs = qs.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_start_of(filters.date_to + timedelta(days=1)))
    unknown = set(filters.actions) - set(AuditAction.values)
    if unknown:
        raise ValidationFailed(
            f"Unknown kind of entry: {', '.join(sorted(unknown))}.",
            extra={"action": ["Unknown kind of entry."]},
        )
    if filters.actions:
        qs = qs.filter(action__in=filters.actions)
    return qs.order_by("-at", "-id")


def audit_entries_for_case(*, case_id: int) -> QuerySet[AuditEntry]:
    """Everything recorded about one case: reads, list pages that showed it, exports."""
    return AuditEntry.objects.filter(case_ids__contains=[case_id]).order_by("-at", "-id")
