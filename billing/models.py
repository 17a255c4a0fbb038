"""Licences, their history, trial notices and Stripe webhook events. All in the public schema."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class LicenceState(models.TextChoices):
    TRIAL = "trial", "Trial"
    TRIAL_EXTENDED = "trial_extended", "Trial (extended)"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    LAPSED = "lapsed", "Lapsed (read-only)"
    CANCELLED = "cancelled", "Cancelled (read-only)"


S = LicenceState
# The whole state machine. Anything not listed is refused by licence_transition().
# Cancelled is final: a council that returns starts again from a new contract.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.TRIAL: frozenset({S.TRIAL_EXTENDED, S.ACTIVE, S.LAPSED, S.CANCELLED}),
    S.TRIAL_EXTENDED: frozenset({S.TRIAL_EXTENDED, S.ACTIVE, S.LAPSED, S.CANCELLED}),
    S.ACTIVE: frozenset({S.PAST_DUE, S.CANCELLED}),
    S.PAST_DUE: frozenset({S.ACTIVE, S.LAPSED, S.CANCELLED}),
    S.LAPSED: frozenset({S.TRIAL_EXTENDED, S.ACTIVE, S.CANCELLED}),
    S.CANCELLED: frozenset(),
}
TRIAL_STATES = frozenset({S.TRIAL, S.TRIAL_EXTENDED})
# Users can sign in, read, search and export, but not create or change anything.
READ_ONLY_STATES = frozenset({S.LAPSED, S.CANCELLED})


class PaymentMethod(models.TextChoices):
    INVOICE = "invoice", "Invoice (bank transfer)"
    CARD = "card", "Card"


class Licence(models.Model):
    """A council's right to use the platform. Lives in the public schema.

    `state` only ever changes through billing.services.licence_transition(), which writes a
    LicenceTransition row for each change.
    """

    council = models.OneToOneField(
        "tenants.Council", on_delete=models.CASCADE, related_name="licence"
    )
    state = models.CharField(
        max_length=20, choices=LicenceState.choices, default=LicenceState.TRIAL, db_index=True
    )
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    seats = models.PositiveIntegerField(default=10)
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True)
    # Where a council converting by card pays; the admin's billing page links to it.
    checkout_url = models.URLField(max_length=1000, blank=True)
    # `created` of the newest Stripe event that moved this licence: an older event arriving
    # late (Stripe does not guarantee order) must not move it backwards.
    last_stripe_event_at = models.DateTimeField(null=True, blank=True)
    last_paid_at = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # After cancellation the data is kept until then; deletion needs the central body.
    retention_until = models.DateTimeField(null=True, blank=True)
    data_deleted_at = models.DateTimeField(null=True, blank=True)
    data_deleted_by = models.CharField(max_length=254, blank=True)
    # Bumped by every write sent to Stripe. Idempotency keys include it, so a retry of a
    # write whose database transaction rolled back reuses the key (and Stripe replays the
    # first answer instead of creating a second customer or subscription).
    stripe_revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["council__name"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="licence_seats_positive"),
            models.CheckConstraint(
                condition=~Q(state=LicenceState.CANCELLED) | Q(retention_until__isnull=False),
                name="licence_cancelled_has_retention",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[LicenceState.TRIAL, LicenceState.TRIAL_EXTENDED])
                | Q(trial_ends_at__isnull=False),
                name="licence_trial_has_end",
            ),
            models.UniqueConstraint(
                fields=["stripe_customer_id"],
                condition=~Q(stripe_customer_id=""),
                name="licence_unique_stripe_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council}: {self.get_state_display()}"

    @property
    def is_read_only(self) -> bool:
        return self.state in READ_ONLY_STATES

    @property
    def is_trial(self) -> bool:
        return self.state in TRIAL_STATES


class LicenceTransition(models.Model):
    """One row per state change: who, when, why. Append-only."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=LicenceState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=LicenceState.choices)
    actor = models.CharField(max_length=254)
    reason = models.TextField(blank=True)
    stripe_event_id = models.CharField(max_length=255, blank=True)
    # Set once the council's admins have been emailed about this change.
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.licence_id}: {self.from_state or 'none'} -> {self.to_state}"


class TrialNotice(models.Model):
    """A trial-ending email to a council's admins. One per kind per trial end date, so the
    daily job can run any number of times, and an extended trial gets fresh notices."""

    class Kind(models.TextChoices):
        DAYS_14 = "days_14", "14 days before the trial ends"
        DAYS_3 = "days_3", "3 days before the trial ends"

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="trial_notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    trial_ends_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "kind", "trial_ends_at"], name="trial_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.licence_id}: {self.kind} for {self.trial_ends_at:%Y-%m-%d}"


class WebhookEvent(models.Model):
    """Every verified Stripe webhook, stored before it is processed, processed once."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Not processed yet"
        APPLIED = "applied", "Moved the licence"
        NO_CHANGE = "no_change", "Licence already in that state"
        UPDATED = "updated", "Updated licence details"
        STALE = "stale", "Older than the last event applied"
        UNKNOWN_CUSTOMER = "unknown_customer", "No council has this Stripe customer"
        REFUSED = "refused", "Not allowed from the licence's state"
        IGNORED = "ignored", "Event type not used"
        FAILED = "failed", "Processing failed; Stripe will retry"

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    livemode = models.BooleanField(default=False)
    event_created = models.DateTimeField()
    payload = models.JSONField()
    licence = models.ForeignKey(
        Licence, on_delete=models.SET_NULL, null=True, blank=True, related_name="webhook_events"
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)  # when it was received
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type} ({self.outcome})"
