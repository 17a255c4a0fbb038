"""BF pages on a council's site: a case's BFs on its page (a section reminders adds through
caseload.page_hooks), and plain forms to add, snooze, reassign and complete one.

The same rules as the API (reminders.api.views): the case must be visible to the reader (a
404 otherwise, never revealing it exists), changing a BF needs the right to change its case
(the owner and staff acting for them; a colleague the case is shared with reads only, 403),
and every rule about the data is the service's, shown on the form (never a 500).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import CASEWORK
from caseload import selectors as casework
from caseload.models import Case
from caseload.page_hooks import PageSection
from caseload.services import AlreadySubmitted, submit_once
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError
from core.web import add_service_error, council_page, posted
from reminders import selectors, services
from reminders.forms import BFAddForm, BFCompleteForm, BFReassignForm, BFSnoozeForm
from reminders.models import BF


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _status(request: HttpRequest) -> int:
    """A form shown again after a POST is one the data or the service refused: a 400."""
    return 400 if request.method == "POST" else 200


def _case_url(case_id: int) -> str:
    return reverse("caseload:case-detail", kwargs={"case_id": case_id}) + "#bfs"


def _who(bf: BF, case: Case) -> User:
    """Whose BF it is now: its owner, or the case's councillor once the owner can no longer
    act on the case (reminders.selectors.bf_queryset's effective owner)."""
    effective = getattr(bf, "effective_owner_id", bf.owner_id)
    return bf.owner if effective == bf.owner_id else case.owner


def case_bfs_section(request: HttpRequest, case: Case, can_change: bool) -> PageSection | None:
    """The case page's BF section (registered in RemindersConfig.ready())."""
    today = timezone.localdate()
    bfs = selectors.bf_list_for_case(case=case)
    for bf in bfs:
        bf.who = _who(bf, case)  # type: ignore[attr-defined]
    return PageSection(
        template="reminders/_case_bfs.html",
        context={
            "case": case,
            "bfs": bfs,
            "open_count": sum(1 for bf in bfs if not bf.done),
            "can_change": can_change,
            "today": today,
        },
    )


@council_page(roles=CASEWORK)
def bf_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = casework.case_get_for_change(user=user, case_id=case_id)
    owners = selectors.bf_owner_choices(case=case)
    default_owner = user.pk if any(o.pk == user.pk for o in owners) else case.owner_id
    form = BFAddForm(posted(request), owners=owners, initial={"owner": default_owner})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            bf = submit_once(
                user=user,
                token=d.get("form_token") or "",
                kind="BF",
                create=lambda: services.bf_add(
                    actor=user,
                    case=case,
                    due_date=d["due_date"],
                    reason=d["reason"],
                    owner=d.get("owner"),
                ),
                describe=lambda bf: (
                    f"{case.reference} brought forward to {bf.due_date:%-d %B %Y}",
                    _case_url(case.pk),
                ),
            )
        except AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            moved = " (the next working day)" if bf.due_date != d["due_date"] else ""
            messages.success(
                request, f"Case brought forward to {bf.due_date:%-d %B %Y}{moved}: {bf.reason}."
            )
            return redirect(_case_url(case.pk))
    return render(
        request, "reminders/bf_add.html", {"case": case, "form": form}, status=_status(request)
    )


def _bf_form_page(
    request: HttpRequest,
    bf_id: int,
    *,
    form: Callable[[BF], Any],
    perform: Callable[[BF, dict[str, Any]], str],
    template: str,
) -> HttpResponse:
    """GET shows the form for a BF the user may change; POST runs `perform(bf, data)`, which
    returns the message to show, and goes back to the case; or shows the service's errors."""
    user = _user(request)
    bf = selectors.bf_get_for_change(user=user, bf_id=bf_id)
    # The case as caseload reads it (the visibility rule again, and the access log).
    case = casework.case_get_for_change(user=user, case_id=bf.case_id)
    bound = form(bf)
    if request.method == "POST" and bound.is_valid():
        try:
            done = perform(bf, bound.cleaned_data)
        except ApplicationError as exc:
            add_service_error(bound, exc)
        else:
            messages.success(request, done)
            return redirect(_case_url(case.pk))
    bf.who = _who(bf, case)  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"case": case, "bf": bf, "form": bound, "today": timezone.localdate()},
        status=_status(request),
    )


@council_page(roles=CASEWORK)
def bf_snooze(request: HttpRequest, bf_id: int) -> HttpResponse:
    user = _user(request)

    def perform(bf: BF, d: dict[str, Any]) -> str:
        bf = services.bf_snooze(
            actor=user, bf=bf, until=d.get("until"), working_days=d.get("working_days")
        )
        return f"Reminder moved to {bf.due_date:%-d %B %Y}."

    return _bf_form_page(
        request,
        bf_id,
        form=lambda bf: BFSnoozeForm(posted(request)),
        perform=perform,
        template="reminders/bf_snooze.html",
    )


@council_page(roles=CASEWORK)
def bf_reassign(request: HttpRequest, bf_id: int) -> HttpResponse:
    user = _user(request)

    def form(bf: BF) -> BFReassignForm:
        owners = selectors.bf_owner_choices(case=bf.case)
        return BFReassignForm(posted(request), owners=owners)

    def perform(bf: BF, d: dict[str, Any]) -> str:
        bf = services.bf_reassign(actor=user, bf=bf, owner=d["owner"])
        return f"Reminder given to {bf.owner.name or bf.owner.email}."

    return _bf_form_page(
        request, bf_id, form=form, perform=perform, template="reminders/bf_reassign.html"
    )


@council_page(roles=CASEWORK)
def bf_complete(request: HttpRequest, bf_id: int) -> HttpResponse:
    user = _user(request)

    def perform(bf: BF, d: dict[str, Any]) -> str:
        services.bf_complete(actor=user, bf=bf, note=d["note"])
        return "Reminder done."

    return _bf_form_page(
        request,
        bf_id,
        form=lambda bf: BFCompleteForm(posted(request)),
        perform=perform,
        template="reminders/bf_complete.html",
    )
