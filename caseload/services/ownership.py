"""Whose is it? Who owns a new case or constituent, and whom a staff member acts for."""

from __future__ import annotations

from accounts.models import User
from caseload.selectors.access import acting_for_ids
from caseload.services.permissions import require_casework
from core.errors import PermissionDenied, ValidationFailed


def new_case_owner(*, actor: User, owner: User | None) -> User:
    """The councillor a new case or constituent belongs to.

    A councillor always owns what they create. Staff name the councillor they act for (or
    get the only one who delegated to them).
    """
    require_casework(actor)
    allowed = acting_for_ids(actor)
    if actor.role == User.Role.COUNCILLOR:
        if owner is not None and owner.pk != actor.pk:
            raise PermissionDenied("A councillor can only open cases in their own name.")
        return actor
    if owner is None:
        if len(allowed) == 1:
            return User.objects.get(pk=allowed[0])
        if not allowed:
            raise PermissionDenied(
                "You do not act for any councillor yet: a councillor must delegate to you."
            )
        raise ValidationFailed(
            "Say which councillor this is for (you support more than one).",
            extra={"owner": ["Required for staff who support several councillors."]},
        )
    if owner.pk not in allowed:
        raise PermissionDenied("You do not act for that councillor.")
    return owner


def on_behalf_of_for(*, actor: User, owner_id: int) -> int | None:
    """The councillor recorded as "on behalf of" when staff act; None when the owner acts."""
    return None if actor.pk == owner_id else owner_id
