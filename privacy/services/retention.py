"""Retention: the schedule admins set, legal holds, and the nightly preview-then-anonymise run.

A run first refreshes the list of cases due (closed for longer than their category's period,
not held, not yet anonymised) and then anonymises those that have been on the list for
RETENTION_PREVIEW_DAYS and are still due. Each case is anonymised in its own transaction, so a
run killed half-way leaves every case either untouched or fully anonymised, and the next run
carries on; an anonymised case is never touched again.

What anonymising keeps is what the council's statistics and the central comparison count:
the case's category, ward, owner, status, outcome, priority, dates and reference, its
referrals' dates and whether their targets were met, the kinds and times of its history
entries and time spent. What it removes is who the constituent was and anything anyone wrote:
titles, descriptions, notes, history texts, BF reasons, inbound mail, attachments, the
outbox's copies of emails and letters, officers' reply links and the search index.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from caseload.models import Action, Attachment, Case, Category, Constituent, Referral
from caseload.services.permissions import assert_council_writable, require_admin
from core.errors import Conflict, ValidationFailed
from correspondence.models import BatchItem, InboundEmail, ReferralLink, ThreadMessage
from mailer.models import OutboundEmail
from privacy.models import (
    AnonymisedCase,
    LegalHold,
    RetentionCandidate,
    RetentionRun,
    RetentionSchedule,
)
from reminders.models import BF

logger = logging.getLogger(__name__)

ANONYMISED = "[anonymised]"
# History entries keep these machine-readable keys (statuses, outcomes, who it moved to);
# anything else in `data` may quote what someone typed.
_SAFE_DATA_KEYS = ("from", "to", "via", "outcome", "previous_outcome", "user_ids", "formats")


# --- the schedule ---------------------------------------------------------------------------


@transaction.atomic
def retention_schedule_set(
    *, actor: User, category: Category | None, keep_months: int
) -> RetentionSchedule:
    """Set how many months after closing a category's cases are kept (`category` None: the
    council's default). Admins only; recorded in the audit log."""
    assert_council_writable()
    require_admin(actor)
    if not 1 <= int(keep_months) <= 240:
        raise ValidationFailed(
            "Keep cases for 1 to 240 months after closing.",
            extra={"keep_months": ["Between 1 and 240."]},
        )
    row = (
        RetentionSchedule.objects.select_for_update()
        .filter(category=category)
        .order_by("pk")
        .first()
    )
    before = row.keep_months if row is not None else default_keep_months(category=None)
    if row is None:
        row = RetentionSchedule(category=category)
    row.keep_months = int(keep_months)
    row.updated_by = actor
    row.save()
    label = category.name if category is not None else "the default"
    audit_record(
        action=AuditAction.RETENTION_CHANGED,
        actor=actor,
        summary=f"Set retention for {label} to {keep_months} months after closing (was {before}).",
        detail={
            "category_id": category.pk if category else None,
            "from": before,
            "to": int(keep_months),
        },
    )
    return row


def default_keep_months(*, category: Category | None) -> int:
    row = RetentionSchedule.objects.filter(category=category).first()
    if row is None and category is not None:
        row = RetentionSchedule.objects.filter(category__isnull=True).first()
    return row.keep_months if row is not None else int(settings.RETENTION_DEFAULT_MONTHS)


# --- legal holds ----------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(*, actor: User, case: Case, reason: str) -> LegalHold:
    """Stop a case from being anonymised until the hold is lifted (admins; a reason is
    required and recorded)."""
    assert_council_writable()
    require_admin(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(
            "Say why the case is held (for example: complaint to the ombudsman).",
            extra={"reason": ["Required."]},
        )
    if AnonymisedCase.objects.filter(case=case).exists():
        raise Conflict(f"{case.reference} was already anonymised: there is nothing left to hold.")
    if LegalHold.objects.filter(case=case, lifted_at__isnull=True).exists():
        raise Conflict(f"{case.reference} is already under a legal hold.")
    hold = LegalHold.objects.create(case=case, reason=reason[:300], placed_by=actor)
    RetentionCandidate.objects.filter(case=case).delete()
    audit_record(
        action=AuditAction.LEGAL_HOLD_PLACED,
        actor=actor,
        summary=f"Placed a legal hold on {case.reference}: {reason[:200]}",
        case_ids=[case.pk],
        case_references=[case.reference],
    )
    return hold


@transaction.atomic
def legal_hold_lift(*, actor: User, hold: LegalHold) -> LegalHold:
    assert_council_writable()
    require_admin(actor)
    hold = LegalHold.objects.select_for_update().select_related("case").get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise Conflict("This hold was already lifted.")
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor
    hold.save(update_fields=["lifted_at", "lifted_by", "updated_at"])
    audit_record(
        action=AuditAction.LEGAL_HOLD_LIFTED,
        actor=actor,
        summary=f"Lifted the legal hold on {hold.case.reference}.",
        case_ids=[hold.case_id],
        case_references=[hold.case.reference],
    )
    return hold


# --- which cases are due --------------------------------------------------------------------


def _due_cases(*, now: datetime) -> Any:
    """Closed cases past their category's period, not held and not anonymised."""
    default = default_keep_months(category=None)
    periods: dict[int, int] = {
        row.category_id: row.keep_months
        for row in RetentionSchedule.objects.filter(category__isnull=False)
        if row.category_id is not None
    }
    # One range condition per distinct period: a handful of OR arms however many cases.
    by_period: dict[int, list[int]] = {}
    for category_id, months in periods.items():
        by_period.setdefault(months, []).append(category_id)
    due = Q(closed_at__lt=now - relativedelta(months=default)) & ~Q(category_id__in=list(periods))
    for months, category_ids in by_period.items():
        due |= Q(category_id__in=category_ids, closed_at__lt=now - relativedelta(months=months))
    return (
        Case.objects.filter(status=Case.Status.CLOSED)
        .filter(due)
        .exclude(Exists(LegalHold.objects.filter(case=OuterRef("pk"), lifted_at__isnull=True)))
        .exclude(Exists(AnonymisedCase.objects.filter(case=OuterRef("pk"))))
    )


# --- the run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    run: RetentionRun
    anonymised_case_ids: list[int]


def retention_run(*, now: datetime | None = None) -> RunResult:
    """The nightly run in the current council: preview, then anonymise what has been
    previewed long enough. Not atomic as a whole on purpose: each case is its own
    transaction, so a failure or a kill half-way keeps the work done so far."""
    now = now or timezone.now()
    run = RetentionRun.objects.create()
    anonymised: list[int] = []
    try:
        with transaction.atomic():
            due_ids = set(_due_cases(now=now).values_list("pk", flat=True))
            # Cases no longer due (reopened, held, period lengthened) leave the preview.
            RetentionCandidate.objects.exclude(case_id__in=due_ids).delete()
            known = set(RetentionCandidate.objects.values_list("case_id", flat=True))
            RetentionCandidate.objects.bulk_create(
                RetentionCandidate(case_id=pk, found_at=now, found_by=run)
                for pk in sorted(due_ids - known)
            )
            run.newly_due = len(due_ids - known)
        ready_before = now - timedelta(days=int(settings.RETENTION_PREVIEW_DAYS))
        ready = list(
            RetentionCandidate.objects.filter(found_at__lte=ready_before)
            .order_by("case_id")
            .values_list("case_id", flat=True)
        )
        for case_id in ready:
            if case_anonymise(case_id=case_id, run=run, now=now):
                anonymised.append(case_id)
        run.anonymised = len(anonymised)
        run.waiting = RetentionCandidate.objects.count()
        run.status = RetentionRun.Status.FINISHED
    except Exception as exc:
        run.status = RetentionRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.exception("Retention run %s failed", run.pk)
        raise
    finally:
        run.anonymised = len(anonymised)
        run.finished_at = timezone.now()
        run.save(
            update_fields=[
                "status",
                "finished_at",
                "newly_due",
                "anonymised",
                "waiting",
                "error",
                "updated_at",
            ]
        )
        audit_record(
            action=AuditAction.RETENTION_RUN,
            actor=None,
            summary=f"Retention run: {run.newly_due} newly due, {len(anonymised)} anonymised, "
            f"{run.waiting} waiting for the preview period"
            + (f"; failed: {run.error[:200]}" if run.error else "."),
            case_ids=anonymised,
            detail={
                "run_id": run.pk,
                "newly_due": run.newly_due,
                "waiting": run.waiting,
                "status": run.status,
            },
        )
    return RunResult(run=run, anonymised_case_ids=anonymised)


def _scrub_data(data: dict[str, Any], marker: str = ANONYMISED) -> dict[str, Any]:
    kept = {key: data[key] for key in _SAFE_DATA_KEYS if key in data}
    changes = data.get("changes")
    if isinstance(changes, dict):
        # Which fields changed stays (the history still says "title changed"); not to what.
        kept["changes"] = {field: marker for field in changes}
    if data:
        kept["anonymised"] = True
    return kept


@transaction.atomic
def case_anonymise(*, case_id: int, run: RetentionRun, now: datetime) -> bool:
    """Anonymise one case if it is still due; False when it is not (any more)."""
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or not _due_cases(now=now).filter(pk=case_id).exists():
        RetentionCandidate.objects.filter(case_id=case_id).delete()
        return False
    counts = case_scrub(case=case)
    constituent = Constituent.objects.select_for_update().get(pk=case.constituent_id)
    others_live = (
        Case.objects.filter(constituent=constituent)
        .exclude(pk=case.pk)
        .exclude(Exists(AnonymisedCase.objects.filter(case=OuterRef("pk"))))
        .exists()
    )
    if not others_live:
        constituent_scrub(constituent=constituent)
    AnonymisedCase.objects.create(
        case=case,
        run=run,
        anonymised_at=now,
        attachments_deleted=counts.attachments,
        emails_deleted=counts.emails,
    )
    RetentionCandidate.objects.filter(case=case).delete()
    return True


@dataclass
class ScrubCounts:
    attachments: int = 0
    emails: int = 0
    inbound: int = 0
    actions: int = 0


def case_scrub(*, case: Case, marker: str = ANONYMISED) -> ScrubCounts:
    """Remove everything written about a case and its files, keeping what is counted.
    Shared by retention and erasure; the caller holds the transaction and the case's lock."""
    case.title = marker
    case.description = ""
    case.search_vector = None
    case.save(update_fields=["title", "description", "search_vector"])

    actions = list(Action.objects.filter(case=case).only("pk", "text", "data"))
    for action in actions:
        action.text = marker if action.text else ""
        action.data = _scrub_data(action.data or {}, marker)
    Action.objects.bulk_update(actions, ["text", "data"], batch_size=500)
    Referral.objects.filter(case=case).exclude(note="").update(note=marker)
    ReferralLink.objects.filter(referral__case=case).delete()
    ThreadMessage.objects.filter(case=case).delete()
    BF.objects.filter(case=case).update(reason=marker)
    BF.objects.filter(case=case).exclude(done_note="").update(done_note=marker)
    BatchItem.objects.filter(case=case).update(detail="")

    files = [attachment.file for attachment in Attachment.objects.filter(case=case)]
    attachments = Attachment.objects.filter(case=case).delete()[0]
    inbound = inbound_scrub(
        mails=InboundEmail.objects.filter(case=case), files=files, marker=marker
    )
    # The outbox's copies of emails and letters sent about the case (their attachments go
    # with them by cascade).
    emails = (
        OutboundEmail.objects.filter(case_id=case.pk)
        .exclude(status=OutboundEmail.Status.SENDING)
        .delete()[0]
    )
    files_delete_on_commit(files)
    return ScrubCounts(
        attachments=attachments, emails=emails, inbound=inbound, actions=len(actions)
    )


def inbound_scrub(*, mails: Any, files: list[Any], marker: str) -> int:
    """Empty inbound messages (their raw files are added to `files` for deletion)."""
    for mail in mails.exclude(raw=""):
        files.append(mail.raw)
    return int(
        mails.update(
            from_email="",
            from_name="",
            subject=marker,
            original_from_email="",
            original_from_name="",
            original_subject="",
            body_text="",
            attachment_names=[],
            raw="",
            message_id="",
        )
    )


def files_delete_on_commit(files: list[Any]) -> None:
    """Files go only once the database change is committed: a rollback keeps both."""

    def remove() -> None:
        for field in files:
            try:
                field.storage.delete(field.name)
            except OSError:
                logger.warning("Could not delete %s after anonymising", field.name)

    if files:
        transaction.on_commit(remove)


def constituent_scrub(*, constituent: Constituent, marker: str = ANONYMISED) -> None:
    constituent.name = marker
    constituent.address = ""
    constituent.postcode = ""
    constituent.postcode_normalised = ""
    constituent.phone = ""
    constituent.phone_normalised = ""
    constituent.email = ""
    constituent.notes = ""
    constituent.consent_to_share = False
    constituent.consent_date = None
    constituent.save(
        update_fields=[
            "name",
            "address",
            "postcode",
            "postcode_normalised",
            "phone",
            "phone_normalised",
            "email",
            "notes",
            "consent_to_share",
            "consent_date",
            "updated_at",
        ]
    )
