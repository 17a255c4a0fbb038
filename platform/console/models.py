"""The central body's records, all in the public schema.

Nothing here holds a council's casework. `CouncilMonthlyFigures` and `CouncilStats` hold
numbers only, computed inside each council's schema (console.services.figures); they are
stored exactly, and every output (page, CSV, API, report) goes through
console.selectors.comparison, which rounds each month's counts before anything is added up
or derived (feedback.disclosure), so no subtraction of published figures undoes it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from core.models import TimeStamped


class TrialRequest(TimeStamped):
    """A council officer's request for a free trial, from the public "Start a free trial" page.

    unconfirmed → (email link) → confirmed → approved (onboarding starts) | declined.
    """

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", "Email not confirmed"
        CONFIRMED = "confirmed", "Waiting for review"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    council_name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50)
    contact_name = models.CharField(max_length=200)
    email = models.EmailField()  # stored lower-cased
    councillors = models.PositiveSmallIntegerField()
    start_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.UNCONFIRMED, db_index=True
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=254, blank=True)
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One request per council in the queue at a time.
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(status="confirmed"),
                name="trialrequest_one_pending_per_slug",
            ),
            models.CheckConstraint(
                condition=Q(councillors__gte=1) & Q(councillors__lte=500),
                name="trialrequest_councillors_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="trialrequest_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="trialrequest_email_lower"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council_name} ({self.get_status_display()})"


class AllowedEmailDomain(TimeStamped):
    """An email domain the central body accepts for trial requests although it is not a
    public-sector one (e.g. an arm's-length body). Matches the domain and its subdomains."""

    domain = models.CharField(max_length=253, unique=True)
    note = models.CharField(max_length=200, blank=True)
    added_by = models.CharField(max_length=254)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain__regex=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$"),
                name="allowedemaildomain_format",
            )
        ]

    def __str__(self) -> str:
        return self.domain


class OnboardingJob(TimeStamped):
    """One council being created by the onboarding Celery task, with the stage it reached.

    Every stage, the welcome email's outbox row included, runs in one transaction, so a
    failure anywhere leaves nothing behind. That transaction is invisible until it commits,
    so the live stage is published in the cache while the task runs; this row keeps the
    outcome (and, on failure, the stage and the reason).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "In progress"
        SUCCEEDED = "succeeded", "Council created"
        FAILED = "failed", "Failed; nothing was created"

    class Stage(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        VALIDATE = "validate", "Checking the details"
        SCHEMA = "schema", "Creating the council's database schema"
        DOMAIN = "domain", "Adding the council's web address"
        LICENCE = "licence", "Starting the trial licence"
        ADMIN = "admin", "Creating the first administrator"
        EMAIL = "email", "Queueing the welcome email"
        DONE = "done", "Done"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50)
    contact_email = models.EmailField(blank=True)
    trial_days = models.PositiveSmallIntegerField()
    seats = models.PositiveIntegerField()
    admin_email = models.EmailField()
    admin_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.QUEUED)
    failed_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    error = models.TextField(blank=True)
    council = models.ForeignKey(
        "tenants.Council",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="onboarding_jobs",
    )
    trial_request = models.OneToOneField(
        TrialRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="onboarding_job",
    )
    requested_by = models.CharField(max_length=254)
    # Queued in the public outbox in the same transaction as the council (mailer delivers
    # and retries it); the job page shows its delivery status.
    welcome_email = models.ForeignKey(
        "mailer.OutboundEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(status__in=["queued", "running"]),
                name="onboardingjob_one_active_per_slug",
            ),
            models.CheckConstraint(
                condition=Q(trial_days__gte=1) & Q(trial_days__lte=365),
                name="onboardingjob_trial_days_range",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="onboardingjob_seats_positive"),
            models.CheckConstraint(
                condition=~Q(status="failed") | (~Q(error="") & ~Q(failed_stage="")),
                name="onboardingjob_failed_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"Onboarding {self.slug} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)


class CouncilStats(TimeStamped):
    """Directory figures for one council, refreshed with its comparison figures, so the
    directory never queries hundreds of schemas per page."""

    council = models.OneToOneField(
        "tenants.Council", on_delete=models.CASCADE, related_name="stats"
    )
    councillors = models.PositiveIntegerField(default=0)  # seats used
    users = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["council__name"]
        verbose_name_plural = "council stats"

    def __str__(self) -> str:
        return f"Stats of {self.council_id}"


class CouncilMonthlyFigures(TimeStamped):
    """Aggregate figures of one council for one calendar month. Numbers only.

    Counts are raw; `*_hist` map whole days to a number of cases so medians and the 90th
    percentile can be computed exactly over any range of months. Breakdowns are keyed by
    codes the platform defines (category) or public statistical codes (ONS ward codes, or
    "ward-<id>" for a ward without one), never by a council's own wording; `ward_names`
    maps each ward key to the ward's public name (electoral geography, not personal data)
    so the pages can label it. A null BF or survey figure means "not measured".
    """

    council = models.ForeignKey(
        "tenants.Council", on_delete=models.CASCADE, related_name="monthly_figures"
    )
    month = models.DateField()  # the first day of the month
    days_covered = models.PositiveSmallIntegerField()  # fewer for the current month
    councillors = models.PositiveIntegerField(default=0)
    active_councillors = models.PositiveIntegerField(default=0)
    logins = models.PositiveIntegerField(default=0)
    cases_opened = models.PositiveIntegerField(default=0)
    cases_closed = models.PositiveIntegerField(default=0)
    close_days_median = models.FloatField(null=True, blank=True)
    close_days_p90 = models.FloatField(null=True, blank=True)
    close_days_hist = models.JSONField(default=dict, blank=True)
    first_action_cases = models.PositiveIntegerField(default=0)
    first_action_days_median = models.FloatField(null=True, blank=True)
    first_action_days_hist = models.JSONField(default=dict, blank=True)
    referrals_due = models.PositiveIntegerField(default=0)
    referrals_on_time = models.PositiveIntegerField(default=0)
    # Of referrals_due, those given more time: shown beside on time, never counted in it.
    referrals_extended = models.PositiveIntegerField(default=0)
    bfs_due = models.PositiveIntegerField(null=True, blank=True)
    bfs_on_time = models.PositiveIntegerField(null=True, blank=True)
    cases_with_bf = models.PositiveIntegerField(null=True, blank=True)
    actions = models.PositiveIntegerField(default=0)
    action_cases = models.PositiveIntegerField(default=0)
    time_minutes = models.PositiveIntegerField(default=0)
    time_cases = models.PositiveIntegerField(default=0)
    cases_by_category = models.JSONField(default=dict, blank=True)
    cases_by_ward = models.JSONField(default=dict, blank=True)
    # {ward key in cases_by_ward: the ward's name when the month was computed}. Empty in
    # rows stored before names were kept; feedback.figures.ward_label shows those by key.
    ward_names = models.JSONField(default=dict, blank=True)
    survey_responses = models.PositiveIntegerField(default=0)
    survey_quicker_sum = models.PositiveIntegerField(default=0)
    survey_engagement_sum = models.PositiveIntegerField(default=0)
    survey_easy_sum = models.PositiveIntegerField(default=0)
    # The questions for criteria 3, 4 and 6, asked since December 2026: answers that had
    # them, and their sums (0 in months before they were asked).
    survey_later_responses = models.PositiveIntegerField(default=0)
    survey_reminders_sum = models.PositiveIntegerField(default=0)
    survey_tracking_sum = models.PositiveIntegerField(default=0)
    survey_time_saved_sum = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["council_id", "month"]
        verbose_name_plural = "council monthly figures"
        constraints = [
            models.UniqueConstraint(fields=["council", "month"], name="figures_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="figures_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(referrals_on_time__lte=models.F("referrals_due")),
                name="figures_referrals_on_time_le_due",
            ),
        ]
        indexes = [models.Index(fields=["month", "council"], name="figures_month_idx")]

    def __str__(self) -> str:
        return f"{self.council_id} {self.month:%Y-%m}"
