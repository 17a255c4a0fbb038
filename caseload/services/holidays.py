"""Writes for the council's holidays (admins): local days, and Scottish defaults removed or
restored."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from accounts.models import User
from caseload.calendar import holiday_ensure_defaults
from caseload.models import (
    CouncilHoliday,
)
from caseload.services.permissions import (
    assert_council_writable,
    require_admin,
)
from core.errors import Conflict, ValidationFailed


@transaction.atomic
def holiday_add(*, actor: User, day: date, name: str) -> CouncilHoliday:
    """Add a local holiday (or restore a removed Scottish default on that date)."""
    assert_council_writable()
    require_admin(actor)
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise ValidationFailed("A holiday needs a name (up to 120 characters).")
    holiday_ensure_defaults([day.year])
    holiday = CouncilHoliday.objects.select_for_update().filter(date=day).first()
    if holiday is None:
        return CouncilHoliday.objects.create(
            date=day, name=name, source=CouncilHoliday.Source.LOCAL
        )
    if not holiday.is_removed:
        raise Conflict(f"{day:%d %b %Y} is already a holiday ({holiday.name}).")
    holiday.is_removed = False
    holiday.name = name
    holiday.save(update_fields=["is_removed", "name", "updated_at"])
    return holiday


@transaction.atomic
def holiday_remove(*, actor: User, holiday: CouncilHoliday) -> None:
    """Make a day a working day again. Defaults are kept as removed so they stay removed."""
    assert_council_writable()
    require_admin(actor)
    if holiday.source == CouncilHoliday.Source.LOCAL:
        holiday.delete()
        return
    holiday.is_removed = True
    holiday.save(update_fields=["is_removed", "updated_at"])
