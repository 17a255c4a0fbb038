"""The council's own evaluation page (/evaluation/ on its host): its figures against the
pilot's six criteria over the trial, month by month, as the central body publishes them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from core.web import council_page
from feedback.disclosure import rule_text
from feedback.evaluation import EVALUATION_ROLES, council_evaluation_get


@council_page(roles=EVALUATION_ROLES)
def evaluation_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    evaluation = council_evaluation_get(user=user, council=request.council)  # type: ignore[attr-defined]
    return render(
        request,
        "feedback/evaluation.html",
        {
            "evaluation": evaluation,
            "disclosure_rule": rule_text(),
            "is_admin": user.role == User.Role.ADMIN,
        },
    )
