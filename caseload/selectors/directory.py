"""Reads of the council's reference data: officers, categories, wards, holidays, delegations,
settings. Everyone in the council may read these; who may change them is in the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case as When_
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from accounts.models import User
from accounts.selectors import is_council_admin
from caseload.calendar import holiday_ensure_defaults
from caseload.models import (
    CaseloadSettings,
    Category,
    CouncilHoliday,
    Delegation,
    Officer,
    PostcodeUpload,
    PostcodeWard,
    Ward,
)
from caseload.normalise import normalise_postcode
from caseload.selectors.access import acting_for_ids
from core.errors import NotFound


# --- Officers ---------------------------------------------------------------------------------
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


# --- Categories, wards, postcodes -------------------------------------------------------------
def category_list(*, include_inactive: bool = False) -> QuerySet[Category]:
    qs = Category.objects.all()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("name")


def category_get(*, category_id: int | str) -> Category:
    try:
        return Category.objects.get(pk=int(category_id))
    except (TypeError, ValueError, Category.DoesNotExist):
        raise NotFound(f"No category with id {category_id!s}.") from None


def ward_list(*, current_only: bool = False) -> QuerySet[Ward]:
    qs = Ward.objects.all()
    if current_only:
        qs = qs.filter(is_current=True)
    return qs.order_by("name")


def ward_get(*, ward_id: int | str) -> Ward:
    try:
        return Ward.objects.get(pk=int(ward_id))
    except (TypeError, ValueError, Ward.DoesNotExist):
        raise NotFound(f"No ward with id {ward_id!s}.") from None


def ward_for_postcode(postcode: str) -> Ward | None:
    """The ward the council's postcode table gives for `postcode`, if any."""
    key = normalise_postcode(postcode)
    if not key:
        return None
    row = PostcodeWard.objects.select_related("ward").filter(postcode=key).first()
    return row.ward if row else None


def ward_for_user(user: User) -> Ward | None:
    """The Ward a councillor sits for (accounts.User.ward holds its name)."""
    if not user.ward:
        return None
    return Ward.objects.filter(name__iexact=user.ward).first()


def postcode_upload_list() -> QuerySet[PostcodeUpload]:
    return PostcodeUpload.objects.select_related("uploaded_by").order_by("-created_at", "-id")


# --- Holidays ---------------------------------------------------------------------------------
def holiday_list(*, year: int, include_removed: bool = False) -> QuerySet[CouncilHoliday]:
    """The council's holidays in `year` (Scottish defaults seeded on first look)."""
    holiday_ensure_defaults([year])
    qs = CouncilHoliday.objects.filter(date__year=year)
    if not include_removed:
        qs = qs.filter(is_removed=False)
    return qs.order_by("date")


def holiday_get(*, holiday_id: int | str) -> CouncilHoliday:
    try:
        return CouncilHoliday.objects.get(pk=int(holiday_id))
    except (TypeError, ValueError, CouncilHoliday.DoesNotExist):
        raise NotFound(f"No holiday with id {holiday_id!s}.") from None


def holidays_between(start: date, end: date) -> list[date]:
    return list(
        CouncilHoliday.objects.filter(date__range=(start, end), is_removed=False).values_list(
            "date", flat=True
        )
    )


# --- People: delegations, colleagues ----------------------------------------------------------
def delegation_list(*, user: User) -> QuerySet[Delegation]:
    """Admins see every delegation; staff the ones they hold; councillors the ones they gave."""
    qs = Delegation.objects.select_related("staff", "councillor", "granted_by")
    if is_council_admin(user):
        return qs
    return qs.filter(Q(staff_id=user.pk) | Q(councillor_id=user.pk))


def delegation_get(*, delegation_id: int | str) -> Delegation:
    try:
        return Delegation.objects.select_related("staff", "councillor").get(pk=int(delegation_id))
    except (TypeError, ValueError, Delegation.DoesNotExist):
        raise NotFound(f"No delegation with id {delegation_id!s}.") from None


def owner_choices_for_user(*, user: User) -> QuerySet[User]:
    """Councillors `user` may open a case for: themselves, or those who delegated to them."""
    return User.objects.filter(
        pk__in=acting_for_ids(user), role=User.Role.COUNCILLOR, is_active=True
    ).order_by("name")


def share_candidates_for_user(*, user: User) -> QuerySet[User]:
    """Colleagues a case can be shared with by name: the council's other active councillors."""
    return (
        User.objects.filter(role=User.Role.COUNCILLOR, is_active=True)
        .exclude(pk=user.pk)
        .order_by("name")
    )


def ward_colleagues_for_user(*, user: User) -> QuerySet[User]:
    """The other councillors of `user`'s ward (who see cases shared with "my ward")."""
    if not user.ward:
        return User.objects.none()
    return share_candidates_for_user(user=user).filter(ward=user.ward)


# --- Settings ---------------------------------------------------------------------------------
def caseload_settings_get() -> CaseloadSettings:
    """The council's caseload settings row, made with defaults on first use."""
    return CaseloadSettings.objects.current()
