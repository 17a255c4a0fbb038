"""Signing in and out, written to the audit log of the schema signed in to (a council's, or
public for central staff): every sign-in (a web session or a new API token), every failed
one, every sign-out. A failed sign-in keeps the address as typed (the person's own
identifier, or a guess at someone's), never the password or code."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from accounts.services.users import login_event_record
from audit.models import AuditAction
from audit.services import audit_record

VIA = {"web": "on the web", "api_token": "for an API token"}


@transaction.atomic
def sign_in_record(*, user: User, via: str) -> None:
    """A sign-in that worked: the adoption figures' event (LoginEvent) and the audit entry."""
    login_event_record(user=user)
    audit_record(
        action=AuditAction.SIGN_IN,
        actor=user,
        summary=f"{user.name} signed in {VIA.get(via, via)}",
        detail={"via": via},
    )


@transaction.atomic
def sign_in_failed_record(*, email_typed: str, step: str, locked_out: bool = False) -> None:
    """A refused sign-in: a wrong password or second-factor code, a deactivated account, or
    one refused by the lockout. `step`: "password" or "second_factor"."""
    typed = (email_typed or "").strip()[:254]
    account = User.objects.filter(email__iexact=typed).first() if typed else None
    what = "wrong code" if step == "second_factor" else "wrong email or password"
    if locked_out:
        what = "locked out after too many failures"
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        actor=None,
        actor_email=typed,
        subject=account,
        summary=f"Failed sign-in as {typed or '(no email)'}: {what}",
        detail={"step": step, "locked_out": locked_out, "known_account": account is not None},
    )


@transaction.atomic
def sign_out_record(*, user: User, via: str) -> None:
    audit_record(
        action=AuditAction.SIGN_OUT,
        actor=user,
        summary=f"{user.name} signed out {VIA.get(via, via)}",
        detail={"via": via},
    )
