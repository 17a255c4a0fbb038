"""Subject access requests on the web (/subject-access/): the list with due dates, a new
request, and each request's page (find and confirm the requester's records, extend, stop
and restart the clock, download the archive, complete or refuse). Plain forms; no
JavaScript needed. Councillors and the staff acting for them only; admins get 403."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.roles import CASEWORK
from caseload.selectors import owner_choices_for_user
from caseload.services import AlreadySubmitted, submit_once
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError
from core.web import add_service_error, council_page, paginate, posted
from privacy import selectors, services
from privacy.forms_subject_access import (
    CloseForm,
    ConfirmForm,
    ExtendForm,
    RequestForm,
    SearchForm,
)
from privacy.models import SubjectAccessRequest
from privacy.services.subject_access import MAX_EXTENSION_MONTHS, current_due_on


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@dataclass(frozen=True)
class Row:
    sar: SubjectAccessRequest
    due_on: date
    overdue: bool


def _row(sar: SubjectAccessRequest, today: date) -> Row:
    due = current_due_on(sar, today=today)
    return Row(sar=sar, due_on=due, overdue=not sar.is_closed and due < today)


@council_page(roles=CASEWORK)
@require_GET
def subject_access_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.subject_access_list_for_user(user=_user(request)))
    today = timezone.localdate()
    return render(
        request,
        "privacy/subject_access_list.html",
        {"page_obj": page, "rows": [_row(sar, today) for sar in page], "today": today},
    )


@council_page(roles=CASEWORK)
@require_http_methods(["GET", "POST"])
def subject_access_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    councillors = [(c.pk, c.name or c.email) for c in owner_choices_for_user(user=user)]
    form = RequestForm(posted(request), councillors=councillors)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sar = submit_once(
                user=user,
                token=data.get("form_token") or "",
                kind="request",
                create=lambda: services.subject_access_open(
                    actor=user,
                    councillor=User.objects.get(pk=data["councillor"]),
                    requester_name=data["requester_name"],
                    received_on=data["received_on"],
                    email=data["email"],
                    phone=data["phone"],
                    postcode=data["postcode"],
                ),
                # Not the requester's name: the token's record is kept apart from the request.
                describe=lambda s: (
                    f"no. {s.pk}, due {s.due_on:%-d %B %Y}",
                    reverse("privacy_casework:subject-access-detail", args=[s.pk]),
                ),
            )
        except AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Request recorded: due {sar.due_on:%-d %B %Y}. A BF is on your dashboard. "
                "Now find and confirm the requester's records.",
            )
            return redirect("privacy_casework:subject-access-detail", sar.pk)
    return render(
        request,
        "privacy/subject_access_new.html",
        {"form": form, "no_councillor": not councillors},
        status=400 if form.errors else 200,
    )


def _detail(
    request: HttpRequest,
    sar: SubjectAccessRequest,
    *,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    user = _user(request)
    search = SearchForm(
        request.GET
        if any(k in request.GET for k in ("name", "email", "phone", "postcode"))
        else None,
        initial={
            "name": sar.requester_name,
            "email": sar.email,
            "phone": sar.phone,
            "postcode": sar.postcode,
        },
    )
    terms = search.cleaned_data if search.is_bound and search.is_valid() else search.initial
    matches = selectors.subject_access_matches(
        user=user,
        sar=sar,
        **{key: terms.get(key, "") for key in ("name", "email", "phone", "postcode")},
    )
    confirm = forms.pop("confirm_form", None) or ConfirmForm(
        initial={"constituent_ids": sar.confirmed_constituent_ids},
        choices=[(m.constituent.pk, m.constituent.name) for m in matches],
    )
    extend = forms.pop("extend_form", None) or ExtendForm()
    close = forms.pop("close_form", None) or CloseForm()
    context: dict[str, Any] = {
        "sar": sar,
        "row": _row(sar, timezone.localdate()),
        "search_form": search,
        "matches": matches,
        "confirm_form": confirm,
        "extend_form": extend,
        "close_form": close,
        "extension_left": MAX_EXTENSION_MONTHS - sar.extension_months,
        # The error summary shows whichever form failed.
        "form": next((f for f in (confirm, extend, close) if f.errors), None),
    }
    return render(request, "privacy/subject_access_detail.html", context, status=status)


@council_page(roles=CASEWORK)
@require_GET
def subject_access_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    sar = selectors.subject_access_get_for_user(user=_user(request), request_id=request_id)
    return _detail(request, sar)


@council_page(roles=CASEWORK)
@require_POST
def subject_access_confirm(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    sar = selectors.subject_access_get_for_user(user=user, request_id=request_id)
    ids = [int(v) for v in request.POST.getlist("constituent_ids") if v.isdigit()]
    form = ConfirmForm(request.POST, choices=[(pk, str(pk)) for pk in ids])
    if form.is_valid():
        try:
            services.subject_access_confirm(
                actor=user, sar=sar, constituent_ids=form.cleaned_data["constituent_ids"]
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{len(ids)} record(s) confirmed as the requester's.")
            return redirect("privacy_casework:subject-access-detail", sar.pk)
    return _detail(request, sar, status=400, confirm_form=form)


@council_page(roles=CASEWORK)
@require_POST
def subject_access_extend(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    sar = selectors.subject_access_get_for_user(user=user, request_id=request_id)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            sar = services.subject_access_extend(
                actor=user,
                sar=sar,
                months=form.cleaned_data["months"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Extended: now due {sar.due_on:%-d %B %Y}.")
            return redirect("privacy_casework:subject-access-detail", sar.pk)
    return _detail(request, sar, status=400, extend_form=form)


@council_page(roles=CASEWORK)
@require_POST
def subject_access_pause(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    sar = selectors.subject_access_get_for_user(user=user, request_id=request_id)
    try:
        if sar.status == SubjectAccessRequest.Status.PAUSED:
            sar = services.subject_access_resume(actor=user, sar=sar)
            messages.success(request, f"Clock restarted: now due {sar.due_on:%-d %B %Y}.")
        else:
            services.subject_access_pause(actor=user, sar=sar)
            messages.success(request, "Clock stopped until you restart it.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _detail(request, sar, status=exc.status_code)
    return redirect("privacy_casework:subject-access-detail", sar.pk)


@council_page(roles=CASEWORK)
@require_POST
def subject_access_close(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    sar = selectors.subject_access_get_for_user(user=user, request_id=request_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            sar = services.subject_access_close(
                actor=user,
                sar=sar,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Request {sar.get_status_display().lower()}.")
            return redirect("privacy_casework:subject-access-detail", sar.pk)
    return _detail(request, sar, status=400, close_form=form)


@council_page(roles=CASEWORK)
@require_GET
def subject_access_archive(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    sar = selectors.subject_access_get_for_user(user=user, request_id=request_id)
    try:
        filename, content = services.subject_access_archive(actor=user, sar=sar)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _detail(request, sar, status=exc.status_code)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
