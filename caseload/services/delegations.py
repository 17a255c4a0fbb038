"""Writes for delegations: which Members' Services staff act for which councillor (admins)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from caseload.models import (
    Delegation,
)
from caseload.services.permissions import (
    assert_council_writable,
    require_admin,
)
from core.errors import Conflict, NotFound, ValidationFailed


@transaction.atomic
def delegation_grant(*, actor: User, staff: User, councillor: User) -> Delegation:
    """Let a Members' Services staff member act for a councillor (admins only)."""
    assert_council_writable()
    require_admin(actor)
    if staff.role != User.Role.STAFF or not staff.is_active:
        raise ValidationFailed(
            "Delegation is granted to active Members' Services staff.",
            extra={"staff": ["Not an active staff member."]},
        )
    if councillor.role != User.Role.COUNCILLOR or not councillor.is_active:
        raise ValidationFailed(
            "Delegation is given by an active councillor.",
            extra={"councillor": ["Not an active councillor."]},
        )
    if Delegation.objects.filter(staff=staff, councillor=councillor).exists():
        raise Conflict(f"{staff.name} already acts for {councillor.name}.")
    return Delegation.objects.create(staff=staff, councillor=councillor, granted_by=actor)


@transaction.atomic
def delegation_revoke(*, actor: User, delegation: Delegation) -> None:
    assert_council_writable()
    require_admin(actor)
    if not Delegation.objects.filter(pk=delegation.pk).delete()[0]:
        raise NotFound(f"No delegation with id {delegation.pk}.")
