"""The data exit's page (/data-exit/), for council admins: request the full casework export,
approve or refuse another admin's request, cancel one's own, follow the build's progress
(htmx polls while it builds; a refresh link without JavaScript) and download the archive
until it expires. Every step is in dataexit.services."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import ADMINS
from caseload.services import AlreadySubmitted, submit_once
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError
from core.web import add_service_error, council_page, posted
from dataexit import selectors, services
from dataexit.forms import DataExitRefuseForm, DataExitRequestForm
from dataexit.models import DataExit


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _context(user: User, form: DataExitRequestForm) -> dict[str, object]:
    exits = list(selectors.data_exit_list_for_admin(user=user)[:20])
    current = next((e for e in exits if e.status in DataExit.OPEN_STATUSES), None)
    return {
        "form": form,
        "refuse_form": DataExitRefuseForm(),
        "current": current,
        "history": [e for e in exits if e is not current],
        "admins": services.admin_count(),
        "expiry_hours": services.expiry_hours(),
        "me": user,
    }


@council_page(roles=ADMINS)
def data_exit_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = DataExitRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            submit_once(
                user=user,
                token=form.cleaned_data.get("form_token") or "",
                kind="request",
                create=lambda: services.data_exit_request(
                    actor=user, reason=form.cleaned_data["reason"], request=request
                ),
                describe=lambda x: (
                    f"the data exit of {timezone.localtime(x.created_at):%-d %B %Y}",
                    reverse("dataexit:page"),
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
                "Requested. Another administrator must approve it before the archive is made.",
            )
            return redirect("dataexit:page")
    return render(request, "dataexit/data_exit.html", _context(user, form))


@council_page(roles=ADMINS)
def data_exit_progress(request: HttpRequest, data_exit_id: int) -> HttpResponse:
    """The status panel alone, for htmx's poll (204 when nothing changed since `seen`)."""
    user = _user(request)
    exit_ = selectors.data_exit_get_for_admin(user=user, data_exit_id=data_exit_id)
    if not request.headers.get("HX-Request"):
        return redirect("dataexit:page")
    if request.GET.get("seen") == _poll_key(exit_):
        return HttpResponse(status=204)
    return render(
        request,
        "dataexit/_status.html",
        {"current": exit_, "me": user, "expiry_hours": services.expiry_hours()},
    )


def _poll_key(exit_: DataExit) -> str:
    return f"{exit_.status}:{exit_.progress_done}:{exit_.progress_total}"


def _decide(request: HttpRequest, data_exit_id: int, verb: str) -> HttpResponse:
    user = _user(request)
    exit_ = selectors.data_exit_get_for_admin(user=user, data_exit_id=data_exit_id)
    try:
        if verb == "approve":
            services.data_exit_approve(actor=user, data_exit=exit_, request=request)
            done = "Approved. The councillors have been told; the archive is being built."
        elif verb == "refuse":
            form = DataExitRefuseForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            services.data_exit_refuse(actor=user, data_exit=exit_, note=note, request=request)
            done = "Refused. No archive will be made."
        else:
            services.data_exit_cancel(actor=user, data_exit=exit_, request=request)
            done = "Your request is cancelled."
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("dataexit:page")


@council_page(roles=ADMINS)
@require_POST
def data_exit_approve(request: HttpRequest, data_exit_id: int) -> HttpResponse:
    return _decide(request, data_exit_id, "approve")


@council_page(roles=ADMINS)
@require_POST
def data_exit_refuse(request: HttpRequest, data_exit_id: int) -> HttpResponse:
    return _decide(request, data_exit_id, "refuse")


@council_page(roles=ADMINS)
@require_POST
def data_exit_cancel(request: HttpRequest, data_exit_id: int) -> HttpResponse:
    return _decide(request, data_exit_id, "cancel")


@council_page(roles=ADMINS)
def data_exit_download(request: HttpRequest, data_exit_id: int) -> HttpResponseBase:
    user = _user(request)
    exit_ = selectors.data_exit_get_for_admin(user=user, data_exit_id=data_exit_id)
    try:
        handle, filename = services.data_exit_download(actor=user, data_exit=exit_, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("dataexit:page")
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/zip"
    )
