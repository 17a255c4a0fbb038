"""The council directory: every council with its licence, seats, activity and health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from billing.models import LicenceState
from tenants.models import Council

# Beat records a heartbeat every 15 minutes; two missed beats is worth a look, a day is not.
HEARTBEAT_LATE = timedelta(hours=1)
HEARTBEAT_STALE = timedelta(hours=24)
FIGURES_STALE = timedelta(hours=36)  # the nightly refresh, plus slack


def council_directory() -> QuerySet[Council]:
    """Every council with its licence, stats and domains, in two queries."""
    return (
        Council.objects.select_related("licence", "stats")
        .prefetch_related("domains")
        .order_by("name")
    )


@dataclass(frozen=True)
class Health:
    level: int  # 0 good, 1 check, 2 failing (sorts worst last, or first when reversed)
    label: str
    reasons: tuple[str, ...]

    @property
    def tag(self) -> str:
        return {0: "govuk-tag--green", 1: "govuk-tag--yellow", 2: "govuk-tag--red"}[self.level]


def council_health(council: Council, *, now: datetime | None = None) -> Health:
    now = now or timezone.now()
    failing: list[str] = []
    check: list[str] = []
    stats = getattr(council, "stats", None)
    licence = getattr(council, "licence", None)
    if council.status == Council.Status.PROVISIONING:
        failing.append("Still provisioning")
    elif council.status == Council.Status.SUSPENDED:
        check.append("Suspended")
    if council.status == Council.Status.READY:
        if council.heartbeat_at is None:
            check.append("No heartbeat yet")
        elif now - council.heartbeat_at > HEARTBEAT_STALE:
            failing.append("No heartbeat for over a day")
        elif now - council.heartbeat_at > HEARTBEAT_LATE:
            check.append("Heartbeat late")
        if stats is None or stats.refreshed_at is None:
            check.append("No figures yet")
        elif now - stats.refreshed_at > FIGURES_STALE:
            check.append("Figures out of date")
    if stats is not None and stats.last_error:
        failing.append("Figures refresh failed")
    if licence is None:
        failing.append("No licence")
    elif licence.state == LicenceState.PAST_DUE:
        check.append("Payment overdue")
    elif licence.state in (LicenceState.LAPSED, LicenceState.CANCELLED):
        check.append(f"Licence {licence.get_state_display().split(' (')[0].lower()}")
    if failing:
        return Health(2, "Failing", tuple(failing + check))
    if check:
        return Health(1, "Check", tuple(check))
    return Health(0, "Good", ())


@dataclass(frozen=True)
class DirectoryRow:
    council: Council
    domain: str
    licence_state: str
    licence_label: str
    trial_ends_at: datetime | None
    seats_used: int | None
    seats_cap: int | None
    last_activity_at: datetime | None
    health: Health


# Sort keys per column; None (not known yet) always sorts last, whichever the direction.
SORTS: dict[str, Any] = {
    "name": lambda r: r.council.name.lower(),
    "licence": lambda r: r.licence_label,
    "trial_end": lambda r: r.trial_ends_at,
    "seats": lambda r: r.seats_used,
    "activity": lambda r: r.last_activity_at,
    "health": lambda r: (r.health.level, r.council.name.lower()),
}


def council_directory_rows(
    *, q: str = "", sort: str = "name", desc: bool = False
) -> list[DirectoryRow]:
    """The directory, searched by name, slug or address and sorted by any column.

    Two queries whatever the number of councils: seats used and last activity come from
    each council's stats row (kept by the figures refresh and the heartbeat), never from
    the councils' schemas."""
    councils = council_directory()
    q = (q or "").strip()
    if q:
        councils = councils.filter(
            Q(name__icontains=q) | Q(slug__icontains=q) | Q(domains__domain__icontains=q)
        ).distinct()
    now = timezone.now()
    rows = []
    for council in councils:
        licence = getattr(council, "licence", None)
        stats = getattr(council, "stats", None)
        domains = [d.domain for d in council.domains.all() if d.is_primary]
        activity = [
            t for t in (council.last_activity_at, stats.last_activity_at if stats else None) if t
        ]
        rows.append(
            DirectoryRow(
                council=council,
                domain=domains[0] if domains else "",
                licence_state=licence.state if licence else "",
                licence_label=licence.get_state_display() if licence else "No licence",
                trial_ends_at=licence.trial_ends_at if licence and licence.is_trial else None,
                seats_used=stats.councillors if stats and stats.refreshed_at else None,
                seats_cap=licence.seats if licence else None,
                last_activity_at=max(activity) if activity else None,
                health=council_health(council, now=now),
            )
        )
    key = SORTS.get(sort, SORTS["name"])
    known = sorted((r for r in rows if key(r) is not None), key=key, reverse=desc)
    return known + [r for r in rows if key(r) is None]
