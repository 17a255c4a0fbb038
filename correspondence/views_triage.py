"""The inbound triage queue on the web, for Members' Services staff (the API's rule:
correspondence.selectors.triage_list): mail that matched no case and came from no known
user. File it on a case, open a new case from it, or discard it with a reason.

An unverified sender (no DKIM, DMARC or SPF pass) is shown as such on the list and the
message; nothing here is applied without a person choosing it. One page per message, three
plain forms, no JavaScript: each posts to the same address with the button that says which.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.roles import STAFF_ONLY
from caseload.selectors import case_get_by_reference_for_user, owner_choices_for_user
from caseload.services import AlreadySubmitted, submit_once
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError, NotFound, PermissionDenied
from core.web import add_service_error, council_page, paginate
from correspondence import selectors, services
from correspondence.forms import TriageAssignForm, TriageDismissForm, TriageOpenCaseForm
from correspondence.models import InboundEmail


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@council_page(roles=STAFF_ONLY)
@require_http_methods(["GET"])
def triage_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.triage_list(user=_user(request)))
    return render(request, "correspondence/triage_list.html", {"page_obj": page})


@council_page(roles=STAFF_ONLY)
@require_http_methods(["GET", "POST"])
def triage_detail(request: HttpRequest, inbound_id: int) -> HttpResponse:
    user = _user(request)
    inbound = selectors.triage_get(user=user, inbound_id=inbound_id)
    owners = owner_choices_for_user(user=user)
    do = request.POST.get("do") if request.method == "POST" else None
    assign = TriageAssignForm(request.POST if do == "assign" else None, prefix="assign")
    open_case = TriageOpenCaseForm(
        request.POST if do == "open" else None, owners=owners, prefix="open"
    )
    dismiss = TriageDismissForm(request.POST if do == "dismiss" else None, prefix="dismiss")
    form: Any = {"assign": assign, "open": open_case, "dismiss": dismiss}.get(do or "")
    has_owners = owners.exists()
    if do == "open" and not has_owners:
        # The page shows no such form then; say why at the top rather than on a field.
        form = forms.Form({})
        form.is_valid()
        form.add_error(None, "You support no councillor, so you cannot open a case for one.")
    acting = form in (assign, open_case, dismiss)  # not the no-councillor notice
    # "Open a new case" sent again after it worked must still reach submit_once, which
    # answers with the case it made; the other two need a message still waiting.
    waiting = inbound.status == inbound.Status.TRIAGE or form is open_case
    if acting and waiting and form.is_valid():
        d = form.cleaned_data
        try:
            if do == "assign":
                done = _assign(user, inbound, form)
            elif do == "open":
                done = submit_once(
                    user=user,
                    token=d.get("form_token") or "",
                    kind="case",
                    create=lambda: services.triage_open_case(
                        actor=user, inbound=inbound, owner=d["owner"], title=d["title"]
                    ),
                    describe=_case_made,
                )
            else:
                done = services.triage_dismiss(actor=user, inbound=inbound, reason=d["reason"])
        except (NotFound, PermissionDenied):
            raise  # the page's own answer: a 404, or a 403 such as a read-only council
        except AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            if done is not None:
                messages.success(request, f"{done.reason}.")
                return redirect("correspondence:triage-list")
    return render(
        request,
        "correspondence/triage_detail.html",
        {
            "inbound": inbound,
            "assign": assign,
            "open_case": open_case,
            "dismiss": dismiss,
            "has_owners": has_owners,
            "errors_of": form,
        },
    )


def _case_made(done: InboundEmail) -> tuple[str, str]:
    if done.case is None:  # not so: opening a case files the message on it
        return "", ""
    return done.case.reference, reverse("caseload:case-detail", kwargs={"case_id": done.case_id})


def _assign(user: User, inbound: InboundEmail, form: TriageAssignForm) -> InboundEmail | None:
    """File on the case typed; a reference that names no case the user can change is a
    problem with the form (None, the error on it), not a missing page."""
    reference = form.cleaned_data["reference"].strip()
    try:
        case = case_get_by_reference_for_user(user=user, reference=reference)
        return services.triage_assign(actor=user, inbound=inbound, case=case)
    except NotFound:
        form.add_error("reference", f"No case {reference.upper()} that you can change")
        return None
