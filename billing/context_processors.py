from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from accounts.selectors import is_council_admin
from billing.middleware import licence_for_request
from billing.models import LicenceState
from billing.services.licences import READ_ONLY_MESSAGES

TRIAL_WARNING_DAYS = 14


def licence_banner(request: HttpRequest) -> dict[str, Any]:
    """The licence banner for a council's pages, and `council_read_only`.

    Everyone sees the read-only banner; admins also see trial-ending and payment-overdue
    banners, since only they can act on them. `council_read_only` is true on a lapsed or
    cancelled council's pages: templates then offer no control that would change anything
    (no form would be accepted, and a person should not type into one to find that out).
    """
    council = getattr(request, "council", None)
    if council is None:
        return {}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    licence = licence_for_request(request)
    if licence is None:
        return {}
    banner: dict[str, Any] | None = None
    read_only = {"council_read_only": licence.is_read_only}
    now = timezone.now()
    if licence.is_read_only:
        banner = {
            "kind": "read_only",
            "title": "Read-only",
            "heading": f"{council.name}'s licence is {licence.get_state_display()}.",
            "message": READ_ONLY_MESSAGES[LicenceState(licence.state)],
        }
    elif is_council_admin(user):
        if licence.state == LicenceState.PAST_DUE and licence.past_due_since:
            until = licence.past_due_since + timedelta(days=settings.BILLING_PAST_DUE_GRACE_DAYS)
            banner = {
                "kind": "past_due",
                "title": "Payment overdue",
                "heading": "Your council's payment is overdue.",
                "message": (
                    f"Everything keeps working until {until:%d %B %Y}. After that the service "
                    "becomes read-only until the invoice is paid."
                ),
            }
        elif (
            licence.is_trial
            and licence.trial_ends_at
            and licence.trial_ends_at - now <= timedelta(days=TRIAL_WARNING_DAYS)
        ):
            days = max(0, (licence.trial_ends_at - now).days)
            banner = {
                "kind": "trial_ending",
                "title": "Trial ending",
                "heading": (
                    f"Your trial ends on {licence.trial_ends_at:%d %B %Y} "
                    f"({days} day{'s' if days != 1 else ''} left)."
                ),
                "message": (
                    "After that the service becomes read-only. Contact the central body to "
                    "convert to a paid licence; nothing is deleted."
                ),
            }
    if banner is None:
        return read_only
    return {
        **read_only,
        "licence_banner": banner,
        "licence_banner_for_admin": is_council_admin(user),
        "licence_banners_template": "billing/banner.html",
    }
