from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.errors import ApplicationError
from core.errors import PermissionDenied as AppPermissionDenied
from feedback.context_processors import SESSION_KEY
from feedback.forms import SurveyForm
from feedback.selectors import survey_comments_for_admin, survey_summary_for_admin
from feedback.services import survey_month, survey_skip, survey_submit


def _council_only(request: HttpRequest) -> None:
    if getattr(request, "council", None) is None:
        raise DjangoPermissionDenied


@login_required
def survey_view(request: HttpRequest) -> HttpResponse:
    """This month's six questions (one per pilot criterion), for councillors."""
    _council_only(request)
    if not request.user.is_councillor:  # type: ignore[union-attr]
        raise DjangoPermissionDenied
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "skip":
        survey_skip(user=request.user)  # type: ignore[arg-type]
        request.session[SESSION_KEY] = survey_month().isoformat()
        messages.info(request, "We will ask again next month.")
        return redirect("/")
    if request.method == "POST" and form.is_valid():
        try:
            survey_submit(
                user=request.user,  # type: ignore[arg-type]
                quicker=int(form.cleaned_data["quicker"]),
                engagement=int(form.cleaned_data["engagement"]),
                easy=int(form.cleaned_data["easy"]),
                reminders=int(form.cleaned_data["reminders"]),
                tracking=int(form.cleaned_data["tracking"]),
                time_saved=int(form.cleaned_data["time_saved"]),
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("/")
        request.session[SESSION_KEY] = survey_month().isoformat()
        messages.success(request, "Thank you. Your answers help decide how the service grows.")
        return redirect("/")
    return render(
        request,
        "feedback/survey.html",
        {"form": form, "month": survey_month()},
        status=400 if form.errors else 200,
    )


@login_required
def results_view(request: HttpRequest) -> HttpResponse:
    """Average scores and comments, for the council's administrators only."""
    _council_only(request)
    try:
        summary = survey_summary_for_admin(user=request.user)  # type: ignore[arg-type]
        comments = survey_comments_for_admin(user=request.user)[:200]  # type: ignore[arg-type]
    except AppPermissionDenied as exc:
        raise DjangoPermissionDenied from exc
    return render(request, "feedback/results.html", {"summary": summary, "comments": comments})
