"""Reads of constituents, scoped to the reader (see selectors.access.constituent_visible_q)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import User
from caseload.models import Case, Constituent
from caseload.normalise import normalise_email, normalise_phone, normalise_postcode
from caseload.selectors.access import case_visible_q, constituent_visible_q
from caseload.selectors.cases import case_base_queryset
from core.errors import NotFound


def constituent_list_for_user(*, user: User, q: str = "") -> QuerySet[Constituent]:
    """Constituents `user` may read, by name; `q` narrows like constituent_lookup."""
    qs = Constituent.objects.filter(constituent_visible_q(user)).select_related("ward")
    if q.strip():
        qs = qs.filter(_lookup_q(q))
    return qs.order_by("name", "id")


def _lookup_q(q: str) -> Q:
    text = q.strip()
    match = Q(name__icontains=text)
    postcode = normalise_postcode(text)
    if 2 <= len(postcode) <= 8:
        match |= Q(postcode_normalised__startswith=postcode)
    if "@" in text:
        match |= Q(email=normalise_email(text))
    phone = normalise_phone(text)
    if len(phone) >= 6:
        match |= Q(phone_normalised=phone)
    return match


def constituent_lookup(*, user: User, q: str, limit: int = 20) -> list[Constituent]:
    """Surgery-mode lookup: visible constituents whose name contains `q`, or whose postcode
    starts with it, or whose email / phone equals it. At most `limit` results."""
    if not q.strip():
        return []
    return list(constituent_list_for_user(user=user, q=q)[:limit])


def constituent_get_for_user(*, user: User, constituent_id: int | str) -> Constituent:
    """One constituent `user` may read, or NotFound (same for invisible and missing)."""
    try:
        pk = int(constituent_id)
    except (TypeError, ValueError):
        raise NotFound(f"No constituent with id {constituent_id!s}.") from None
    constituent = (
        Constituent.objects.filter(constituent_visible_q(user), pk=pk)
        .select_related("ward")
        .first()
    )
    if constituent is None:
        raise NotFound(f"No constituent with id {pk}.")
    return constituent


def constituent_cases_for_user(*, user: User, constituent: Constituent) -> QuerySet[Case]:
    """The cases of one constituent that `user` may read, newest activity first."""
    return (
        case_base_queryset()
        .filter(case_visible_q(user), constituent_id=constituent.pk)
        .order_by("-updated_at", "-id")
    )


@dataclass(frozen=True)
class DuplicateMatch:
    """An existing constituent that looks like the one being entered, and why."""

    constituent: Constituent
    reasons: list[str]  # any of "email", "phone", "name_postcode"


def constituent_find_duplicates(
    *,
    user: User,
    name: str = "",
    postcode: str = "",
    email: str = "",
    phone: str = "",
    exclude_id: int | None = None,
) -> list[DuplicateMatch]:
    """Constituents `user` can see that share the email, the phone, or the name at the same
    postcode. Only visible records are compared, so a warning never reveals another
    councillor's constituents."""
    email_n = normalise_email(email)
    phone_n = normalise_phone(phone)
    postcode_n = normalise_postcode(postcode)
    name_n = " ".join(name.split()).lower()
    match = Q(pk__in=[])
    if email_n:
        match |= Q(email=email_n)
    if len(phone_n) >= 6:
        match |= Q(phone_normalised=phone_n)
    if name_n and postcode_n:
        match |= Q(name_lower=name_n, postcode_normalised=postcode_n)
    qs = (
        Constituent.objects.annotate(name_lower=Lower("name"))
        .filter(constituent_visible_q(user))
        .filter(match)
        .select_related("ward")
        .order_by("name", "id")
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    matches = []
    for constituent in qs[:20]:
        reasons = []
        if email_n and constituent.email == email_n:
            reasons.append("email")
        if len(phone_n) >= 6 and constituent.phone_normalised == phone_n:
            reasons.append("phone")
        if (
            name_n
            and postcode_n
            and " ".join(constituent.name.split()).lower() == name_n
            and constituent.postcode_normalised == postcode_n
        ):
            reasons.append("name_postcode")
        matches.append(DuplicateMatch(constituent=constituent, reasons=reasons))
    return matches
