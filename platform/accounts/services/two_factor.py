"""Second factors (django-otp): an authenticator app (TOTP) with one-time recovery codes,
the council's policy, and an admin's reset."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SignInPolicy, User
from accounts.selectors import (
    ALWAYS_TWO_FACTOR,
    has_second_factor,
    is_council_admin,
    sign_in_policy_get,
    two_factor_required,
)
from accounts.services.notices import security_notice
from accounts.services.sessions import sign_out_everywhere
from accounts.signals import account_security_event
from audit.models import AuditAction
from audit.services import audit_record
from core.errors import PermissionDenied, StateError, ValidationFailed
from core.tenancy import in_public_schema

APP_NAME = "Authenticator app"
CODES_NAME = "Recovery codes"
PENDING_MINUTES = 15


def _digits(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


@transaction.atomic
def totp_start(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator-app device to show as a QR code. Reuses the one made in
    the last PENDING_MINUTES (a page reload shows the same code); older ones are dropped."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False)
    fresh_since = timezone.now() - timedelta(minutes=PENDING_MINUTES)
    pending.filter(created_at__lt=fresh_since).delete()
    device = pending.order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(int(settings.ACCOUNTS_RECOVERY_CODES))]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def totp_confirm(*, user: User, device_id: int, code: str) -> list[str]:
    """Confirm the pending app with a code it shows: it replaces any earlier app, a new set
    of recovery codes is made (returned: shown once), and every other session of the user
    ends (one signed in before the second factor existed must not outlive it)."""
    device = TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()
    if device is None:
        raise StateError("This set-up has expired. Scan the new code shown on the page.")
    if not device.verify_token(_digits(code)):
        raise ValidationFailed(
            "That code is wrong. Enter the 6-digit code your app shows now.",
            extra={"code": ["Wrong code."]},
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    sign_out_everywhere(user=user, record=False)
    security_notice(user=user, what="Two-factor sign-in was set up")
    account_security_event.send(
        sender=User, actor=user, user=user, action="two_factor_enabled", detail=APP_NAME
    )
    return codes


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    if not has_second_factor(user):
        raise StateError("Set up an authenticator app first; recovery codes come with it.")
    codes = _new_recovery_codes(user)
    account_security_event.send(
        sender=User, actor=user, user=user, action="recovery_codes_replaced", detail=""
    )
    return codes


def two_factor_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` (a 6-digit app code, or a recovery code, which then
    stops working), or None. django-otp throttles each device: after a wrong code, the
    next is refused for 1, 2, 4, 8... seconds whatever it is."""
    token = _digits(code)
    if not token:
        return None
    with transaction.atomic():
        candidates: list[Device] = []
        if token.isdigit() and len(token) == 6:
            candidates += list(
                TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            )
        else:
            candidates += list(
                StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            )
        for device in candidates:
            if device.verify_token(token.lower() if isinstance(device, StaticDevice) else token):
                return device
    return None


@transaction.atomic
def two_factor_remove_own(*, user: User) -> None:
    if two_factor_required(user):
        raise PermissionDenied(
            "Your account must use two-factor sign-in. You can set up a new app instead."
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    security_notice(user=user, what="Two-factor sign-in was turned off")
    account_security_event.send(
        sender=User, actor=user, user=user, action="two_factor_removed", detail=""
    )


def assert_may_manage_sign_in(*, actor: User, user: User) -> None:
    """Who may unlock an account or reset its second factor: a council's admins for that
    council's users; central staff for central staff (on the central body's site). Never
    oneself: a second person confirms who is asking."""
    if in_public_schema():
        allowed = actor.is_active and actor.role == User.Role.CENTRAL and user.is_central
    else:
        allowed = is_council_admin(actor) and not user.is_central
    if not allowed:
        raise PermissionDenied("Only an administrator can do this for another user.")
    if actor.pk == user.pk:
        raise PermissionDenied("Ask another administrator to do this for your account.")


@transaction.atomic
def two_factor_reset(*, actor: User, user: User, reason: str = "") -> None:
    """An admin removes `user`'s second factor (a lost phone, no recovery codes left): every
    session and token of theirs ends, they are told by email, and the next sign-in asks
    them to set up a new app (if one is required)."""
    assert_may_manage_sign_in(actor=actor, user=user)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    if not removed:
        raise StateError(f"{user.name} has no second factor to reset.")
    sign_out_everywhere(user=user, actor=actor, record=False)
    security_notice(user=user, what=f"Your two-factor sign-in was reset by {actor.name}")
    audit_record(
        action=AuditAction.SECOND_FACTOR_RESET,
        actor=actor,
        subject=user,
        summary=f"{actor.name} reset {user.name}'s two-factor sign-in",
        detail={"reason": reason.strip()[:500]},
    )
    account_security_event.send(
        sender=User,
        actor=actor,
        user=user,
        action="two_factor_reset",
        detail=reason.strip()[:500],
    )


@transaction.atomic
def sign_in_policy_update(*, actor: User, require_two_factor: bool) -> SignInPolicy:
    """A council admin requires a second factor of everyone (or only of admins, as always).
    Turning it on ends the sessions and tokens of everyone without one, so each is asked
    to set one up at their next sign-in."""
    if not is_council_admin(actor):
        raise PermissionDenied("Only the council's admins can change how its users sign in.")
    policy = sign_in_policy_get()
    if policy.require_two_factor == require_two_factor and policy.pk and policy.created_at:
        return policy
    policy.require_two_factor = require_two_factor
    policy.changed_by = actor
    policy.save()
    if require_two_factor:
        enrolled = TOTPDevice.objects.filter(confirmed=True).values("user_id")
        for user in User.objects.filter(is_active=True).exclude(pk__in=enrolled):
            if user.role not in ALWAYS_TWO_FACTOR:
                sign_out_everywhere(user=user, actor=actor, record=False)
    account_security_event.send(
        sender=User,
        actor=actor,
        user=None,
        action="two_factor_policy_changed",
        detail="required for everyone" if require_two_factor else "required for admins only",
    )
    return policy
