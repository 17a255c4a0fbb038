"""The officer directory: everyone reads it; Members' Services staff and admins keep it
(add, change, mark as left, import from CSV with a per-row error report)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.models import User
from accounts.roles import DIRECTORY_KEEPERS
from caseload import selectors, services
from caseload.forms import CsvUploadForm, OfficerFilterForm, OfficerForm
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError
from core.web import (
    add_service_error,
    council_page,
    paginate,
    posted,
    posted_files,
    query_without_page,
)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@council_page()
def officer_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = OfficerFilterForm(request.GET or None)
    filters = selectors.OfficerFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = selectors.OfficerFilters(
            active=None if d["left"] else True,
            category_id=d["category"].pk if d.get("category") else None,
            ward_id=d["ward"].pk if d.get("ward") else None,
            q=d.get("q") or "",
        )
    page = paginate(request, selectors.officer_list(user=user, filters=filters))
    return render(
        request,
        "caseload/officer_list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query_without_page(request.GET),
            "can_keep": selectors.user_keeps_directory(user),
        },
    )


@council_page()
def officer_detail(request: HttpRequest, officer_id: int) -> HttpResponse:
    user = _user(request)
    officer = selectors.officer_get(user=user, officer_id=officer_id)
    return render(
        request,
        "caseload/officer_detail.html",
        {"officer": officer, "can_keep": selectors.user_keeps_directory(user)},
    )


def _officer_fields(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": d["name"],
        "email": d["email"],
        "job_title": d["job_title"],
        "service": d["service"],
        "phone": d["phone"],
        "topics": list(d["topics"]),
        "wards": list(d["wards"]),
        "is_active": d["is_active"],
    }


@council_page(roles=DIRECTORY_KEEPERS)
def officer_create(request: HttpRequest) -> HttpResponse:
    form = OfficerForm(posted(request), initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            officer = services.submit_once(
                user=_user(request),
                token=form.cleaned_data.get("form_token") or "",
                kind="officer",
                create=lambda: services.officer_create(
                    actor=_user(request), **_officer_fields(form.cleaned_data)
                ),
                describe=lambda o: (
                    o.name,
                    reverse("caseload:officer-detail", kwargs={"officer_id": o.pk}),
                ),
            )
        except services.AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{officer.name} added to the directory.")
            return redirect("caseload:officer-detail", officer_id=officer.pk)
    return render(request, "caseload/officer_form.html", {"form": form, "officer": None})


@council_page(roles=DIRECTORY_KEEPERS)
def officer_edit(request: HttpRequest, officer_id: int) -> HttpResponse:
    user = _user(request)
    officer = selectors.officer_get(user=user, officer_id=officer_id)
    initial = {
        "name": officer.name,
        "email": officer.email,
        "job_title": officer.job_title,
        "service": officer.service,
        "phone": officer.phone,
        "topics": [c.pk for c in officer.topics.all()],
        "wards": [w.pk for w in officer.wards.all()],
        "is_active": officer.is_active,
    }
    form = OfficerForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_update(
                actor=user, officer=officer, **_officer_fields(form.cleaned_data)
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{officer.name}'s details saved.")
            return redirect("caseload:officer-detail", officer_id=officer.pk)
    return render(request, "caseload/officer_form.html", {"form": form, "officer": officer})


@council_page(roles=DIRECTORY_KEEPERS)
def officer_import(request: HttpRequest) -> HttpResponse:
    """Import officers from CSV. Good rows are saved; each bad row is listed with why."""
    form = CsvUploadForm(posted(request), posted_files(request))
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.officer_import_csv(
                actor=_user(request), file=form.cleaned_data["file"]
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
    return render(request, "caseload/officer_import.html", {"form": form, "result": result})
