"""Who can sign in to the council: adding, changing, deactivating and reactivating its users.

accounts owns users and knows nothing of licences; billing owns the licence rules. These
services sit above both and apply them together: nothing is added or changed in a
read-only council, and a councillor needs a free seat on the licence (when added, and when
let back in, and when someone's role becomes councillor), and a councillor an admin adds
or changes sits for one of the council's wards.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from accounts.services import user_create, user_deactivate, user_reactivate, user_update
from audit.models import AuditAction
from audit.services import audit_record
from billing.services import licence_assert_seat_available
from caseload.models import Ward
from caseload.services.permissions import assert_council_writable, require_admin
from core.errors import StateError, ValidationFailed
from core.tenancy import current_schema

# Who may be the council's data protection officer: someone of the council who does not
# hold casework of their own (a councillor is a controller of their casework, not its DPO).
DPO_ROLES = (User.Role.STAFF, User.Role.ADMIN)


def _assert_seat_for(role: str) -> None:
    if role == User.Role.COUNCILLOR:
        licence_assert_seat_available(schema_name=current_schema())


def _assert_councillor_ward(*, role: str, ward: str) -> None:
    """A councillor represents a ward: one of the council's current wards. (Platform
    commands such as create_member may still add one without, as their contract allows;
    an admin then gives the ward on the user's page.)"""
    if role != User.Role.COUNCILLOR:
        return
    ward = ward.strip()
    if not ward:
        message = "A councillor must have a ward: choose the ward they represent."
        if not Ward.objects.filter(is_current=True).exists():
            message += " Add the council's wards first (Admin area, Wards)."
        raise ValidationFailed(message, extra={"ward": [message]})
    if not Ward.objects.filter(name=ward, is_current=True).exists():
        message = f"'{ward}' is not one of the council's wards: choose one from the list."
        raise ValidationFailed(message, extra={"ward": [message]})


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
    if actor is not None:
        _assert_councillor_ward(role=role, ward=ward)
    user = user_create(
        email=email,
        name=name,
        role=role,
        password=password,
        ward=ward,
    )
    audit_record(
        action=AuditAction.USER_ADDED,
        actor=actor,
        subject=user,
        summary=f"{actor.name if actor else 'The platform'} added {user.name} "
        f"as {user.get_role_display().lower()}",
        detail={"role": role, "email": user.email, "ward": user.ward},
    )
    return user


@transaction.atomic
def member_update(
    *,
    actor: User,
    user: User,
    name: str | None = None,
    email: str | None = None,
    role: str | None = None,
    ward: str | None = None,
) -> User:
    """Change a user's name, email, role or ward (accounts.services.user_update keeps the
    account consistent and audits a role change). An active user whose role becomes
    councillor takes a licence seat, so needs a free one, as when added; a councillor,
    whether made one now or given a new ward, needs one of the council's wards."""
    require_admin(actor)
    assert_council_writable()
    new_role = user.role if role is None else role
    if new_role == User.Role.COUNCILLOR:
        new_ward = user.ward if ward is None else ward
        if new_role != user.role or ward is not None or not user.ward:
            _assert_councillor_ward(role=new_role, ward=new_ward)
        if user.role != User.Role.COUNCILLOR and user.is_active:
            _assert_seat_for(new_role)
    return user_update(actor=actor, user=user, name=name, email=email, role=role, ward=ward)


@transaction.atomic
def member_deactivate(*, actor: User, user: User) -> User:
    """Stop `user` signing in (accounts.services.user_deactivate says what that keeps and
    ends); a councillor's licence seat is freed at once."""
    assert_council_writable()
    user = user_deactivate(actor=actor, user=user)
    audit_record(
        action=AuditAction.USER_DEACTIVATED,
        actor=actor,
        subject=user,
        summary=f"{actor.name} deactivated {user.name}",
        detail={"role": user.role},
    )
    return user


@transaction.atomic
def member_reactivate(*, actor: User, user: User) -> User:
    """Let a deactivated user sign in again; a councillor needs a free seat, as when added."""
    assert_council_writable()
    if user.role == User.Role.COUNCILLOR and not user.is_active:
        _assert_seat_for(user.role)
    user = user_reactivate(actor=actor, user=user)
    audit_record(
        action=AuditAction.USER_REACTIVATED,
        actor=actor,
        subject=user,
        summary=f"{actor.name} reactivated {user.name}",
        detail={"role": user.role},
    )
    return user


@transaction.atomic
def member_set_data_protection_officer(*, actor: User, user: User, granted: bool) -> User:
    """Make `user` (staff or an admin) the council's data protection officer, who may search
    its audit log, or end it. A council admin does it, and it is written to the audit log as
    a change of what the user may do."""
    require_admin(actor)
    assert_council_writable()
    user = User.objects.select_for_update().get(pk=user.pk)
    if granted and user.role not in DPO_ROLES:
        raise ValidationFailed(
            "The data protection officer is a Members' Services staff member or an "
            "administrator, not a councillor.",
            extra={"granted": ["Not staff or an administrator."]},
        )
    if granted and not user.is_active:
        raise ValidationFailed(
            f"{user.name} cannot sign in; reactivate them first.",
            extra={"granted": ["Deactivated."]},
        )
    if user.is_data_protection_officer == granted:
        raise StateError(
            f"{user.name} is already the data protection officer."
            if granted
            else f"{user.name} is not the data protection officer."
        )
    user.is_data_protection_officer = granted
    user.save(update_fields=["is_data_protection_officer", "updated_at"])
    audit_record(
        action=AuditAction.ROLE_CHANGED,
        actor=actor,
        subject=user,
        summary=f"{actor.name} {'made' if granted else 'ended'} {user.name}"
        f"{' the' if granted else ' as'} data protection officer",
        detail={
            "permission": "data_protection_officer",
            "from": not granted,
            "to": granted,
            "role": user.role,
        },
    )
    return user
