"""Signal receivers: thin, they hand over to services."""

from __future__ import annotations

from typing import Any

from caseload.models import Case, Referral
from reminders.services import bf_rules_apply


def referral_event_received(
    sender: Any, *, case: Case, event: str, referral: Referral, **kwargs: Any
) -> None:
    """caseload made, answered or extended a referral: apply the council's BF rules."""
    bf_rules_apply(case=case, event=event, referral=referral)
