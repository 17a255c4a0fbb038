from __future__ import annotations

from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import LoginEvent, User
from accounts.selectors import is_council_admin
from accounts.services.sessions import sign_out_everywhere
from audit.models import AuditAction
from audit.services import audit_record
from core.errors import Conflict, PermissionDenied, StateError, ValidationFailed
from core.tenancy import in_public_schema

ONLY_COUNCILLORS = "Only councillors have a ward"


@transaction.atomic
def user_create(
    *,
    email: str,
    name: str = "",
    role: str,
    password: str | None = None,
    ward: str = "",
    is_superuser: bool = False,
) -> User:
    """Add a user to the schema the connection is in (a council's, or public for central staff).

    With no password the account is created unusable until its owner sets one through a
    set-password link, which is how onboarding invites admins. A password given here must
    pass the validators (config.settings.security), whoever sets it. A council's licence (read-only,
    seat cap) is not this app's business: caseload.services.member_add applies it.
    """
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError as exc:
        raise ValidationFailed(f"'{email}' is not a valid email address.") from exc
    if role not in User.Role.values:
        raise ValidationFailed(
            f"Unknown role '{role}'; choose one of: {', '.join(User.Role.values)}."
        )
    if in_public_schema() and role != User.Role.CENTRAL:
        raise ValidationFailed("Only central body staff can be created on the platform site.")
    if not in_public_schema() and role == User.Role.CENTRAL:
        raise ValidationFailed("Central body staff belong to the platform site, not a council.")
    if ward.strip() and role != User.Role.COUNCILLOR:
        raise ValidationFailed(ONLY_COUNCILLORS, extra={"ward": [ONLY_COUNCILLORS]})
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(f"A user with email '{email}' already exists here.")

    user = User(
        email=email,
        name=name.strip() or email.split("@")[0],
        role=role,
        ward=ward.strip(),
        is_superuser=is_superuser,
    )
    if password:
        try:
            validate_password(password, user)
        except DjangoValidationError as exc:
            raise ValidationFailed(
                " ".join(exc.messages), extra={"password": exc.messages}
            ) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def _assert_council_admin(actor: User) -> None:
    if not is_council_admin(actor):
        raise PermissionDenied("Only the council's admins can change who can sign in.")


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Stop `user` signing in: a councillor who has left office, staff who moved on.

    Nothing of theirs is deleted: cases, history and constituents stay (casework protects
    its authors), delegations stay on record but no longer give access, and a councillor no
    longer counts against the seats. Every web session and API token of theirs ends for
    good: reactivating them later does not bring an old cookie back to life.
    """
    _assert_council_admin(actor)
    if user.pk == actor.pk:
        raise ValidationFailed("You cannot deactivate your own account: ask another admin.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise StateError(f"{user.name} is already deactivated.")
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    sign_out_everywhere(user=user, actor=actor)
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    """Let a deactivated user sign in again (a councillor re-elected, staff back from leave)."""
    _assert_council_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise StateError(f"{user.name} can already sign in.")
    user.is_active = True
    user.save(update_fields=["is_active", "updated_at"])
    return user


COUNCIL_ROLES = (User.Role.COUNCILLOR, User.Role.STAFF, User.Role.ADMIN)


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    name: str | None = None,
    email: str | None = None,
    role: str | None = None,
    ward: str | None = None,
) -> User:
    """Change a council user's name, email, role or ward (a by-election, a new job, a
    married name). Only what is given changes. The council's rules that need the licence or
    its wards (the seat cap, a councillor's ward) are caseload.services.member_update's; this
    keeps the account consistent: a valid email nobody else here has, a council role, a ward
    only for a councillor (a role away from councillor drops it), and no admin demoting
    themselves (the council would risk having none). A role change is written to the audit
    log."""
    _assert_council_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    changed: list[str] = []
    errors: dict[str, list[str]] = {}
    new_role = user.role if role is None else role
    if new_role not in COUNCIL_ROLES:
        errors["role"] = [f"Choose one of: {', '.join(str(r) for r in COUNCIL_ROLES)}."]
    elif new_role != user.role and user.pk == actor.pk:
        errors["role"] = ["You cannot change your own role: ask another admin."]
    if name is not None:
        if not name.strip():
            errors["name"] = ["Enter the person's name."]
        elif len(name.strip()) > 200:
            errors["name"] = ["At most 200 characters."]
    new_email = user.email if email is None else email.strip().lower()
    if new_email != user.email:
        try:
            validate_email(new_email)
        except DjangoValidationError:
            errors["email"] = [f"'{new_email}' is not a valid email address."]
        else:
            if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
                errors["email"] = [f"A user with email '{new_email}' already exists here."]
    new_ward = (user.ward if ward is None else ward).strip()
    if new_role != User.Role.COUNCILLOR:
        if ward is not None and ward.strip():
            errors["ward"] = [ONLY_COUNCILLORS]
        new_ward = ""
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, extra=errors)

    old_role = user.role
    for field, value in (
        ("name", name.strip() if name is not None else user.name),
        ("email", new_email),
        ("role", new_role),
        ("ward", new_ward),
    ):
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=[*changed, "updated_at"])
    if "role" in changed:
        audit_record(
            action=AuditAction.ROLE_CHANGED,
            actor=actor,
            subject=user,
            summary=f"{user.name}: {User.Role(old_role).label} to {user.get_role_display()}",
            detail={"from": old_role, "to": new_role, "ward": new_ward},
        )
    return user


def login_event_record(*, user: User, at: datetime | None = None) -> LoginEvent:
    """Note a sign-in for the adoption figures (console.services.figures). Allowed in a read-only
    (lapsed) council too: signing in to read and export must keep working there."""
    return LoginEvent.objects.create(user=user, at=at or timezone.now())
