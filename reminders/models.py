"""Brought-forward (BF) reminders of one council, and the rules that create them.

A tenant app: every table lives in the council's schema. Writes go through
`reminders.services`, reads through `reminders.selectors`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class BFRule(models.Model):
    """A council's rule for creating BFs automatically.

    - REFERRAL: when a case is referred, a BF `working_days` after the officer's target date
      (0 = on the target date itself), to chase the reply.
    - REPLY_RECEIVED: when the officer's reply is recorded, a BF `working_days` later, to
      check with the constituent.
    - NO_ACTION: a case still open with no action `working_days` after it was opened.

    Rules are switched off (is_active=False), never deleted, so the defaults seeded on first
    use (reminders.services.bf_rules_ensure_defaults) do not come back.
    """

    class Trigger(models.TextChoices):
        REFERRAL = "referral", "Case referred to an officer"
        REPLY_RECEIVED = "reply_received", "Officer's reply received"
        NO_ACTION = "no_action", "New case with no action"

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    working_days = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=300)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["trigger", "working_days", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trigger", "working_days"], name="bfrule_trigger_days_unique"
            ),
            models.CheckConstraint(
                condition=Q(working_days__lte=60), name="bfrule_working_days_range"
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=["referral", "reply_received", "no_action"]),
                name="bfrule_trigger_valid",
            ),
            # A case cannot be "N working days old with no action" for N = 0.
            models.CheckConstraint(
                condition=~Q(trigger="no_action") | Q(working_days__gte=1),
                name="bfrule_no_action_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} +{self.working_days}wd"


class BF(models.Model):
    """A date on which a case is brought forward again, for one person (`owner`).

    `owner` is the case's councillor or a staff member they delegated to. If the owner later
    loses access (delegation revoked, account deactivated) the BF falls back to the case's
    councillor when read (see reminders.selectors), so it is never lost.
    `source_key` makes rule-made BFs idempotent: one per (event, rule).
    """

    class Source(models.TextChoices):
        MANUAL = "manual", "Added by hand"
        RULE = "rule", "Created by a rule"

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Indexed by bf_case_idx.
    case = models.ForeignKey(
        "caseload.Case", on_delete=models.CASCADE, related_name="bfs", db_index=False
    )
    due_date = models.DateField()
    reason = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bfs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    rule = models.ForeignKey(
        BFRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="bfs"
    )
    referral = models.ForeignKey(
        "caseload.Referral", on_delete=models.CASCADE, null=True, blank=True, related_name="bfs"
    )
    source_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    snooze_count = models.PositiveSmallIntegerField(default=0)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = "BF"
        indexes = [
            # The morning sweep and "my due BFs": open BFs by date, then person. Done BFs (most
            # rows, in time) are outside the index.
            models.Index(
                fields=["due_date", "owner"], condition=Q(done=False), name="bf_open_due_owner_idx"
            ),
            models.Index(fields=["case", "due_date"], name="bf_case_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(done=False, done_at__isnull=True) | Q(done=True, done_at__isnull=False),
                name="bf_done_has_time",
            ),
            models.CheckConstraint(
                condition=Q(source="manual") | Q(source_key__isnull=False),
                name="bf_rule_has_source_key",
            ),
        ]

    def __str__(self) -> str:
        return f"BF {self.due_date:%Y-%m-%d} on case {self.case_id}"


class BFDelivery(models.Model):
    """A BF was put in someone's digest on `day`. Unique per (BF, day): the exactly-once
    record. The digest claims its BFs by inserting these rows (ON CONFLICT DO NOTHING) in
    the same transaction that enqueues the email, so a recomputed digest, a retry or a
    duplicate beat tick cannot deliver the same BF twice on the same day."""

    created_at = models.DateTimeField(auto_now_add=True)
    # Thousands of these a day per council, written by the morning run in the same statement
    # that reads the BFs and users they point to. So no index beyond the unique (bf, day)
    # (which serves lookups and Django's cascade from BF), and no database FK checks (they
    # were a fifth of the run's cost, at commit). Deletes go through the ORM, which cascades;
    # users are never deleted (casework PROTECTs them).
    bf = models.ForeignKey(
        BF,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["-day", "bf_id"]
        verbose_name_plural = "BF deliveries"
        constraints = [
            models.UniqueConstraint(fields=["bf", "day"], name="bfdelivery_bf_day_unique"),
        ]

    def __str__(self) -> str:
        return f"BF {self.bf_id} delivered {self.day:%Y-%m-%d}"
