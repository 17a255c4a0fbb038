"""A council's data exit: one request for the full casework export and its archive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.models import TimeStamped


class DataExit(TimeStamped):
    """One request to take the council's casework away, and what became of it.

    requested (by one admin) → approved (by another: the task builds the archive) → ready
    (downloadable by admins until `expires_at`) → expired (the file is deleted); or refused
    (by another admin), cancelled (by the requester) or failed (the build could not finish;
    the task retries first). The rules are in dataexit.services.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for a second administrator"
        APPROVED = "approved", "Approved: the archive is being built"
        READY = "ready", "Ready to download"
        EXPIRED = "expired", "Expired"
        REFUSED = "refused", "Refused"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    OPEN_STATUSES = (Status.REQUESTED, Status.APPROVED, Status.READY)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The second administrator who approved or refused it.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # Build progress: steps done out of steps in all (one step per model and per file).
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # In default storage, under data-exit/<schema>/; emptied when the archive expires.
    archive_name = models.CharField(max_length=255, blank=True)
    archive_bytes = models.BigIntegerField(null=True, blank=True)
    archive_sha256 = models.CharField(max_length=64, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The requester can never be the second administrator.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="data_exit_two_admins",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "ready", "expired", "refused"])
                | Q(decided_by__isnull=False),
                name="data_exit_decided_by_set",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (Q(expires_at__isnull=False) & ~Q(archive_name="")),
                name="data_exit_ready_has_archive",
            ),
        ]

    def __str__(self) -> str:
        return f"Data exit {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))
