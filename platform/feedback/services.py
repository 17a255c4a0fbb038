"""Writes for the monthly survey."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from billing.services import licence_assert_writable
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.tenancy import current_schema
from feedback.models import SurveyResponse

COMMENT_MAX_LENGTH = 2000


def survey_month(today: date | None = None) -> date:
    """The month a survey answered today is about (the first of the current local month)."""
    today = today or timezone.localdate()
    return today.replace(day=1)


def _require_councillor(user: User) -> None:
    if not user.is_councillor:
        raise PermissionDenied("The monthly survey is for councillors.")


def _score(name: str, value: object) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5:
        raise ValidationFailed(
            "Choose a score from 1 to 5 for every question.",
            extra={name: ["Choose a score from 1 (strongly disagree) to 5 (strongly agree)."]},
        )
    return number


@transaction.atomic
def survey_submit(
    *,
    user: User,
    quicker: int,
    engagement: int,
    easy: int,
    reminders: int,
    tracking: int,
    time_saved: int,
    comment: str = "",
    today: date | None = None,
) -> SurveyResponse:
    """Record this month's answer to all six questions (one per pilot criterion). A "not
    now" earlier in the month may be replaced by an answer; a second answer for the same
    month is refused."""
    _require_councillor(user)
    licence_assert_writable(schema_name=current_schema())
    scores = {
        "quicker": _score("quicker", quicker),
        "engagement": _score("engagement", engagement),
        "easy": _score("easy", easy),
        "reminders": _score("reminders", reminders),
        "tracking": _score("tracking", tracking),
        "time_saved": _score("time_saved", time_saved),
    }
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationFailed(
            f"Comments are limited to {COMMENT_MAX_LENGTH} characters.",
            extra={"comment": [f"At most {COMMENT_MAX_LENGTH} characters."]},
        )
    month = survey_month(today)
    existing = SurveyResponse.objects.select_for_update().filter(user=user, month=month).first()
    if existing is not None and not existing.skipped:
        raise Conflict("You have already answered this month's survey. Thank you.")
    if existing is not None:
        existing.skipped = False
        existing.comment = comment
        for field, value in scores.items():
            setattr(existing, field, value)
        existing.save(update_fields=["skipped", "comment", *scores, "updated_at"])
        return existing
    try:
        with transaction.atomic():
            return SurveyResponse.objects.create(user=user, month=month, comment=comment, **scores)
    except IntegrityError as exc:  # a double submit racing this one
        raise Conflict("You have already answered this month's survey. Thank you.") from exc


@transaction.atomic
def survey_skip(*, user: User, today: date | None = None) -> SurveyResponse:
    """ "Not now": stop asking this month. Idempotent."""
    _require_councillor(user)
    month = survey_month(today)
    response, _ = SurveyResponse.objects.get_or_create(
        user=user, month=month, defaults={"skipped": True}
    )
    return response
