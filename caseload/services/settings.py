"""The council's caseload settings (reference prefix, default referral target)."""

from __future__ import annotations

import re

from django.db import transaction

from accounts.models import User
from caseload.models import CaseloadSettings
from caseload.services.guards import assert_council_writable, require_admin
from core.errors import ValidationFailed
from core.tenancy import current_schema

_STOP_WORDS = {"and", "of", "the"}


def reference_prefix_for_slug(slug: str) -> str:
    """'fife' -> 'FIFE'; 'north-lanarkshire' -> 'NL'; 'dumfries-and-galloway' -> 'DG'.

    One-word councils keep their name (up to 12 letters); longer names use initials.
    """
    words = [w for w in re.split(r"[-_\s]+", slug.lower()) if w and w not in _STOP_WORDS]
    if not words:
        return "CASE"
    if len(words) == 1:
        prefix = re.sub(r"[^A-Z0-9]", "", words[0].upper())[:12]
    else:
        prefix = "".join(w[0] for w in words).upper()
    return prefix if len(prefix) >= 2 else (prefix + "CC")[:2]


def caseload_settings_ensure() -> CaseloadSettings:
    """Create the settings row from the council's slug if missing (idempotent)."""
    from tenants.models import Council

    council = Council.objects.filter(schema_name=current_schema()).first()
    prefix = reference_prefix_for_slug(council.slug if council else current_schema())
    row, _ = CaseloadSettings.objects.get_or_create(pk=1, defaults={"reference_prefix": prefix})
    return row


@transaction.atomic
def caseload_settings_update(
    *,
    actor: User,
    reference_prefix: str | None = None,
    referral_target_days: int | None = None,
) -> CaseloadSettings:
    """Admins change the reference prefix (new cases only) and default referral target."""
    assert_council_writable()
    require_admin(actor)
    row = caseload_settings_ensure()
    fields = []
    if reference_prefix is not None:
        prefix = reference_prefix.strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{2,12}", prefix):
            raise ValidationFailed(
                "The reference prefix is 2 to 12 letters or digits, such as FIFE.",
                extra={"reference_prefix": ["2-12 letters or digits."]},
            )
        row.reference_prefix = prefix
        fields.append("reference_prefix")
    if referral_target_days is not None:
        if not 1 <= referral_target_days <= 60:
            raise ValidationFailed(
                "The default referral target is between 1 and 60 working days.",
                extra={"referral_target_days": ["Between 1 and 60."]},
            )
        row.referral_target_days = referral_target_days
        fields.append("referral_target_days")
    if fields:
        row.save(update_fields=[*fields, "updated_at"])
    return row
