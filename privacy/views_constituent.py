"""Erasing or correcting one constituent, from their page (the record holder's side)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.models import User
from accounts.roles import CASEWORK
from caseload.selectors import constituent_get_for_user
from caseload.services import AlreadySubmitted, submit_once
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError
from core.web import add_service_error, council_page, posted
from privacy import services
from privacy.forms import CorrectForm, EraseForm


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _made(constituent_id: int) -> tuple[str, str]:
    # Not their name: the token's record outlives the erasure it made.
    return (
        f"their record (no. {constituent_id})",
        reverse("caseload:constituent-detail", kwargs={"constituent_id": constituent_id}),
    )


@council_page(roles=CASEWORK)
def constituent_erase(request: HttpRequest, constituent_id: int) -> HttpResponse:
    person = constituent_get_for_user(user=_user(request), constituent_id=constituent_id)
    plan = services.erasure_plan(actor=_user(request), constituent=person)
    form = EraseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            submit_once(
                user=_user(request),
                token=form.cleaned_data.get("form_token") or "",
                kind="erasure",
                create=lambda: services.constituent_erase(
                    actor=_user(request), constituent=person, scope=form.cleaned_data["scope"]
                ),
                describe=lambda _: _made(person.pk),
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
                f"Erased. {len(plan.cases)} case(s) keep their dates, category and outcome; "
                "a record of the erasure (without their details) is kept.",
            )
            return redirect("caseload:constituent-detail", person.pk)
    return render(
        request,
        "privacy/constituent_erase.html",
        {"person": person, "plan": plan, "form": form},
        status=400 if form.errors else 200,
    )


@council_page(roles=CASEWORK)
def constituent_correct(request: HttpRequest, constituent_id: int) -> HttpResponse:
    person = constituent_get_for_user(user=_user(request), constituent_id=constituent_id)
    # Refuses (403) anyone but the record holder's side before showing the form.
    plan = services.erasure_plan(actor=_user(request), constituent=person)
    form = CorrectForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            changed = submit_once(
                user=_user(request),
                token=form.cleaned_data.get("form_token") or "",
                kind="correction",
                create=lambda: services.constituent_rectify(
                    actor=_user(request),
                    constituent=person,
                    field_name=form.cleaned_data["field_name"],
                    value=form.cleaned_data["value"],
                    everywhere=form.cleaned_data["everywhere"] == "replace",
                ),
                describe=lambda _: _made(person.pk),
            )
        except AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc, field_map={"field_name": "field_name"})
        else:
            messages.success(request, f"Corrected ({changed} case text(s) or entries).")
            return redirect("caseload:constituent-detail", person.pk)
    return render(
        request,
        "privacy/constituent_correct.html",
        {"person": person, "plan": plan, "form": form},
        status=400 if form.errors else 200,
    )
