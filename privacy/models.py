"""A council's retention schedule, legal holds and the nightly retention runs.

Retention ends a closed case's life as personal data: once a case has been closed for its
category's period (and is not under a legal hold) it is anonymised, keeping what the
council's statistics and the central comparison count (category, ward, dates, status,
outcome, referral targets met) and removing who the constituent was and what they wrote.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from core.models import TimeStamped


class RetentionSchedule(TimeStamped):
    """How many months after closing a case of `category` is kept; `category` null is the
    council's default, for uncategorised cases and categories without a row of their own."""

    category = models.OneToOneField(
        "caseload.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retention",
    )
    keep_months = models.PositiveSmallIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["category__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["keep_months"],
                condition=Q(category__isnull=True),
                name="retention_one_default",
            ),
            # A month is the least a case is kept (a councillor may still be answering
            # follow-ups); 20 years the most, beyond which "retention" means "forever".
            models.CheckConstraint(
                condition=Q(keep_months__gte=1) & Q(keep_months__lte=240),
                name="retention_keep_months_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or 'Default'}: {self.keep_months} months"


class LegalHold(TimeStamped):
    """A case that must not be anonymised (a complaint, an ombudsman's enquiry, litigation)
    until the hold is lifted. Lifted holds are kept as the record of why."""

    case = models.ForeignKey("caseload.Case", on_delete=models.CASCADE, related_name="holds")
    reason = models.CharField(max_length=300)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(lifted_at__isnull=True), name="legalhold_one_active"
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | Q(lifted_at__isnull=False, lifted_by__isnull=False),
                name="legalhold_lifted_by_whom",
            ),
        ]

    def __str__(self) -> str:
        return f"Hold on case {self.case_id}"


class RetentionRun(TimeStamped):
    """One nightly run: what it previewed and what it anonymised."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    finished_at = models.DateTimeField(null=True, blank=True)
    newly_due = models.PositiveIntegerField(default=0)
    anonymised = models.PositiveIntegerField(default=0)
    waiting = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["running", "finished", "failed"]),
                name="retentionrun_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention run {self.created_at:%Y-%m-%d %H:%M} ({self.status})"


class RetentionCandidate(models.Model):
    """A case found due for anonymisation, shown to admins for RETENTION_PREVIEW_DAYS before
    a run may anonymise it: time to place a legal hold. A case that stops being due
    (reopened, held, its period lengthened) leaves this list at the next run."""

    case = models.OneToOneField(
        "caseload.Case", on_delete=models.CASCADE, related_name="retention_candidate"
    )
    found_at = models.DateTimeField()
    found_by = models.ForeignKey(RetentionRun, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["found_at", "case_id"]

    def __str__(self) -> str:
        return f"Case {self.case_id} due since {self.found_at:%Y-%m-%d}"


class Erasure(TimeStamped):
    """The record that a constituent was erased: by whom, how far and what it touched, never
    who they were (the constituent's id and the cases' references only)."""

    class Scope(models.TextChoices):
        IDENTITY = "identity", "Their identity: name and details, wherever they were copied"
        EVERYTHING = "everything", "Their identity and everything in their cases"

    constituent_id = models.BigIntegerField()
    scope = models.CharField(max_length=12, choices=Scope.choices)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    case_references = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    touched = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=["identity", "everything"]), name="erasure_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Erasure of constituent {self.constituent_id} ({self.scope})"


class AnonymisedCase(models.Model):
    """The record that a case was anonymised, by a retention run or an erasure: what makes a
    run idempotent (an anonymised case is never touched again)."""

    case = models.OneToOneField(
        "caseload.Case", on_delete=models.CASCADE, related_name="anonymised"
    )
    run = models.ForeignKey(
        RetentionRun, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    erasure = models.ForeignKey(
        Erasure, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    anonymised_at = models.DateTimeField()
    attachments_deleted = models.PositiveIntegerField(default=0)
    emails_deleted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-anonymised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(run__isnull=False, erasure__isnull=True)
                | Q(run__isnull=True, erasure__isnull=False),
                name="anonymisedcase_by_run_or_erasure",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.case_id} anonymised {self.anonymised_at:%Y-%m-%d}"


class SubjectAccessRequest(TimeStamped):
    """A person's request for a copy of what a councillor holds about them (UK GDPR art. 15).

    The councillor is the controller of their casework, so a request is theirs: handled by
    them or by Members' Services staff acting for them, and it covers only their records.
    The statutory clock: one calendar month from `received_on` (art. 12(3); the last day of
    the month when the next month has no such day), extended by up to two further months
    with a reason, and stopped while the requester's identity is awaited (`paused_since`,
    then `paused_days` once resumed). `due_on` is kept by the services from those fields.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PAUSED = "paused", "Clock stopped: waiting for identification"
        COMPLETED = "completed", "Completed"
        REFUSED = "refused", "Refused"

    councillor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requester_name = models.CharField(max_length=200)
    # What the requester gave to find them by (the search's starting terms).
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    received_on = models.DateField()
    due_on = models.DateField()
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.CharField(max_length=300, blank=True)
    paused_since = models.DateField(null=True, blank=True)
    paused_days = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    closing_note = models.CharField(max_length=500, blank=True)
    confirmed_constituent_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    # The case the request is tracked on (its BF shows on the handler's dashboard).
    case = models.ForeignKey(
        "caseload.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bf = models.ForeignKey(
        "reminders.BF", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    archives_downloaded = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["councillor", "status"], name="sar_councillor_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "paused", "completed", "refused"]),
                name="sar_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(extension_months__lte=2), name="sar_extension_at_most_two_months"
            ),
            models.CheckConstraint(
                condition=Q(extension_months=0) | ~Q(extension_reason=""),
                name="sar_extension_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="paused", paused_since__isnull=False)
                | (~Q(status="paused") & Q(paused_since__isnull=True)),
                name="sar_paused_since_iff_paused",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["completed", "refused"], closed_on__isnull=False)
                | (Q(status__in=["open", "paused"]) & Q(closed_on__isnull=True)),
                name="sar_closed_on_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("received_on")), name="sar_due_after_received"
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.pk} ({self.status})"

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.REFUSED)
