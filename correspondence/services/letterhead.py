"""The council's letterhead for generated letters."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import User
from caseload.selectors import user_keeps_directory
from caseload.services import assert_council_writable
from core.errors import PermissionDenied, ValidationFailed
from correspondence.models import CorrespondenceSettings

_LIMITS = {"letterhead_name": 200, "phone": 40, "website": 200, "footer": 300, "address": 1000}


@transaction.atomic
def letterhead_update(*, actor: User, **changes: Any) -> CorrespondenceSettings:
    """Members' Services and admins set the name, address and contacts printed on letters."""
    assert_council_writable()
    if not user_keeps_directory(actor):
        raise PermissionDenied(
            "Only Members' Services staff and administrators set the letterhead."
        )
    unknown = set(changes) - {*_LIMITS, "email"}
    if unknown:
        raise ValidationFailed(f"Unknown letterhead fields: {', '.join(sorted(unknown))}.")
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for name, value in changes.items():
        value = (value or "").replace("\r\n", "\n").strip()
        if name == "email" and value:
            try:
                validate_email(value)
            except DjangoValidationError:
                errors[name] = [f"'{value}' is not a valid email address."]
        elif len(value) > _LIMITS.get(name, 254):
            errors[name] = [f"At most {_LIMITS[name]} characters."]
        clean[name] = value
    if errors:
        raise ValidationFailed("The letterhead has errors; see fields.", extra=errors)
    row, _ = CorrespondenceSettings.objects.select_for_update().get_or_create(pk=1)
    changed = [n for n, v in clean.items() if getattr(row, n) != v]
    for name in changed:
        setattr(row, name, clean[name])
    if changed:
        row.save(update_fields=[*changed, "updated_at"])
    return row
