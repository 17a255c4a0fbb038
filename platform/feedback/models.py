"""The monthly survey councillors answer in the app. Lives in each council's schema
(feedback is a TENANT_APP): comments never leave it; the central body gets only monthly
counts and sums of scores (console.services.figures)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# Spelled out with isnull=False: a CHECK on NULL passes, so ranges alone would let a
# response without scores through.
SCORE_RANGE = (
    Q(quicker__isnull=False, quicker__gte=1, quicker__lte=5)
    & Q(engagement__isnull=False, engagement__gte=1, engagement__lte=5)
    & Q(easy__isnull=False, easy__gte=1, easy__lte=5)
)
# The questions added later (criteria 3, 4 and 6) are null in answers given before they
# were asked, so old answers stay as they were; when present they are on the same scale.
# The service asks all six of every new answer.
LATER_SCORE_RANGE = (
    (Q(reminders__isnull=True) | Q(reminders__gte=1, reminders__lte=5))
    & (Q(tracking__isnull=True) | Q(tracking__gte=1, tracking__lte=5))
    & (Q(time_saved__isnull=True) | Q(time_saved__gte=1, time_saved__lte=5))
)
LATER_QUESTIONS = ("reminders", "tracking", "time_saved")


class SurveyResponse(models.Model):
    """One councillor's answer for one month, or their "not now" for that month (skipped).

    Questions map to the pilot's criteria that figures cannot measure:
    `quicker` (1. makes tasks easier and quicker), `engagement` (2. improves engagement and
    management of actions for constituents), `easy` (5. simple and easy to use); and, asked
    since December 2026 so that every criterion has a question, `reminders` (3. feedback
    and reminders of important actions), `tracking` (4. keeping track of case actions),
    `time_saved` (6. frees up time). 1-5 scale; the later three are null in older answers.
    """

    # Indexed by survey_once_per_month, which leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="survey_responses",
        db_index=False,
    )
    month = models.DateField()  # the first day of the month asked about
    skipped = models.BooleanField(default=False)
    quicker = models.PositiveSmallIntegerField(null=True, blank=True)
    engagement = models.PositiveSmallIntegerField(null=True, blank=True)
    easy = models.PositiveSmallIntegerField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(null=True, blank=True)
    tracking = models.PositiveSmallIntegerField(null=True, blank=True)
    time_saved = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="survey_once_per_month"),
            models.CheckConstraint(
                condition=(
                    Q(skipped=True, quicker__isnull=True, engagement__isnull=True)
                    & Q(easy__isnull=True, comment="")
                    & Q(reminders__isnull=True, tracking__isnull=True, time_saved__isnull=True)
                )
                | (Q(skipped=False) & SCORE_RANGE & LATER_SCORE_RANGE),
                name="survey_scores_unless_skipped",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="survey_month_first_day"),
        ]
        indexes = [models.Index(fields=["month"], name="survey_month_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.month:%Y-%m}{' (skipped)' if self.skipped else ''}"
