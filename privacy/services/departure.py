"""A councillor's departure (resignation, defeat at an election, death): every case they
hold, open or closed, gets one of three outcomes, chosen by a council admin, so that nothing
is left readable by no one and nothing is orphaned:

- HANDOVER to a ward colleague, with the constituent's consent to the handover recorded: the
  case, its constituent's record, its open BFs and its referrals go to the colleague;
- CLOSE (and apply retention): an open case is closed; a case no colleague takes over is
  anonymised at once, since its controller is leaving and nobody else may hold it;
- EXPORT to the departing councillor: their cases are emailed to their own address as one
  archive (JSON and the attached files), then anonymised here.

The admin decides by reference, category, ward and status: they never read the cases. A
case under a legal hold cannot be closed-and-anonymised or exported: it must be handed over.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from caseload.models import Action, Attachment, Case, Constituent, Referral
from caseload.services.permissions import assert_council_writable, require_admin
from core.errors import Conflict, ValidationFailed
from mailer.services import outbox_enqueue
from privacy.models import AnonymisedCase, LegalHold, RetentionRun
from privacy.services.retention import case_scrub, constituent_scrub
from reminders.models import BF

HANDOVER, CLOSE, EXPORT = "handover", "close", "export"
DECISIONS = (HANDOVER, CLOSE, EXPORT)


@dataclass(frozen=True)
class Decision:
    case_id: int
    decision: str
    to_user: User | None = None
    consent_recorded: bool = False


@dataclass
class DepartureResult:
    handed_over: int = 0
    closed: int = 0
    exported: int = 0
    anonymised: int = 0


def departing_cases(*, actor: User, councillor: User) -> list[Case]:
    """The cases still held by `councillor` and not anonymised, for the admin's choice."""
    require_admin(actor)
    return list(
        Case.objects.filter(owner=councillor)
        .exclude(anonymised__isnull=False)
        .select_related("category", "ward")
        .order_by("status", "id")
    )


def ward_colleagues(*, councillor: User) -> list[User]:
    if not councillor.ward:
        return []
    return list(
        User.objects.filter(role=User.Role.COUNCILLOR, is_active=True, ward=councillor.ward)
        .exclude(pk=councillor.pk)
        .order_by("name")
    )


def _validate(councillor: User, decisions: list[Decision], cases: dict[int, Case]) -> None:
    colleagues = {user.pk for user in ward_colleagues(councillor=councillor)}
    held = set(
        LegalHold.objects.filter(case_id__in=list(cases), lifted_at__isnull=True).values_list(
            "case_id", flat=True
        )
    )
    problems: dict[str, list[str]] = {}
    for item in decisions:
        case = cases.get(item.case_id)
        if case is None:
            problems.setdefault("cases", []).append(f"Case {item.case_id} is not theirs.")
            continue
        if item.decision not in DECISIONS:
            problems.setdefault(case.reference, []).append("Choose hand over, close or export.")
        elif item.decision == HANDOVER:
            if item.to_user is None or item.to_user.pk not in colleagues:
                problems.setdefault(case.reference, []).append(
                    "Hand over to an active councillor of the same ward."
                )
            if not item.consent_recorded:
                problems.setdefault(case.reference, []).append(
                    "Record that the constituent agreed to the handover."
                )
        elif case.pk in held:
            problems.setdefault(case.reference, []).append(
                "The case is under a legal hold: hand it over instead."
            )
    if problems:
        first = next(iter(problems.items()))
        raise ValidationFailed(f"{first[0]}: {first[1][0]}", extra=problems)


@transaction.atomic
def councillor_departure(
    *, actor: User, councillor: User, decisions: Iterable[Decision]
) -> DepartureResult:
    """Apply the admin's decisions to the departing councillor's cases (all in one
    transaction). Cases not mentioned are left with the councillor for a later round."""
    assert_council_writable()
    require_admin(actor)
    if councillor.role != User.Role.COUNCILLOR:
        raise ValidationFailed("Only a councillor's cases are handed on this way.")
    decisions = list(decisions)
    cases = {
        case.pk: case
        for case in Case.objects.select_for_update(of=("self",))
        .filter(owner=councillor, pk__in=[d.case_id for d in decisions])
        .exclude(Exists(AnonymisedCase.objects.filter(case=OuterRef("pk"))))
    }
    _validate(councillor, decisions, cases)
    result = DepartureResult()
    now = timezone.now()
    run: RetentionRun | None = None
    exports: list[Case] = []
    for item in decisions:
        case = cases[item.case_id]
        if item.decision == HANDOVER:
            assert item.to_user is not None
            _hand_over(actor=actor, case=case, from_user=councillor, to_user=item.to_user, at=now)
            result.handed_over += 1
            continue
        if case.status != Case.Status.CLOSED:
            _close(actor=actor, case=case, at=now)
            result.closed += 1
        if item.decision == EXPORT:
            exports.append(case)
    if exports:
        _email_archive(councillor=councillor, cases=exports)
        result.exported = len(exports)
    for item in decisions:
        if item.decision in (CLOSE, EXPORT):
            case = cases[item.case_id]
            if run is None:
                run = RetentionRun.objects.create(
                    status=RetentionRun.Status.FINISHED, finished_at=now
                )
            # Nobody will chase an anonymised case: its open BFs are ticked off.
            BF.objects.filter(case=case, done=False).update(done=True, done_at=now, done_by=actor)
            counts = case_scrub(case=case)
            AnonymisedCase.objects.create(
                case=case,
                run=run,
                anonymised_at=now,
                attachments_deleted=counts.attachments,
                emails_deleted=counts.emails,
            )
            result.anonymised += 1
    if run is not None:
        run.anonymised = result.anonymised
        run.save(update_fields=["anonymised", "updated_at"])
    _settle_constituents(councillor=councillor)
    audit_record(
        action=AuditAction.CASES_TRANSFERRED,
        actor=actor,
        subject=councillor,
        summary=f"{councillor.name} leaving: {result.handed_over} case(s) handed over, "
        f"{result.closed} closed, {result.exported} exported to them, "
        f"{result.anonymised} anonymised.",
        case_ids=[d.case_id for d in decisions],
        case_references=[cases[d.case_id].reference for d in decisions],
        detail={"departure": True, **result.__dict__},
    )
    return result


def _hand_over(*, actor: User, case: Case, from_user: User, to_user: User, at: datetime) -> None:
    case.owner = to_user
    case.save(update_fields=["owner", "updated_at"])
    # Open BFs of the departing councillor (or of staff acting for them) follow the case.
    BF.objects.filter(case=case, done=False).exclude(owner=to_user).update(owner=to_user)
    Action.objects.create(
        case=case,
        kind=Action.Kind.UPDATE,
        text=f"Case handed over from {from_user.name} to {to_user.name} on "
        f"{from_user.name}'s departure; the constituent agreed to the handover.",
        author=actor,
        occurred_at=at,
        data={
            "changes": {"owner": [from_user.pk, to_user.pk]},
            "via": "departure",
            "consent_to_handover": True,
        },
    )
    constituent = Constituent.objects.select_for_update().get(pk=case.constituent_id)
    if constituent.owner_id == from_user.pk:
        constituent.owner = to_user
        constituent.save(update_fields=["owner", "updated_at"])


def _close(*, actor: User, case: Case, at: datetime) -> None:
    # The closing goes straight to the row: the case's councillor is leaving, so the
    # casework service (which asks whether the actor may change the case) is not the path.
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED,
        outcome=Case.Outcome.WITHDRAWN,
        closed_at=at,
        updated_at=at,
    )
    case.refresh_from_db()
    Action.objects.create(
        case=case,
        kind=Action.Kind.STATUS_CHANGE,
        text="Closed on the councillor's departure.",
        author=actor,
        occurred_at=at,
        data={
            "from": "open",
            "to": Case.Status.CLOSED,
            "outcome": Case.Outcome.WITHDRAWN,
            "via": "departure",
        },
    )


def _settle_constituents(*, councillor: User) -> None:
    """A constituent record of the departing councillor keeps no one's details once none of
    their cases is held by anyone: emptied like an anonymised case's."""
    live = Case.objects.filter(
        constituent_id__in=Constituent.objects.filter(owner=councillor).values("pk")
    ).filter(anonymised__isnull=True)
    keep = set(live.values_list("constituent_id", flat=True))
    for constituent in Constituent.objects.filter(owner=councillor).exclude(pk__in=keep):
        if Case.objects.filter(constituent=constituent).exists():
            constituent_scrub(constituent=constituent)
    # Constituents still with a live case held by someone else move to that someone.
    for constituent in Constituent.objects.filter(owner=councillor, pk__in=keep):
        holder = (
            Case.objects.filter(constituent=constituent, anonymised__isnull=True)
            .exclude(owner=councillor)
            .values_list("owner_id", flat=True)
            .first()
        )
        if holder is not None:
            Constituent.objects.filter(pk=constituent.pk).update(owner_id=holder)


def _email_archive(*, councillor: User, cases: list[Case]) -> None:
    """The departing councillor's own casework, sent to their own address."""
    if not councillor.email:
        raise Conflict(f"{councillor.name} has no email address to send their cases to.")
    ids = [case.pk for case in cases]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        data = {
            "cases": list(
                Case.objects.filter(pk__in=ids).values(
                    "id",
                    "reference",
                    "title",
                    "description",
                    "status",
                    "outcome",
                    "opened_at",
                    "closed_at",
                    "category__name",
                    "ward__name",
                    "constituent_id",
                )
            ),
            "constituents": list(
                Constituent.objects.filter(cases__pk__in=ids)
                .distinct()
                .values("id", "name", "address", "postcode", "phone", "email", "notes")
            ),
            "history": list(
                Action.objects.filter(case_id__in=ids).values(
                    "case_id", "kind", "text", "occurred_at"
                )
            ),
            "referrals": list(
                Referral.objects.filter(case_id__in=ids).values(
                    "case_id", "officer__name", "note", "sent_at", "target_date", "replied_at"
                )
            ),
        }
        archive.writestr("cases.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2))
        for attachment in Attachment.objects.filter(case_id__in=ids).select_related("case"):
            with attachment.file.open("rb") as handle:
                archive.writestr(
                    f"attachments/{attachment.case.reference}/{attachment.pk}-"
                    f"{attachment.original_name}",
                    handle.read(),
                )
    outbox_enqueue(
        to=[councillor.email],
        subject=f"Your casework: {len(ids)} case(s)",
        body_text=(
            f"Dear {councillor.name},\n\nAs you leave the council, the cases you chose to keep "
            f"are attached ({len(ids)} case(s), with their history and files). They have been "
            "removed from the council's caseload service. You are their data controller: "
            "keep them securely and only as long as you need them.\n"
        ),
        attachments=[("casework.zip", buffer.getvalue(), "application/zip")],
        kind="departure_export",
        dedupe_key=f"departure:{councillor.pk}:{min(ids)}:{len(ids)}",
    )


@transaction.atomic
def ward_departure(
    *,
    actor: User,
    councillors: list[User],
    decision: str,
    to_user: User | None = None,
    consent_recorded: bool = False,
) -> DepartureResult:
    """After an election: one decision for every case of several departing councillors of a
    ward (for example all handed to the new member, or all closed)."""
    total = DepartureResult()
    for councillor in councillors:
        cases = departing_cases(actor=actor, councillor=councillor)
        done = councillor_departure(
            actor=actor,
            councillor=councillor,
            decisions=[
                Decision(
                    case_id=case.pk,
                    decision=decision,
                    to_user=to_user,
                    consent_recorded=consent_recorded,
                )
                for case in cases
            ],
        )
        for field in ("handed_over", "closed", "exported", "anonymised"):
            setattr(total, field, getattr(total, field) + getattr(done, field))
    return total


def nobody_can_read() -> list[int]:
    """Cases held by a councillor who cannot sign in and not anonymised: what a departure
    must leave empty (used by the departure page's warning and by the tests)."""
    return list(
        Case.objects.filter(Q(owner__is_active=False) | ~Q(owner__role=User.Role.COUNCILLOR))
        .filter(anonymised__isnull=True)
        .values_list("pk", flat=True)
    )
