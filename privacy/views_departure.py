"""A councillor's departure, for council admins: who still holds cases, and for each of a
departing councillor's cases a decision (hand over with consent, close, export). Plain
forms; the admin sees references, statuses, categories and wards, never the casework."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import User
from accounts.roles import ADMINS
from core.errors import ApplicationError
from core.web import council_page
from privacy import selectors
from privacy.services import departure


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@council_page(roles=ADMINS)
def departure_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/departures.html",
        {
            "councillors": selectors.councillors_with_cases_for_admin(user=_user(request)),
            "unreadable": len(departure.nobody_can_read()),
        },
    )


@council_page(roles=ADMINS)
def departure_detail(request: HttpRequest, councillor_id: int) -> HttpResponse:
    admin = _user(request)
    councillor = selectors.councillor_get_for_admin(user=admin, councillor_id=councillor_id)
    cases = departure.departing_cases(actor=admin, councillor=councillor)
    colleagues = departure.ward_colleagues(councillor=councillor)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        by_pk = {str(user.pk): user for user in colleagues}
        default = request.POST.get("all_decision", "")
        default_to = request.POST.get("all_to", "")
        consent_all = request.POST.get("all_consent") == "on"
        decisions = []
        for case in cases:
            choice = request.POST.get(f"decision_{case.pk}") or default
            if not choice:
                continue  # left for a later round
            to_user = by_pk.get(request.POST.get(f"to_{case.pk}") or default_to)
            decisions.append(
                departure.Decision(
                    case_id=case.pk,
                    decision=choice,
                    to_user=to_user,
                    consent_recorded=consent_all or request.POST.get(f"consent_{case.pk}") == "on",
                )
            )
        if not decisions:
            errors["__all__"] = ["Choose what happens to at least one case."]
        else:
            try:
                done = departure.councillor_departure(
                    actor=admin, councillor=councillor, decisions=decisions
                )
            except ApplicationError as exc:
                errors = {
                    key: [str(v) for v in value]
                    for key, value in (exc.extra or {"__all__": [exc.message]}).items()
                    if isinstance(value, list | tuple)
                } or {"__all__": [exc.message]}
            else:
                messages.success(
                    request,
                    f"{councillor.name}: {done.handed_over} handed over, {done.closed} closed, "
                    f"{done.exported} sent to them, {done.anonymised} anonymised.",
                )
                return redirect("privacy:departure", councillor.pk)
    return render(
        request,
        "privacy/departure.html",
        {
            "councillor": councillor,
            "cases": cases,
            "colleagues": colleagues,
            "decisions": departure.DECISIONS,
            "errors": errors,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=400 if errors else 200,
    )
