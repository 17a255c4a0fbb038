"""Reads of the officer directory: the list, one officer, and suggestions for a case."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case as When_
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from accounts.models import User
from caseload.models import (
    Officer,
)
from core.errors import NotFound


@dataclass(frozen=True)
class OfficerFilters:
    active: bool | None = True
    category_id: int | None = None
    ward_id: int | None = None
    q: str = ""


def officer_list(*, user: User, filters: OfficerFilters | None = None) -> QuerySet[Officer]:
    """The officer directory (active officers by default), topics and wards prefetched."""
    filters = filters or OfficerFilters()
    qs = Officer.objects.prefetch_related("topics", "wards")
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    if filters.category_id is not None:
        qs = qs.filter(topics__id=int(filters.category_id))
    if filters.ward_id is not None:
        qs = qs.filter(wards__id=int(filters.ward_id))
    if filters.q.strip():
        text = filters.q.strip()
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(service__icontains=text)
            | Q(job_title__icontains=text)
            | Q(email__icontains=text)
        )
    return qs.distinct().order_by("name", "id")


def officer_get(*, user: User, officer_id: int | str) -> Officer:
    try:
        pk = int(officer_id)
    except (TypeError, ValueError):
        raise NotFound(f"No officer with id {officer_id!s}.") from None
    officer = Officer.objects.prefetch_related("topics", "wards").filter(pk=pk).first()
    if officer is None:
        raise NotFound(f"No officer with id {pk}.")
    return officer


def officer_suggest(
    *, user: User, category_id: int | None, ward_id: int | None, limit: int = 5
) -> list[Officer]:
    """ "Suggest an officer": active officers covering the category and/or the ward.

    Ranked: both match (score 3) > category only (2) > ward only (1); then by name. Each
    returned officer carries `match` = "category_and_ward" | "category" | "ward".
    """
    if category_id is None and ward_id is None:
        return []
    # Ids start at 1, so 0 matches nothing when one side is not given.
    covers_topic = Exists(
        Officer.topics.through.objects.filter(
            officer_id=OuterRef("pk"), category_id=category_id or 0
        )
    )
    covers_ward = Exists(
        Officer.wards.through.objects.filter(officer_id=OuterRef("pk"), ward_id=ward_id or 0)
    )
    qs = (
        Officer.objects.filter(is_active=True)
        .annotate(covers_topic=covers_topic, covers_ward=covers_ward)
        .filter(Q(covers_topic=True) | Q(covers_ward=True))
        .annotate(
            score=When_(
                When(covers_topic=True, covers_ward=True, then=Value(3)),
                When(covers_topic=True, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .prefetch_related("topics", "wards")
        .order_by("-score", "name", "id")
    )
    officers: list[Officer] = list(qs[:limit])
    labels = {3: "category_and_ward", 2: "category", 1: "ward"}
    for officer in officers:
        officer.match = labels[officer.score]  # type: ignore[attr-defined]
    return officers
