from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from billing.models import Licence, LicenceState, LicenceTransition
from core.errors import ApplicationError
from tenants.models import Council


class SeatCapReached(ApplicationError):
    status_code = 409
    code = "seat_cap_reached"


@transaction.atomic
def licence_start_trial(*, council: Council, days: int, seats: int, actor: str) -> Licence:
    licence = Licence.objects.create(
        council=council,
        state=LicenceState.TRIAL,
        trial_ends_at=timezone.now() + timedelta(days=days),
        seats=seats,
    )
    LicenceTransition.objects.create(
        licence=licence,
        from_state="",
        to_state=LicenceState.TRIAL,
        actor=actor,
        reason=f"{days}-day trial with {seats} councillor seats",
    )
    return licence


def licence_assert_seat_available(*, schema_name: str) -> None:
    """Refuse a new councillor when the council's licence has no free seat."""
    from accounts.selectors import user_count_councillors

    licence = Licence.objects.filter(council__schema_name=schema_name).first()
    if licence is None:
        return
    used = user_count_councillors()
    if used >= licence.seats:
        raise SeatCapReached(
            f"All {licence.seats} councillor seats on this council's licence are in use. "
            "Ask the central body to add seats, or deactivate a councillor first."
        )
