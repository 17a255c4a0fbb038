"""The central body's queue of trial requests, and the email domains it accepts."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from console.forms import AllowedDomainForm, ApproveForm, DeclineForm
from console.models import AllowedEmailDomain, TrialRequest
from console.permissions import central_staff_required
from console.services import (
    allowed_domain_add,
    allowed_domain_remove,
    trial_request_approve,
    trial_request_decline,
)
from console.views.common import actor_of, form_errors_from
from core.errors import ApplicationError


@central_staff_required
def queue_view(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "waiting")
    requests = TrialRequest.objects.select_related("onboarding_job")
    if show == "waiting":
        requests = requests.filter(status=TrialRequest.Status.CONFIRMED).order_by("confirmed_at")
    elif show in TrialRequest.Status.values:
        requests = requests.filter(status=show)
    return render(
        request,
        "console/trial_queue.html",
        {
            "requests": requests[:200],
            "show": show,
            # "Waiting for review" is the first link already (the confirmed requests).
            "statuses": [
                (value, label)
                for value, label in TrialRequest.Status.choices
                if value != TrialRequest.Status.CONFIRMED
            ],
        },
    )


def _detail(request: HttpRequest, trial: TrialRequest, **forms: object) -> HttpResponse:
    context = {
        "trial": trial,
        "approve_form": forms.get("approve_form") or ApproveForm(),
        "decline_form": forms.get("decline_form") or DeclineForm(),
    }
    status = 400 if forms else 200
    return render(request, "console/trial_detail.html", context, status=status)


@central_staff_required
def trial_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    trial = get_object_or_404(TrialRequest.objects.select_related("onboarding_job"), pk=pk)
    return _detail(request, trial)


@central_staff_required
@require_POST
def trial_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    trial = get_object_or_404(TrialRequest, pk=pk)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            job = trial_request_approve(
                request_id=trial.pk,
                actor=actor_of(request),
                trial_days=form.cleaned_data.get("trial_days"),
                seats=form.cleaned_data.get("seats"),
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"Approved. {trial.council_name} is being created.")
            return redirect("console:onboarding-job", pk=job.pk)
    return _detail(request, trial, approve_form=form)


@central_staff_required
@require_POST
def trial_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    trial = get_object_or_404(TrialRequest, pk=pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            trial_request_decline(
                request_id=trial.pk, actor=actor_of(request), reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"Declined. {trial.contact_name} has been told why.")
            return redirect("console:trial-queue")
    return _detail(request, trial, decline_form=form)


@central_staff_required
@require_http_methods(["GET", "POST"])
def domains_view(request: HttpRequest) -> HttpResponse:
    form = AllowedDomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = allowed_domain_add(
                domain=form.cleaned_data["domain"],
                note=form.cleaned_data["note"],
                actor=actor_of(request),
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"Trial requests from {added.domain} are now accepted.")
            return redirect("console:allowed-domains")
    from django.conf import settings

    return render(
        request,
        "console/allowed_domains.html",
        {
            "form": form,
            "domains": AllowedEmailDomain.objects.all(),
            "suffixes": settings.CONSOLE_PUBLIC_SECTOR_EMAIL_SUFFIXES,
        },
        status=400 if form.errors else 200,
    )


@central_staff_required
@require_POST
def domain_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    allowed_domain_remove(domain_id=pk)
    messages.success(request, "Domain removed.")
    return redirect("console:allowed-domains")
