"""Pages anyone may open on the platform host: the free-trial request and its confirmation."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from console.forms import TrialRequestForm
from console.services import TooManyRequests, trial_request_confirm, trial_request_create
from console.views.common import form_errors_from
from core.client_ip import client_ip
from core.errors import ApplicationError
from core.tenancy import in_public_schema


def _platform_only() -> None:
    from django.http import Http404

    if not in_public_schema():
        raise Http404


@require_http_methods(["GET", "POST"])
def trial_request_view(request: HttpRequest) -> HttpResponse:
    _platform_only()
    form = TrialRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                start = date(data["start_year"], data["start_month"], data["start_day"])
            except ValueError:
                start = None
            if start is None:
                form.add_error("start_day", "Enter a real date, like 1 9 2026.")
            else:
                try:
                    trial_request_create(
                        council_name=data["council_name"],
                        contact_name=data["contact_name"],
                        email=data["email"],
                        councillors=data["councillors"],
                        start_date=start,
                        client_ip=client_ip(request),
                    )
                except TooManyRequests as exc:
                    form.add_error(None, exc.message)
                    status = 429
                except ApplicationError as exc:
                    form_errors_from(form, exc)
                else:
                    request.session["trial_request_email"] = data["email"].lower()
                    return redirect("console:trial-sent")
        if status == 200:
            status = 400
    return render(request, "console/trial_request.html", {"form": form}, status=status)


def trial_sent_view(request: HttpRequest) -> HttpResponse:
    _platform_only()
    from django.conf import settings

    return render(
        request,
        "console/trial_sent.html",
        {
            "email": request.session.get("trial_request_email"),
            "hours": settings.CONSOLE_TRIAL_CONFIRM_HOURS,
        },
    )


@require_http_methods(["GET", "POST"])
def trial_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST confirms. Mail scanners open links (GET) on their
    own, and must not confirm a request for the person."""
    _platform_only()
    if request.method == "GET":
        return render(request, "console/trial_confirm.html", {"token": token})
    try:
        trial = trial_request_confirm(token=token)
    except ApplicationError as exc:
        return render(request, "console/trial_confirmed.html", {"error": exc.message}, status=400)
    return render(request, "console/trial_confirmed.html", {"trial": trial})
