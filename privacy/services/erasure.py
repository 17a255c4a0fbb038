"""Erasure and rectification of one constituent's personal data (UK GDPR arts. 16 and 17).

Erasure has two scopes. IDENTITY removes who the person is, wherever it was copied: the
constituent's record, their name, email, phone, postcode and address where they appear in
their cases' titles, descriptions, history, referral notes and BF reasons, inbound mail
about them or from their address, the outbox's copies of emails and letters to them, and
their cases' attachments (a photo or a scanned letter cannot be checked for identity, so
it goes). The cases stay, with what happened and when. EVERYTHING also empties the cases
as retention does. Both leave a record (`Erasure`) of who erased, how far and what was
touched, never who the person was.

Rectification corrects one detail on the record and, by choice, either replaces the old
value wherever it was copied or leaves the old texts as written and adds a correction
entry to each case's history (its history stays append-only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from caseload.models import Action, Attachment, Case, Constituent, Referral
from caseload.selectors.access import acting_for_ids, case_can_change
from caseload.services import case_refresh_search_vector, constituent_update
from caseload.services.permissions import assert_council_writable, require_casework
from core.errors import PermissionDenied, ValidationFailed
from correspondence.models import InboundEmail
from mailer.models import OutboundEmail
from privacy.models import AnonymisedCase, Erasure
from privacy.services.retention import (
    _scrub_data,
    case_scrub,
    constituent_scrub,
    files_delete_on_commit,
    inbound_scrub,
)
from reminders.models import BF

ERASED = "[erased]"
CORRECTABLE = ("name", "address", "postcode", "phone", "email")


def identifiers_of(constituent: Constituent) -> list[str]:
    """The strings that identify the person, longest first (so a full name is replaced
    before its parts). Very short fragments are left out: they would erase ordinary words."""
    found: set[str] = set()
    name = " ".join(constituent.name.split())
    if name:
        found.add(name)
        found.update(part for part in name.split() if len(part) >= 3)
    for value in (constituent.email, constituent.phone, constituent.postcode):
        if value and len(value.strip()) >= 4:
            found.add(value.strip())
    if constituent.phone_normalised and len(constituent.phone_normalised) >= 6:
        found.add(constituent.phone_normalised)
    if constituent.postcode_normalised:
        found.add(constituent.postcode_normalised)
    for line in re.split(r"[\n,]", constituent.address or ""):
        line = line.strip()
        if len(line) >= 5:
            found.add(line)
    return sorted(found, key=len, reverse=True)


def _pattern(identifiers: Iterable[str]) -> re.Pattern[str] | None:
    parts = []
    for ident in identifiers:
        # Spaces inside a phone number or postcode may be typed differently each time.
        parts.append(r"\s*".join(re.escape(chunk) for chunk in ident.split()))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _replace(text: str, pattern: re.Pattern[str] | None, marker: str) -> str:
    return pattern.sub(marker, text) if pattern is not None and text else text


@dataclass
class ErasurePlan:
    """What an erasure would touch: shown to the person before they confirm."""

    cases: list[Case] = field(default_factory=list)
    texts: int = 0
    attachments: int = 0
    outbox_emails: int = 0
    inbound_emails: int = 0
    bfs: int = 0
    referrals: int = 0

    @property
    def references(self) -> list[str]:
        return [case.reference for case in self.cases]


def _assert_may_erase(*, actor: User, constituent: Constituent) -> list[Case]:
    require_casework(actor)
    if constituent.owner_id not in acting_for_ids(actor):
        raise PermissionDenied(
            "Only the councillor who holds this constituent's record (or their staff) can "
            "erase or correct it."
        )
    cases = list(Case.objects.filter(constituent=constituent).order_by("id"))
    held_elsewhere = [case.reference for case in cases if not case_can_change(actor, case)]
    if held_elsewhere:
        raise PermissionDenied(
            f"{len(held_elsewhere)} of this person's cases ({', '.join(held_elsewhere[:5])}) "
            "are held by another councillor, who must agree and act on them first."
        )
    return cases


def _inbound_of(constituent: Constituent, case_ids: list[int]) -> Q:
    about = Q(case_id__in=case_ids)
    if constituent.email:
        about |= Q(from_email__iexact=constituent.email) | Q(
            original_from_email__iexact=constituent.email
        )
    return about


def erasure_plan(*, actor: User, constituent: Constituent) -> ErasurePlan:
    """Count what erasing `constituent` would touch (both scopes touch the same rows)."""
    cases = _assert_may_erase(actor=actor, constituent=constituent)
    ids = [case.pk for case in cases]
    return ErasurePlan(
        cases=cases,
        texts=Action.objects.filter(case_id__in=ids).exclude(text="").count() + 2 * len(ids),
        attachments=Attachment.objects.filter(case_id__in=ids).count(),
        outbox_emails=OutboundEmail.objects.filter(case_id__in=ids).count(),
        inbound_emails=InboundEmail.objects.filter(_inbound_of(constituent, ids)).count(),
        bfs=BF.objects.filter(case_id__in=ids).count(),
        referrals=Referral.objects.filter(case_id__in=ids).count(),
    )


@transaction.atomic
def constituent_erase(*, actor: User, constituent: Constituent, scope: str) -> Erasure:
    assert_council_writable()
    if scope not in Erasure.Scope.values:
        raise ValidationFailed(
            "Choose what to erase: their identity, or everything.", extra={"scope": ["Choose."]}
        )
    constituent = Constituent.objects.select_for_update().get(pk=constituent.pk)
    plan = erasure_plan(actor=actor, constituent=constituent)
    ids = [case.pk for case in plan.cases]
    pattern = _pattern(identifiers_of(constituent))
    record = Erasure.objects.create(
        constituent_id=constituent.pk,
        scope=scope,
        erased_by=actor,
        case_references=plan.references,
    )
    files: list = []
    if scope == Erasure.Scope.EVERYTHING:
        for case in Case.objects.select_for_update().filter(pk__in=ids).order_by("id"):
            counts = case_scrub(case=case, marker=ERASED)
            AnonymisedCase.objects.update_or_create(
                case=case,
                defaults={
                    "erasure": record,
                    "run": None,
                    "anonymised_at": record.created_at,
                    "attachments_deleted": counts.attachments,
                    "emails_deleted": counts.emails,
                },
            )
    else:
        for case in Case.objects.select_for_update().filter(pk__in=ids).order_by("id"):
            case.title = _replace(case.title, pattern, ERASED) or ERASED
            case.description = _replace(case.description, pattern, ERASED)
            case.save(update_fields=["title", "description"])
        actions = list(Action.objects.filter(case_id__in=ids).only("pk", "text", "data"))
        for action in actions:
            action.text = _replace(action.text, pattern, ERASED)
            # Quoted old values ("changed name from X") may name the person.
            action.data = _scrub_data(action.data or {}, ERASED) if action.data else {}
        Action.objects.bulk_update(actions, ["text", "data"], batch_size=500)
        for referral in Referral.objects.filter(case_id__in=ids).exclude(note=""):
            referral.note = _replace(referral.note, pattern, ERASED)
            referral.save(update_fields=["note"])
        for bf in BF.objects.filter(case_id__in=ids):
            bf.reason = _replace(bf.reason, pattern, ERASED)
            bf.done_note = _replace(bf.done_note, pattern, ERASED)
            bf.save(update_fields=["reason", "done_note"])
        files += [a.file for a in Attachment.objects.filter(case_id__in=ids)]
        Attachment.objects.filter(case_id__in=ids).delete()
        OutboundEmail.objects.filter(case_id__in=ids).exclude(
            status=OutboundEmail.Status.SENDING
        ).delete()
    inbound_scrub(
        mails=InboundEmail.objects.filter(_inbound_of(constituent, ids)),
        files=files,
        marker=ERASED,
    )
    files_delete_on_commit(files)
    constituent_scrub(constituent=constituent, marker=ERASED)
    if scope == Erasure.Scope.IDENTITY:
        # After the record is emptied: the index is built from the constituent's name too.
        case_refresh_search_vector(case_ids=ids)
    record.touched = {
        "cases": len(ids),
        "texts": plan.texts,
        "attachments": plan.attachments,
        "outbox_emails": plan.outbox_emails,
        "inbound_emails": plan.inbound_emails,
        "bfs": plan.bfs,
        "referrals": plan.referrals,
    }
    record.save(update_fields=["touched", "updated_at"])
    audit_record(
        action=AuditAction.ERASURE,
        actor=actor,
        summary=f"Erased a constituent ({record.get_scope_display().split(':')[0].lower()}): "
        f"{len(ids)} case(s) touched.",
        case_ids=ids,
        case_references=plan.references,
        constituent_ids=[constituent.pk],
        detail={"erasure_id": record.pk, "scope": scope, **record.touched},
    )
    return record


@transaction.atomic
def constituent_rectify(
    *, actor: User, constituent: Constituent, field_name: str, value: str, everywhere: bool
) -> int:
    """Correct one detail. `everywhere`: replace the old value in every text of their cases
    (returns how many texts changed); otherwise add a correction entry to each case's
    history and leave what was written as it was (returns how many entries were added)."""
    assert_council_writable()
    if field_name not in CORRECTABLE:
        raise ValidationFailed(
            f"Choose one of: {', '.join(CORRECTABLE)}.", extra={"field_name": ["Choose."]}
        )
    value = " ".join((value or "").split()) if field_name != "address" else (value or "").strip()
    if not value:
        raise ValidationFailed("Enter the correct value.", extra={"value": ["Required."]})
    constituent = Constituent.objects.select_for_update().get(pk=constituent.pk)
    cases = _assert_may_erase(actor=actor, constituent=constituent)
    old = getattr(constituent, field_name) or ""
    if old.strip().lower() == value.lower():
        raise ValidationFailed("That is what the record already says.", extra={"value": ["Same."]})
    # The record itself goes through caseload's own rules (cleaning, duplicates, ward).
    constituent_update(
        actor=actor, constituent=constituent, allow_duplicate=True, **{field_name: value}
    )
    ids = [case.pk for case in cases]
    changed = 0
    if everywhere and old.strip():
        pattern = _pattern([old.strip()])
        for case in Case.objects.filter(pk__in=ids):
            title, description = (
                _replace(case.title, pattern, value),
                _replace(case.description, pattern, value),
            )
            if (title, description) != (case.title, case.description):
                case.title, case.description = title, description
                case.save(update_fields=["title", "description"])
                changed += 1
        for action in Action.objects.filter(case_id__in=ids).exclude(text=""):
            text = _replace(action.text, pattern, value)
            if text != action.text:
                action.text = text
                action.save(update_fields=["text"])
                changed += 1
        case_refresh_search_vector(case_ids=ids)
    elif not everywhere:
        Action.objects.bulk_create(
            Action(
                case_id=case_id,
                kind=Action.Kind.UPDATE,
                text=f"Correction: the constituent's {field_name} was recorded wrongly. "
                f"Earlier entries show the old value; the correct {field_name} is {value}.",
                author=actor,
                data={"corrected": field_name},
            )
            for case_id in ids
        )
        changed = len(ids)
    audit_record(
        action=AuditAction.RECTIFICATION,
        actor=actor,
        summary=f"Corrected a constituent's {field_name} "
        f"({'replaced everywhere' if everywhere else 'correction noted in each case'}).",
        case_ids=ids,
        constituent_ids=[constituent.pk],
        detail={"field": field_name, "everywhere": everywhere, "changed": changed},
    )
    return changed
