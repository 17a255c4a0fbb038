"""Unlocking an account locked by failed sign-ins (django-axes)."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.db import transaction

from accounts.models import User
from accounts.selectors import lockout_status
from accounts.services.two_factor import assert_may_manage_sign_in
from accounts.signals import account_security_event
from audit.models import AuditAction
from audit.services import audit_record
from core.errors import StateError


@transaction.atomic
def lockout_clear(*, actor: User, user: User) -> int:
    """Forget the failed sign-ins recorded against `user`'s account in this schema, so they
    can try again at once (the lockout also ends by itself after SIGNIN_LOCKOUT_MINUTES).
    Failures counted against an address stay: they protect every account."""
    assert_may_manage_sign_in(actor=actor, user=user)
    status = lockout_status(email=user.email)
    if not status.failures:
        raise StateError(f"{user.name} has no failed sign-ins to clear.")
    cleared = int(axes_reset(username=user.email) or 0)
    audit_record(
        action=AuditAction.LOCKOUT_CLEARED,
        actor=actor,
        subject=user,
        summary=f"{actor.name} unlocked {user.name} after {status.failures} failed sign-ins",
        detail={"failures": status.failures},
    )
    account_security_event.send(
        sender=User,
        actor=actor,
        user=user,
        action="lockout_cleared",
        detail=f"{status.failures} failed sign-ins cleared",
    )
    return cleared
