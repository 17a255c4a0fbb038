"""Writes for constituents: create (with duplicate warnings) and update."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from caseload.models import Constituent, Ward
from caseload.normalise import (
    format_postcode,
    is_valid_postcode,
    normalise_email,
    normalise_phone,
    normalise_postcode,
)
from caseload.selectors.access import acting_for_ids, constituent_visible_q
from caseload.selectors.constituents import constituent_find_duplicates
from caseload.selectors.wards import ward_for_postcode
from caseload.services.ownership import new_case_owner
from caseload.services.permissions import assert_council_writable, require_casework
from caseload.services.search import case_refresh_search_vector
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class PossibleDuplicate(Conflict):
    """The new constituent matches known ones; resend with allow_duplicate to go ahead."""

    code = "possible_duplicate"


def _clean(
    *,
    name: str,
    address: str,
    postcode: str,
    phone: str,
    email: str,
    preferred_contact: str,
    consent_to_share: bool,
    consent_date: date | None,
    notes: str,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = ["A constituent needs a name."]
    elif len(name) > 200:
        errors["name"] = ["At most 200 characters."]
    email = normalise_email(email)
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["email"] = [f"'{email}' is not a valid email address."]
    phone = (phone or "").strip()
    phone_n = normalise_phone(phone)
    if phone and len(phone_n) < 6:
        errors["phone"] = ["A phone number needs at least 6 digits."]
    if len(phone) > 40:
        errors["phone"] = ["At most 40 characters."]
    postcode = (postcode or "").strip()
    if postcode and not is_valid_postcode(postcode):
        errors["postcode"] = [f"'{postcode}' is not a UK postcode (e.g. KY1 1XX)."]
    if preferred_contact not in Constituent.PreferredContact.values:
        errors["preferred_contact"] = [
            f"Choose one of: {', '.join(Constituent.PreferredContact.values)}."
        ]
    elif preferred_contact == Constituent.PreferredContact.EMAIL and not email:
        errors["preferred_contact"] = ["Email is preferred, so give an email address."]
    elif preferred_contact == Constituent.PreferredContact.PHONE and not phone:
        errors["preferred_contact"] = ["Phone is preferred, so give a phone number."]
    if consent_to_share and consent_date is None:
        consent_date = timezone.localdate()
    if consent_date and consent_date > timezone.localdate():
        errors["consent_date"] = ["Consent cannot be dated in the future."]
    if not consent_to_share:
        consent_date = None
    if errors:
        raise ValidationFailed("The constituent's details have errors; see fields.", extra=errors)
    return {
        "name": name,
        "address": (address or "").strip(),
        "postcode": format_postcode(postcode) if postcode else "",
        "postcode_normalised": normalise_postcode(postcode),
        "phone": phone,
        "phone_normalised": phone_n,
        "email": email,
        "preferred_contact": preferred_contact,
        "consent_to_share": consent_to_share,
        "consent_date": consent_date,
        "notes": (notes or "").strip(),
    }


def duplicates_as_data(matches: list) -> list[dict[str, Any]]:
    return [
        {
            "id": m.constituent.pk,
            "name": m.constituent.name,
            "postcode": m.constituent.postcode,
            "reasons": m.reasons,
        }
        for m in matches
    ]


@transaction.atomic
def constituent_create(
    *,
    actor: User,
    name: str,
    owner: User | None = None,
    address: str = "",
    postcode: str = "",
    phone: str = "",
    email: str = "",
    preferred_contact: str = Constituent.PreferredContact.ANY,
    consent_to_share: bool = False,
    consent_date: date | None = None,
    notes: str = "",
    ward: Ward | None = None,
    allow_duplicate: bool = False,
) -> Constituent:
    """Record a constituent for the councillor `actor` is (or acts for).

    The ward comes from the council's postcode table when the postcode is in it, else from
    `ward`. If the person looks like someone already known to `actor` (same email, same
    phone, or same name at the same postcode) this raises PossibleDuplicate listing the
    matches, unless `allow_duplicate` is True.
    """
    assert_council_writable()
    owner = new_case_owner(actor=actor, owner=owner)
    data = _clean(
        name=name,
        address=address,
        postcode=postcode,
        phone=phone,
        email=email,
        preferred_contact=preferred_contact,
        consent_to_share=consent_to_share,
        consent_date=consent_date,
        notes=notes,
    )
    if not allow_duplicate:
        _raise_if_duplicates(actor=actor, data=data)
    derived = ward_for_postcode(data["postcode"]) if data["postcode"] else None
    constituent = Constituent(owner=owner, created_by=actor, ward=derived or ward, **data)
    constituent.save()
    return constituent


def _raise_if_duplicates(
    *, actor: User, data: dict[str, Any], exclude_id: int | None = None
) -> None:
    """PossibleDuplicate when these details look like someone `actor` already knows (same
    email, same phone, or same name at the same postcode)."""
    matches = constituent_find_duplicates(
        user=actor,
        name=data["name"],
        postcode=data["postcode"],
        email=data["email"],
        phone=data["phone"],
        exclude_id=exclude_id,
    )
    if matches:
        raise PossibleDuplicate(
            f"{len(matches)} known constituent(s) match these details. Use one of them, "
            "or confirm this is a different person (allow_duplicate).",
            extra={"duplicates": duplicates_as_data(matches)},
        )


IDENTIFYING_FIELDS = frozenset({"name", "postcode", "email", "phone"})
# What a person edits on a constituent's record (the web form shows exactly these).
CONSTITUENT_DETAILS = (
    "name",
    "address",
    "postcode",
    "phone",
    "email",
    "preferred_contact",
    "consent_to_share",
    "notes",
)


@transaction.atomic
def constituent_update(
    *, actor: User, constituent: Constituent, allow_duplicate: bool = False, **changes: Any
) -> Constituent:
    """Change a constituent's details (only the owner's side may: the councillor or their
    staff). A new postcode re-derives the constituent's ward; their existing cases keep the
    ward they were opened in. Cases' search text follows a change of name.

    As when adding someone, details that identify a person (name, postcode, email, phone)
    that match another known constituent raise PossibleDuplicate unless `allow_duplicate`."""
    assert_council_writable()
    require_casework(actor)
    locked = Constituent.objects.select_for_update().filter(pk=constituent.pk).first()
    if (
        locked is None
        or not Constituent.objects.filter(constituent_visible_q(actor), pk=constituent.pk).exists()
    ):
        raise NotFound(f"No constituent with id {constituent.pk}.")
    if locked.owner_id not in acting_for_ids(actor):
        raise PermissionDenied(
            "Only the councillor who holds this constituent's record (or their staff) can "
            "change it."
        )
    allowed = {*CONSTITUENT_DETAILS, "consent_date", "ward"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(f"Cannot change: {', '.join(sorted(unknown))}.")
    current: dict[str, Any] = {
        field: getattr(locked, field) for field in (*CONSTITUENT_DETAILS, "consent_date")
    }
    if (
        changes.get("consent_to_share")
        and "consent_date" not in changes
        and not locked.consent_to_share
    ):
        current["consent_date"] = None  # newly given consent is dated today
    merged = {**current, **{k: v for k, v in changes.items() if k != "ward"}}
    data = _clean(**merged)
    if not allow_duplicate and IDENTIFYING_FIELDS & set(changes):
        _raise_if_duplicates(actor=actor, data=data, exclude_id=locked.pk)
    old_name = locked.name
    for key, value in data.items():
        setattr(locked, key, value)
    if "ward" in changes:
        locked.ward = changes["ward"]
    if data["postcode_normalised"] != normalise_postcode(current["postcode"]):
        derived = ward_for_postcode(data["postcode"]) if data["postcode"] else None
        if derived is not None:
            locked.ward = derived
    locked.save()
    if locked.name != old_name:
        case_refresh_search_vector(case_ids=list(locked.cases.values_list("pk", flat=True)))
    return locked
