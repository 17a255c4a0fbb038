"""A councillor's delegations (/delegations/): who acts for them, proposals waiting for
their consent (confirm or decline), granting one directly, and ending one. Staff see whom
they act for and may step down. Plain forms; works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from caseload import selectors, services
from caseload.forms import DelegationGrantForm
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError
from core.web import add_service_error, council_page, posted

ROLES = {User.Role.COUNCILLOR, User.Role.STAFF}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@council_page(roles=ROLES)
def delegations(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    is_councillor = user.role == User.Role.COUNCILLOR
    form = DelegationGrantForm(posted(request)) if is_councillor else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        try:
            delegation = services.submit_once(
                user=user,
                token=d.get("form_token") or "",
                kind="delegation",
                create=lambda: services.delegation_propose(
                    actor=user, staff=d["staff"], councillor=user, request=request
                ),
                describe=lambda x: (
                    f"{x.staff.name} acts for you",
                    reverse("caseload:delegations"),
                ),
            )
        except services.AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{delegation.staff.name} now acts for you.")
            return redirect("caseload:delegations")
    rows = list(selectors.delegation_list(user=user))
    return render(
        request,
        "caseload/delegations.html",
        {
            "form": form,
            "is_councillor": is_councillor,
            "pending": [d for d in rows if d.confirmed_at is None],
            "active": [d for d in rows if d.confirmed_at is not None],
        },
    )


def _act(request: HttpRequest, delegation_id: int, verb: str) -> HttpResponse:
    user = _user(request)
    delegation = selectors.delegation_get_for_user(user=user, delegation_id=delegation_id)
    staff, councillor = delegation.staff.name, delegation.councillor.name
    try:
        if verb == "confirm":
            services.delegation_confirm(actor=user, delegation=delegation, request=request)
            done = f"{staff} now acts for you."
        elif verb == "decline":
            services.delegation_decline(actor=user, delegation=delegation, request=request)
            done = f"You declined the proposal that {staff} act for you."
        else:
            services.delegation_revoke(actor=user, delegation=delegation, request=request)
            done = f"{staff} no longer acts for {councillor}."
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("caseload:delegations")


@council_page(roles=ROLES)
@require_POST
def delegation_confirm(request: HttpRequest, delegation_id: int) -> HttpResponse:
    return _act(request, delegation_id, "confirm")


@council_page(roles=ROLES)
@require_POST
def delegation_decline(request: HttpRequest, delegation_id: int) -> HttpResponse:
    return _act(request, delegation_id, "decline")


@council_page(roles=ROLES)
@require_POST
def delegation_revoke(request: HttpRequest, delegation_id: int) -> HttpResponse:
    return _act(request, delegation_id, "revoke")
