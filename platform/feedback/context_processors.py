from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from billing.middleware import licence_for_request
from feedback.selectors import survey_is_due
from feedback.services import survey_month

# The month (ISO date) this session's councillor has dealt with, so most pages cost no query.
SESSION_KEY = "feedback_survey_done"


def survey_prompt(request: HttpRequest) -> dict[str, Any]:
    """Ask councillors once a month, on every council page, until they answer or say not now."""
    if getattr(request, "council", None) is None:
        return {}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_councillor", False):
        return {}
    if request.path.startswith("/survey/"):
        return {}
    month = survey_month().isoformat()
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) == month:
        return {}
    licence = licence_for_request(request)
    if licence is not None and licence.is_read_only:
        return {}
    if not survey_is_due(user=user):
        if session is not None:
            session[SESSION_KEY] = month
        return {}
    return {"survey_prompt_template": "feedback/prompt.html"}
