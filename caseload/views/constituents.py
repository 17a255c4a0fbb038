"""Constituent pages: search, detail with all their cases, add and change (with duplicate
warnings: a likely duplicate is shown and saving again needs a tick)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.models import User
from accounts.roles import CASEWORK
from caseload import selectors, services
from caseload.forms import ConstituentForm, ConstituentSearchForm
from caseload.selectors import read_log
from caseload.services.constituents import CONSTITUENT_DETAILS
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError
from core.web import add_service_error, council_page, paginate, posted, query_without_page


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def owners_for(user: User) -> Any:
    """Staff choose which councillor a record is for; a councillor is always its owner."""
    if user.role != User.Role.STAFF:
        return None
    return selectors.owner_choices_for_user(user=user)


@council_page()
def constituent_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ConstituentSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    people = selectors.constituent_list_for_user(user=user, q=q)
    page = paginate(request, people)
    read_log.constituent_list_record(
        user=user, rows=page.object_list, where="constituent_list", search=q
    )
    return render(
        request,
        "caseload/constituent_list.html",
        {
            "form": form,
            "q": q,
            "page_obj": page,
            "query": query_without_page(request.GET),
            "choosing": request.GET.get("choose") == "1",
            "can_add": selectors.user_does_casework(user),
        },
    )


@council_page()
def constituent_detail(request: HttpRequest, constituent_id: int) -> HttpResponse:
    user = _user(request)
    person = selectors.constituent_get_for_user(user=user, constituent_id=constituent_id)
    cases = list(selectors.constituent_cases_for_user(user=user, constituent=person))
    read_log.constituent_read_record(user=user, constituent=person, cases=cases)
    return render(
        request,
        "caseload/constituent_detail.html",
        {
            "person": person,
            "cases": cases,
            "can_change": person.owner_id in selectors.acting_for_ids(user),
            "can_open": selectors.user_does_casework(user),
        },
    )


def _duplicates(exc: ApplicationError) -> list[dict[str, Any]]:
    return list((exc.extra or {}).get("duplicates") or [])


@council_page(roles=CASEWORK)
def constituent_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ConstituentForm(posted(request), owners=owners_for(user))
    duplicates: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        try:
            person = services.submit_once(
                user=user,
                token=form.cleaned_data.get("form_token") or "",
                kind="constituent",
                create=lambda: services.constituent_create(
                    actor=user,
                    owner=form.cleaned_data.get("owner"),
                    allow_duplicate=form.cleaned_data["allow_duplicate"],
                    **form.service_fields(),
                ),
                # Not their name: the token's record outlives an erasure of the person.
                describe=lambda p: (
                    f"their record (no. {p.pk})",
                    reverse("caseload:constituent-detail", kwargs={"constituent_id": p.pk}),
                ),
            )
        except services.AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except services.PossibleDuplicate as exc:
            duplicates = _duplicates(exc)
            form.add_error(
                "allow_duplicate",
                "This may be someone already recorded. Choose them below, or tick the box "
                "if this is a different person",
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{person.name} added.")
            if request.POST.get("then") == "case":
                return redirect(reverse("caseload:case-create") + f"?constituent={person.pk}")
            return redirect("caseload:constituent-detail", constituent_id=person.pk)
    return render(
        request,
        "caseload/constituent_form.html",
        {"form": form, "duplicates": duplicates, "person": None},
    )


@council_page(roles=CASEWORK)
def constituent_edit(request: HttpRequest, constituent_id: int) -> HttpResponse:
    user = _user(request)
    person = selectors.constituent_get_for_user(user=user, constituent_id=constituent_id)
    if person.owner_id not in selectors.acting_for_ids(user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(
            "Only the councillor who holds this constituent's record (or their staff) can "
            "change it."
        )
    initial = {field: getattr(person, field) for field in CONSTITUENT_DETAILS}
    form = ConstituentForm(posted(request), initial=initial)
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.constituent_update(
                actor=user,
                constituent=person,
                allow_duplicate=form.cleaned_data["allow_duplicate"],
                **form.service_fields(),
            )
        except services.PossibleDuplicate as exc:
            duplicates = _duplicates(exc)
            form.add_error(
                "allow_duplicate",
                "These details match someone else already recorded. Tick the box if "
                "this is still right",
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Constituent's details saved.")
            return redirect("caseload:constituent-detail", constituent_id=person.pk)
    return render(
        request,
        "caseload/constituent_form.html",
        {"form": form, "duplicates": duplicates, "person": person},
    )
