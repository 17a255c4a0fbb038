"""May this actor do this? The checks every caseload write starts with: the council's
licence (billing's rule), the actor's role, and the right to change a case."""

from __future__ import annotations

from accounts.models import User
from accounts.selectors import is_council_admin
from billing.services import licence_assert_writable
from caseload.models import Case
from caseload.selectors.access import (
    case_can_change,
    case_visible_q,
    user_does_casework,
    user_keeps_directory,
)
from core.errors import NotFound, PermissionDenied
from core.tenancy import current_schema


def assert_council_writable() -> None:
    """Refuse writes when the council's licence is read-only (lapsed or cancelled): billing
    owns the rule. Every caseload write service calls this first."""
    licence_assert_writable(schema_name=current_schema())


def require_admin(actor: User) -> None:
    if not is_council_admin(actor):
        raise PermissionDenied("Only a council administrator can do this.")


def require_directory_keeper(actor: User) -> None:
    if not user_keeps_directory(actor):
        raise PermissionDenied(
            "Only Members' Services staff and council administrators keep the officer directory."
        )


def require_casework(actor: User) -> None:
    if not user_does_casework(actor):
        raise PermissionDenied(
            "Only councillors and the Members' Services staff who support them handle cases."
        )


def assert_can_change_case(*, actor: User, case: Case) -> None:
    """Owner and their delegated staff may change a case. Others get 404 if they cannot see
    it (never revealing it exists) and 403 if it is only shared with them."""
    if case_can_change(actor, case):
        return
    if Case.objects.filter(case_visible_q(actor), pk=case.pk).exists():
        raise PermissionDenied(
            "This case is shared with you to read. Only its owner and the staff who support "
            "them can change it."
        )
    raise NotFound(f"No case with id {case.pk}.")
