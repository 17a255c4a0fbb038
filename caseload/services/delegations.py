"""Writes for delegations: which Members' Services staff act for which councillor.

A delegation is the councillor's to give (issue 14): an admin, or the staff member
themselves, may only PROPOSE one, and it grants nothing until the councillor confirms it
(`caseload.selectors.access` reads confirmed rows only). A councillor may also grant one
directly. The councillor declines a proposal; the councillor, the staff member or an admin
ends one. Every step is written to the audit log.

The councillor is emailed each proposal (who proposed it, for whom, and a link to confirm
or decline it on /delegations/), and whoever proposed it is emailed the councillor's answer:
a proposal nobody hears about waits for ever and gives the staff member nothing. The emails
are outbox rows written in the same transaction as the change (committed with it, gone with
it if the change is refused or rolled back); the outbox queues delivery on commit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.selectors import is_council_admin
from audit.models import AuditAction
from audit.services import audit_record
from caseload.models import Delegation
from caseload.services.permissions import assert_council_writable
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.links import current_council_url
from mailer.services import outbox_enqueue

# Where each person answers or follows a delegation (the council's own pages).
COUNCILLOR_DELEGATIONS_PATH = "/delegations/"
ADMIN_DELEGATIONS_PATH = "/admin-area/delegations/"


def _is_active(user: User, role: str) -> bool:
    return bool(user.is_active) and user.role == role


def _record(
    *,
    action: str,
    actor: User,
    delegation: Delegation,
    summary: str,
    request: HttpRequest | None,
) -> None:
    audit_record(
        action=action,
        actor=actor,
        subject=delegation.staff,
        summary=summary,
        detail={
            "delegation_id": delegation.pk,
            "staff_id": delegation.staff_id,
            "councillor_id": delegation.councillor_id,
            "councillor_name": delegation.councillor.name,
        },
        request=request,
    )


def _email(*, to: User, subject: str, body: str, kind: str, key: str) -> None:
    """One email about a delegation, to someone who can still sign in to act on it."""
    if not to.email or not to.is_active:
        return
    outbox_enqueue(
        to=[to.email],
        subject=f"{settings.PLATFORM_NAME}: {subject}",
        body_text=f"Dear {to.name},\n\n{body}",
        kind=kind,
        dedupe_key=key,
    )


def _notify_proposed(delegation: Delegation, *, proposer: User) -> None:
    """Ask the councillor to confirm or decline what `proposer` proposed."""
    staff, councillor = delegation.staff, delegation.councillor
    who = (
        f"{proposer.name}, for themselves,"
        if proposer.pk == staff.pk
        else f"{proposer.name} (an administrator)"
    )
    _email(
        to=councillor,
        subject=f"{staff.name} to act for you: please confirm or decline",
        body=(
            f"{who} proposed that {staff.name} of Members' Services act for you: see your "
            "cases and work on them on your behalf.\n\n"
            "It gives them nothing until you confirm it. Confirm or decline it here:\n"
            f"{current_council_url(COUNCILLOR_DELEGATIONS_PATH)}\n\n"
            "If you did not expect this, decline it and tell your administrator.\n"
        ),
        kind="delegation_proposed",
        key=f"delegation-proposed:{delegation.pk}",
    )


def _notify_answered(delegation: Delegation, *, confirmed: bool) -> None:
    """Tell whoever proposed the delegation the councillor's answer (not the councillor
    who granted it themselves: there was nobody to answer)."""
    proposer: User = delegation.granted_by
    staff, councillor = delegation.staff, delegation.councillor
    if proposer.pk == councillor.pk:
        return
    path = ADMIN_DELEGATIONS_PATH if is_council_admin(proposer) else COUNCILLOR_DELEGATIONS_PATH
    if confirmed:
        subject = f"{councillor.name} confirmed that {staff.name} acts for them"
        what = f"{councillor.name} confirmed your proposal: {staff.name} now acts for them."
    else:
        subject = f"{councillor.name} declined that {staff.name} act for them"
        what = (
            f"{councillor.name} declined your proposal that {staff.name} act for them; "
            "it gives no access."
        )
    verb = "confirmed" if confirmed else "declined"
    _email(
        to=proposer,
        subject=subject,
        body=f"{what}\n\nSee the council's delegations here:\n{current_council_url(path)}\n",
        kind=f"delegation_{verb}",
        key=f"delegation-{verb}:{delegation.pk}",
    )


@transaction.atomic
def delegation_propose(
    *, actor: User, staff: User, councillor: User, request: HttpRequest | None = None
) -> Delegation:
    """Propose that `staff` act for `councillor`, or grant it when `actor` is that councillor.

    - the councillor: granted at once (confirmed);
    - a council admin, or the staff member for themselves: a proposal the councillor must
      confirm (delegation_confirm); until then it gives no access.
    """
    assert_council_writable()
    is_councillor_self = actor.pk == councillor.pk and _is_active(actor, User.Role.COUNCILLOR)
    is_staff_self = actor.pk == staff.pk and _is_active(actor, User.Role.STAFF)
    if not (is_councillor_self or is_staff_self or is_council_admin(actor)):
        raise PermissionDenied(
            "A delegation is given by the councillor concerned; an administrator or the staff "
            "member may propose one for the councillor to confirm."
        )
    if not _is_active(staff, User.Role.STAFF):
        raise ValidationFailed(
            "Delegation is granted to active Members' Services staff.",
            extra={"staff": ["Not an active staff member."]},
        )
    if not _is_active(councillor, User.Role.COUNCILLOR):
        raise ValidationFailed(
            "Delegation is given by an active councillor.",
            extra={"councillor": ["Not an active councillor."]},
        )
    existing = Delegation.objects.filter(staff=staff, councillor=councillor).first()
    if existing is not None:
        if existing.confirmed_at is None:
            if is_councillor_self:
                # Granting what was proposed is confirming it.
                return delegation_confirm(actor=actor, delegation=existing, request=request)
            raise Conflict(
                f"{staff.name} acting for {councillor.name} is already proposed and waits "
                f"for {councillor.name} to confirm it."
            )
        raise Conflict(f"{staff.name} already acts for {councillor.name}.")
    delegation = Delegation.objects.create(
        staff=staff,
        councillor=councillor,
        granted_by=actor,
        confirmed_at=timezone.now() if is_councillor_self else None,
    )
    if is_councillor_self:
        _record(
            action=AuditAction.DELEGATION_GRANTED,
            actor=actor,
            delegation=delegation,
            summary=f"{councillor.name} let {staff.name} act for them.",
            request=request,
        )
    else:
        _record(
            action=AuditAction.DELEGATION_REQUESTED,
            actor=actor,
            delegation=delegation,
            summary=f"{actor.name} proposed that {staff.name} act for {councillor.name}; "
            "it gives no access until the councillor confirms it.",
            request=request,
        )
        _notify_proposed(delegation, proposer=actor)
    return delegation


def _require_councillor_of(actor: User, delegation: Delegation) -> None:
    if actor.pk != delegation.councillor_id or not _is_active(actor, User.Role.COUNCILLOR):
        raise PermissionDenied("Only the councillor concerned can confirm or decline this.")


def _locked(delegation: Delegation) -> Delegation:
    row = (
        Delegation.objects.select_for_update()
        .filter(pk=delegation.pk)
        .select_related("staff", "councillor")
        .first()
    )
    if row is None:
        raise NotFound(f"No delegation with id {delegation.pk}.")
    return row


@transaction.atomic
def delegation_confirm(
    *, actor: User, delegation: Delegation, request: HttpRequest | None = None
) -> Delegation:
    """The councillor confirms a proposal: from now on the staff member acts for them."""
    assert_council_writable()
    _require_councillor_of(actor, delegation)
    delegation = _locked(delegation)
    if delegation.confirmed_at is not None:
        return delegation  # confirming twice (a double click) changes nothing
    if not _is_active(delegation.staff, User.Role.STAFF):
        raise ValidationFailed(
            f"{delegation.staff.name} is no longer active Members' Services staff.",
            extra={"staff": ["Not an active staff member."]},
        )
    delegation.confirmed_at = timezone.now()
    delegation.save(update_fields=["confirmed_at"])
    _record(
        action=AuditAction.DELEGATION_GRANTED,
        actor=actor,
        delegation=delegation,
        summary=f"{actor.name} confirmed that {delegation.staff.name} acts for them.",
        request=request,
    )
    _notify_answered(delegation, confirmed=True)
    return delegation


@transaction.atomic
def delegation_decline(
    *, actor: User, delegation: Delegation, request: HttpRequest | None = None
) -> None:
    """The councillor turns a proposal down; it is removed (the audit log keeps the story)."""
    assert_council_writable()
    _require_councillor_of(actor, delegation)
    delegation = _locked(delegation)
    if delegation.confirmed_at is not None:
        raise Conflict(f"{delegation.staff.name} already acts for you; end the delegation instead.")
    _record(
        action=AuditAction.DELEGATION_DECLINED,
        actor=actor,
        delegation=delegation,
        summary=f"{actor.name} declined the proposal that {delegation.staff.name} act for them.",
        request=request,
    )
    _notify_answered(delegation, confirmed=False)
    delegation.delete()


@transaction.atomic
def delegation_revoke(
    *, actor: User, delegation: Delegation, request: HttpRequest | None = None
) -> None:
    """End a delegation (or withdraw a proposal): the councillor, the staff member, or an
    admin may; ending access never needs anyone's consent."""
    assert_council_writable()
    if not (
        is_council_admin(actor)
        or (actor.pk == delegation.councillor_id and actor.is_active)
        or (actor.pk == delegation.staff_id and actor.is_active)
    ):
        raise PermissionDenied("Only the councillor, the staff member or an admin can end this.")
    delegation = _locked(delegation)
    _record(
        action=AuditAction.DELEGATION_REVOKED,
        actor=actor,
        delegation=delegation,
        summary=f"{actor.name} withdrew the proposal that {delegation.staff.name} act for "
        f"{delegation.councillor.name}."
        if delegation.confirmed_at is None
        else f"{actor.name} ended {delegation.staff.name} acting for {delegation.councillor.name}.",
        request=request,
    )
    delegation.delete()
