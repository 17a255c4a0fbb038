"""The merge context: plain values (strings, dates, booleans) for a template's fields.

Nothing here hands a template a model instance: each field is copied out of the case, its
constituent, owner, referral and officer, and the council's letterhead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from caseload.models import Case, Referral
from caseload.selectors import caseload_settings_get, withhold_personal_details
from core.tenancy import current_schema
from correspondence.merge_fields import CONSTITUENT_PERSONAL_FIELDS, MERGE_FIELDS
from correspondence.models import CorrespondenceSettings
from correspondence.shared.models import Audience
from tenants.models import Council

Context = dict[str, dict[str, Any]]


def council_name() -> str:
    council = Council.objects.filter(schema_name=current_schema()).only("name").first()
    return council.name if council is not None else ""


def correspondence_settings_get() -> CorrespondenceSettings:
    """The letterhead settings; an unsaved default row when the council has set none. The
    logo's bytes are left in the database (up to 1 MB): `letterhead_logo_get` reads them."""
    return CorrespondenceSettings.objects.filter(pk=1).defer(
        "logo"
    ).first() or CorrespondenceSettings(pk=1)


def letterhead_logo_get() -> tuple[bytes, str] | None:
    """The letterhead's logo (bytes, content type), or None when it has none."""
    row = (
        CorrespondenceSettings.objects.filter(pk=1)
        .exclude(logo_content_type="")
        .values_list("logo", "logo_content_type")
        .first()
    )
    return (bytes(row[0]), row[1]) if row else None


def _council_fields() -> dict[str, Any]:
    letterhead = correspondence_settings_get()
    return {
        "name": letterhead.letterhead_name or council_name(),
        "address": letterhead.address,
        "phone": letterhead.phone,
        "email": letterhead.email,
        "website": letterhead.website,
    }


def merge_context(
    *,
    case: Case,
    audience: str,
    referral: Referral | None = None,
    reply_link: str = "",
    today: date | None = None,
) -> Context:
    """The values for `case` (with its constituent, owner, category and ward loaded).

    For anything addressed to an officer the constituent's personal details are blank unless
    they consented to share them, and the free text (title, description, referral note) is
    given with those details withheld.
    """
    constituent = case.constituent
    owner = case.owner
    share = audience == Audience.CONSTITUENT or constituent.consent_to_share
    constituent_fields: dict[str, Any] = {
        "name": constituent.name,
        "address": constituent.address,
        "postcode": constituent.postcode,
        "email": constituent.email,
        "phone": constituent.phone,
        "consent_to_share": constituent.consent_to_share,
    }

    def shown(text: str) -> str:
        return text if share else withhold_personal_details(text, constituent=constituent)

    if not share:
        constituent_fields.update(dict.fromkeys(CONSTITUENT_PERSONAL_FIELDS, ""))
    context: Context = {
        "constituent": constituent_fields,
        "case": {
            "reference": case.reference,
            "title": shown(case.title),
            "description": shown(case.description),
            "category": case.category.name if case.category else "",
            "ward": case.ward.name if case.ward else "",
            "status": case.get_status_display(),
            "priority": case.get_priority_display(),
            "opened_on": timezone.localdate(case.opened_at),
            "closed_on": timezone.localdate(case.closed_at) if case.closed_at else None,
            "outcome": case.get_outcome_display() if case.outcome else "",
        },
        "councillor": {"name": owner.name, "email": owner.email, "ward": owner.ward},
        "officer": dict.fromkeys(MERGE_FIELDS["officer"], ""),
        "referral": dict.fromkeys(MERGE_FIELDS["referral"], ""),
        "council": _council_fields(),
        "dates": {"today": today or timezone.localdate()},
    }
    if referral is not None:
        officer = referral.officer
        context["officer"] = {
            "name": officer.name,
            "job_title": officer.job_title,
            "service": officer.service,
            "email": officer.email,
            "phone": officer.phone,
        }
        context["referral"] = {
            "sent_on": timezone.localdate(referral.sent_at),
            "target_date": referral.target_date,
            "working_days": str(referral.working_days),
            "note": shown(referral.note),
            "reply_link": reply_link,
        }
    return context


def sample_context(*, today: date | None = None) -> Context:
    """Made-up values, labelled as such, to preview a template without a case (admins, who
    do not read casework, preview templates this way)."""
    today = today or timezone.localdate()
    prefix = caseload_settings_get().reference_prefix
    return {
        "constituent": {
            "name": "[Sample] Alex Constituent",
            "address": "1 Sample Street\nSampletown",
            "postcode": "KY1 1XX",
            "email": "alex@example.org",
            "phone": "01234 567890",
            "consent_to_share": True,
        },
        "case": {
            "reference": f"{prefix}-{today.year}-00042",
            "title": "[Sample] Broken streetlight outside number 1",
            "description": "[Sample] The streetlight has been out for two weeks.",
            "category": "Roads",
            "ward": "Sample Ward",
            "status": "Referred",
            "priority": "Normal",
            "opened_on": today,
            "closed_on": None,
            "outcome": "",
        },
        "councillor": {
            "name": "[Sample] Cllr Sam Member",
            "email": "sam.member@example.gov.uk",
            "ward": "Sample Ward",
        },
        "officer": {
            "name": "[Sample] Jo Officer",
            "job_title": "Team Leader",
            "service": "Roads and Lighting",
            "email": "jo.officer@example.gov.uk",
            "phone": "01234 000000",
        },
        "referral": {
            "sent_on": today,
            "target_date": today,
            "working_days": "10",
            "note": "[Sample] Please check the light and let me know when it is fixed.",
            "reply_link": "https://example.invalid/officer-reply/sample/",
        },
        "council": _council_fields(),
        "dates": {"today": today},
    }
