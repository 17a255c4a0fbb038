"""The council's caseload settings (reference prefix, default referral target)."""

from __future__ import annotations

import re

from django.db import transaction

from accounts.models import User
from caseload.models import CaseloadSettings
from caseload.services.permissions import assert_council_writable, require_admin
from core.errors import ValidationFailed


@transaction.atomic
def caseload_settings_update(
    *,
    actor: User,
    reference_prefix: str | None = None,
    referral_target_days: int | None = None,
    auto_accept_extensions: bool | None = None,
) -> CaseloadSettings:
    """Admins change the reference prefix (new cases only), the default referral target, and
    whether officers' requests for more time are accepted without asking the councillor."""
    assert_council_writable()
    require_admin(actor)
    row = CaseloadSettings.objects.current()
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
    if auto_accept_extensions is not None:
        row.auto_accept_extensions = bool(auto_accept_extensions)
        fields.append("auto_accept_extensions")
    if fields:
        row.save(update_fields=[*fields, "updated_at"])
    return row
