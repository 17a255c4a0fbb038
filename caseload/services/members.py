"""Who can sign in to the council: adding, deactivating and reactivating its users.

accounts owns users and knows nothing of licences; billing owns the licence rules. These
services sit above both and apply them together: nothing is added or changed in a
read-only council, and a councillor needs a free seat on the licence (when added, and when
let back in).
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from accounts.services import user_create, user_deactivate, user_reactivate
from billing.services import licence_assert_seat_available
from caseload.services.permissions import assert_council_writable, require_admin
from core.tenancy import current_schema


def _assert_seat_for(role: str) -> None:
    if role == User.Role.COUNCILLOR:
        licence_assert_seat_available(schema_name=current_schema())


@transaction.atomic
def member_add(
    *,
    actor: User | None,
    email: str,
    role: str,
    name: str = "",
    password: str | None = None,
    ward: str = "",
) -> User:
    """Add a user to the council whose schema the connection is in. `actor` is the council
    admin doing it, or None for the platform itself (a command, provisioning, demo data).
    Without a password the account is unusable until its owner sets one."""
    if actor is not None:
        require_admin(actor)
    assert_council_writable()
    _assert_seat_for(role)
    return user_create(
        email=email,
        name=name,
        role=role,
        password=password,
        ward=ward,
    )


@transaction.atomic
def member_deactivate(*, actor: User, user: User) -> User:
    """Stop `user` signing in (accounts.services.user_deactivate says what that keeps and
    ends); a councillor's licence seat is freed at once."""
    assert_council_writable()
    return user_deactivate(actor=actor, user=user)


@transaction.atomic
def member_reactivate(*, actor: User, user: User) -> User:
    """Let a deactivated user sign in again; a councillor needs a free seat, as when added."""
    assert_council_writable()
    if user.role == User.Role.COUNCILLOR and not user.is_active:
        _assert_seat_for(user.role)
    return user_reactivate(actor=actor, user=user)
