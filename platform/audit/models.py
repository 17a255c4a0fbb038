"""The audit log: who did what to whose data, when. Append-only, one per schema.

The app is in both SHARED_APPS and TENANT_APPS: each council's schema keeps its own log
(what its users read and did), and `public` keeps the central body's (its staff signing in).
Entries never point at other rows with foreign keys: a user, case or constituent removed
later must not take its entries with it, and the database refuses to change an entry
anyway. So each entry copies what it needs to stay readable: ids, the actor's name, email
and role at the time, and case references.

No constituent's name, address or other details are copied in: the ids are enough to find
them while they exist, and an erased constituent (issue 15) leaves nothing here to erase.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    """What an entry records. Not the field's `choices`: a new kind of entry then needs no
    migration (several apps add kinds), and audit.services.audit_record refuses unknown ones.
    """

    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGN_OUT = "sign_out", "Signed out"
    # Reads of casework
    CASE_VIEWED = "case_viewed", "Viewed a case"
    CASE_HISTORY_VIEWED = "case_history_viewed", "Viewed a case's history"
    CASE_REFERRALS_VIEWED = "case_referrals_viewed", "Viewed a case's referrals"
    CASE_ATTACHMENTS_VIEWED = "case_attachments_viewed", "Listed a case's attachments"
    ATTACHMENT_DOWNLOADED = "attachment_downloaded", "Downloaded an attachment"
    CONSTITUENT_VIEWED = "constituent_viewed", "Viewed a constituent"
    CASES_LISTED = "cases_listed", "Listed cases"
    CASES_SEARCHED = "cases_searched", "Searched cases"
    CONSTITUENTS_LISTED = "constituents_listed", "Listed constituents"
    CONSTITUENTS_SEARCHED = "constituents_searched", "Searched constituents"
    LETTER_DOWNLOADED = "letter_downloaded", "Downloaded a letter"
    # Exports and the data exit
    EXPORTED = "exported", "Exported data"
    DATA_EXIT_REQUESTED = "data_exit_requested", "Requested the casework export"
    DATA_EXIT_APPROVED = "data_exit_approved", "Approved the casework export"
    DATA_EXIT_REFUSED = "data_exit_refused", "Refused the casework export"
    DATA_EXIT_CANCELLED = "data_exit_cancelled", "Cancelled the casework export"
    DATA_EXIT_READY = "data_exit_ready", "Casework export archive ready"
    DATA_EXIT_DOWNLOADED = "data_exit_downloaded", "Downloaded the casework export"
    DATA_EXIT_EXPIRED = "data_exit_expired", "Casework export archive expired"
    # Who may do what
    DELEGATION_REQUESTED = "delegation_requested", "Proposed a delegation"
    DELEGATION_GRANTED = "delegation_granted", "Granted a delegation"
    DELEGATION_DECLINED = "delegation_declined", "Declined a delegation"
    DELEGATION_REVOKED = "delegation_revoked", "Ended a delegation"
    USER_ADDED = "user_added", "Added a user"
    ROLE_CHANGED = "role_changed", "Changed a user's role"
    USER_DEACTIVATED = "user_deactivated", "Deactivated a user"
    USER_REACTIVATED = "user_reactivated", "Reactivated a user"
    CASES_TRANSFERRED = "cases_transferred", "Moved a councillor's cases"
    SECOND_FACTOR_RESET = "second_factor_reset", "Reset a user's second factor"
    LOCKOUT_CLEARED = "lockout_cleared", "Unlocked a locked-out account"
    # Data protection
    RETENTION_RUN = "retention_run", "Retention run"
    RETENTION_CHANGED = "retention_changed", "Changed the retention schedule"
    LEGAL_HOLD_PLACED = "legal_hold_placed", "Placed a legal hold"
    LEGAL_HOLD_LIFTED = "legal_hold_lifted", "Lifted a legal hold"
    ERASURE = "erasure", "Erased personal data"
    RECTIFICATION = "rectification", "Corrected personal data"
    SUBJECT_ACCESS = "subject_access", "Subject access request"
    AUDIT_SEARCHED = "audit_searched", "Searched the audit log"
    AUDIT_EXPORTED = "audit_exported", "Exported the audit log"
    AUDIT_PURGED = "audit_purged", "Removed audit entries past the retention period"


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40)
    # Who: copied, not linked. None for the system (a scheduled job) or an unknown person
    # (a failed sign-in with an address nobody has: `actor_email` says what was typed).
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=200, blank=True, default="")
    actor_email = models.CharField(max_length=254, blank=True, default="")
    actor_role = models.CharField(max_length=20, blank=True, default="")
    # Staff acting for a councillor: the councillor.
    on_behalf_of_id = models.BigIntegerField(null=True, blank=True)
    on_behalf_of_name = models.CharField(max_length=200, blank=True, default="")
    # The user the action was about (a delegation, a role change, a second-factor reset).
    subject_user_id = models.BigIntegerField(null=True, blank=True)
    subject_user_name = models.CharField(max_length=200, blank=True, default="")
    # The casework shown or touched. A list or search page is one entry with every case (or
    # constituent) on the page, so "who saw case 42" finds list views too.
    case_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    case_references = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    constituent_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    # One line a person reads ("Searched cases for 'bins': 20 shown").
    summary = models.CharField(max_length=500, blank=True, default="")
    # Machine-readable particulars: filters, counts, the export's id, the old and new role.
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_at_idx"),
            models.Index(fields=["actor_id", "-at"], name="audit_actor_idx"),
            models.Index(fields=["subject_user_id", "-at"], name="audit_subject_idx"),
            GinIndex(fields=["case_ids"], name="audit_case_ids_gin"),
            GinIndex(fields=["case_references"], name="audit_case_refs_gin"),
            GinIndex(fields=["constituent_ids"], name="audit_constituent_ids_gin"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(action=""), name="audit_action_set"),
        ]

    def __str__(self) -> str:
        who = self.actor_name or self.actor_email or "system"
        return f"{self.at:%Y-%m-%d %H:%M} {who}: {self.action_label}"

    @property
    def action_label(self) -> str:
        try:
            return str(AuditAction(self.action).label)
        except ValueError:
            return self.action
