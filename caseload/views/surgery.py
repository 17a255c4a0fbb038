"""Surgery mode: log several enquiries from one sitting quickly.

Find the person (or enter them new), type the enquiry, save, and the page is ready for the
next one. The cases logged in this sitting are listed (kept in the session), and staff
choose the councillor they log for once: the sitting remembers them until it ends. Each
enquiry form is sent once (caseload.services.submit_once). Works as plain forms; with
JavaScript the search suggests people as you type (htmx).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import CASEWORK
from caseload import selectors, services
from caseload.forms import SurgeryCaseForm
from caseload.models import Action
from caseload.selectors import read_log
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError
from core.web import add_service_error, council_page, posted

SESSION_KEY = "surgery_case_ids"
OWNER_KEY = "surgery_owner_id"
LOOKUP_LIMIT = 10


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _sitting_cases(request: HttpRequest, user: User) -> list[Any]:
    ids = [int(i) for i in request.session.get(SESSION_KEY, [])]
    if not ids:
        return []
    # Through the reader's scope, so a stale id never shows a case they cannot see.
    cases = selectors.case_base_queryset().filter(selectors.case_visible_q(user), pk__in=ids)
    return sorted(cases, key=lambda c: ids.index(c.pk), reverse=True)


def _sitting_owner(request: HttpRequest, owners: Any) -> User | None:
    """The councillor this sitting logs for, if staff chose one earlier in it and may still
    act for them (checked against today's choices, so a revoked delegation drops it)."""
    owner_id = request.session.get(OWNER_KEY)
    if owners is None or not isinstance(owner_id, int):
        return None
    return owners.filter(pk=owner_id).first()


@council_page(roles=CASEWORK)
def surgery(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    q = (request.GET.get("q") or "").strip()[:200]
    people = selectors.constituent_lookup(user=user, q=q, limit=LOOKUP_LIMIT) if q else []
    sitting = _sitting_cases(request, user)
    if q:
        read_log.constituent_list_record(user=user, rows=people, where="surgery_lookup", search=q)
    if sitting:
        read_log.case_list_record(user=user, rows=sitting, where="surgery_sitting")
    return render(
        request,
        "caseload/surgery.html",
        {
            "q": q,
            "people": people,
            "sitting": sitting,
            "sitting_owner": _sitting_owner(
                request,
                selectors.owner_choices_for_user(user=user)
                if user.role == User.Role.STAFF
                else None,
            ),
        },
    )


@council_page(roles=CASEWORK)
def surgery_lookup(request: HttpRequest) -> HttpResponse:
    """htmx fragment: people matching ?q= (the same list the page shows without JS)."""
    q = (request.GET.get("q") or "").strip()[:200]
    user = _user(request)
    people = selectors.constituent_lookup(user=user, q=q, limit=LOOKUP_LIMIT) if q else []
    if q:
        read_log.constituent_list_record(user=user, rows=people, where="surgery_lookup", search=q)
    return render(request, "caseload/_surgery_people.html", {"q": q, "people": people})


@council_page(roles=CASEWORK)
def surgery_case(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    constituent_id = request.POST.get("constituent") or request.GET.get("constituent")
    person = (
        selectors.constituent_get_for_user(user=user, constituent_id=constituent_id)
        if constituent_id
        else None
    )
    owners = selectors.owner_choices_for_user(user=user) if user.role == User.Role.STAFF else None
    initial: dict[str, Any] = {"name": request.GET.get("name", "")} if person is None else {}
    sitting_owner = _sitting_owner(request, owners)
    if sitting_owner is not None:
        initial["owner"] = sitting_owner.pk
    form = SurgeryCaseForm(
        posted(request), known_person=person is not None, owners=owners, initial=initial
    )
    duplicates: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def log_enquiry() -> Any:
            with transaction.atomic():
                made_person, made_case = services.case_open_with_constituent(
                    actor=user,
                    constituent=person,
                    constituent_fields=None if person is not None else form.person_fields(),
                    allow_duplicate=d.get("allow_duplicate", False),
                    title=d["title"],
                    description=d["description"],
                    category=d["category"],
                    owner=d.get("owner"),
                    via_surgery=True,
                )
                if d.get("time_spent_minutes"):
                    services.action_add(
                        actor=user,
                        case=made_case,
                        kind=Action.Kind.SURGERY,
                        text=f"Seen at a surgery: {made_case.title}",
                        time_spent_minutes=d["time_spent_minutes"],
                    )
            return made_person, made_case

        try:
            person, case = services.submit_once(
                user=user,
                token=d.get("form_token") or "",
                kind="case",
                create=log_enquiry,
                describe=lambda made: (
                    made[1].reference,
                    reverse("caseload:case-detail", kwargs={"case_id": made[1].pk}),
                ),
            )
        except services.AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except services.PossibleDuplicate as exc:
            duplicates = list((exc.extra or {}).get("duplicates") or [])
            form.add_error(
                "allow_duplicate",
                "This may be someone already recorded. Choose them below, or tick the box if "
                "this is a different person",
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            ids = [case.pk, *request.session.get(SESSION_KEY, [])][:50]
            request.session[SESSION_KEY] = ids
            if d.get("owner") is not None:
                # The councillor holding the surgery: chosen once for the sitting.
                request.session[OWNER_KEY] = d["owner"].pk
            messages.success(request, f"Case {case.reference} opened for {person.name}.")
            return redirect(reverse("caseload:surgery") + "#next")
    return render(
        request,
        "caseload/surgery_case.html",
        {"form": form, "person": person, "duplicates": duplicates},
    )


@council_page(roles=CASEWORK)
@require_POST
def surgery_end(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(OWNER_KEY, None)
    messages.success(request, "Surgery sitting ended. The cases stay on your dashboard.")
    return redirect("caseload:surgery")
