"""The council admin's retention page: the schedule, cases about to be anonymised, legal
holds and the last runs. Plain forms; no JavaScript needed."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import ADMINS
from caseload.models import Category
from caseload.services import AlreadySubmitted, submit_once
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError
from core.web import add_service_error, council_page, posted
from privacy import selectors, services
from privacy.forms import HoldForm, ScheduleForm


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _page(
    request: HttpRequest,
    *,
    schedule_form: ScheduleForm | None = None,
    hold_form: HoldForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "privacy/retention.html",
        {
            "schedule": selectors.retention_schedule_for_admin(user=user),
            "candidates": selectors.retention_candidates_for_admin(user=user),
            "holds": selectors.legal_holds_for_admin(user=user),
            "runs": selectors.retention_runs_for_admin(user=user, limit=10),
            "schedule_form": schedule_form,
            "hold_form": hold_form or HoldForm(),
            "form": schedule_form if schedule_form is not None else hold_form,
            "preview_days": settings.RETENTION_PREVIEW_DAYS,
        },
        status=status,
    )


@council_page(roles=ADMINS)
def retention_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@council_page(roles=ADMINS)
@require_POST
def retention_schedule_save(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(posted(request))
    if form.is_valid():
        category_id = form.cleaned_data["category"]
        category = Category.objects.filter(pk=category_id).first() if category_id else None
        if category_id and category is None:
            form.add_error(None, "That category no longer exists.")
        else:
            try:
                services.retention_schedule_set(
                    actor=_user(request),
                    category=category,
                    keep_months=form.cleaned_data["keep_months"],
                )
            except ApplicationError as exc:
                add_service_error(form, exc)
            else:
                label = category.name if category else "The default"
                messages.success(
                    request,
                    f"{label}: cases are kept {form.cleaned_data['keep_months']} months "
                    "after closing.",
                )
                return redirect("privacy:retention")
    return _page(request, schedule_form=form, status=400)


@council_page(roles=ADMINS)
@require_POST
def retention_hold_place(request: HttpRequest) -> HttpResponse:
    form = HoldForm(posted(request))
    if form.is_valid():
        try:
            case = selectors.case_by_reference_for_admin(
                user=_user(request), reference=form.cleaned_data["case_reference"]
            )
            hold = submit_once(
                user=_user(request),
                token=form.cleaned_data.get("form_token") or "",
                kind="legal hold",
                create=lambda: services.legal_hold_place(
                    actor=_user(request), case=case, reason=form.cleaned_data["reason"]
                ),
                describe=lambda h: (h.case.reference, reverse("privacy:retention")),
            )
        except AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc, field_map={"reference": "case_reference"})
        else:
            messages.success(request, f"{hold.case.reference} is held: it will not be anonymised.")
            return redirect("privacy:retention")
    return _page(request, hold_form=form, status=400)


@council_page(roles=ADMINS)
@require_POST
def retention_hold_lift(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = selectors.legal_hold_get_for_admin(user=_user(request), hold_id=hold_id)
    try:
        services.legal_hold_lift(actor=_user(request), hold=hold)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The hold on {hold.case.reference} is lifted.")
    return redirect("privacy:retention")
