"""Licences on the central body's console: the list, a council's licence and history, and
the controls (extend a trial, convert to paid, cancel, delete the data) that call billing's
services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from billing.models import Licence
from billing.selectors import licence_get_by_slug, licence_get_with_history, licence_list
from billing.services import (
    licence_cancel,
    licence_convert,
    licence_delete_council_data,
    licence_extend_trial,
)
from console.forms import CancelForm, ConvertForm, DeleteDataForm, ExtendTrialForm
from console.permissions import central_staff_required
from core.errors import ApplicationError


def _actor(request: HttpRequest) -> str:
    return f"central {request.user.email}"  # type: ignore[union-attr]


def _get(slug: str) -> Licence:
    licence = licence_get_by_slug(slug=slug)
    if licence is None:
        raise Http404("No such council")
    return licence


@central_staff_required
def licence_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "console/licences/list.html", {"licences": licence_list()})


@central_staff_required
def licence_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    licence = licence_get_with_history(slug=slug)
    if licence is None:
        raise Http404("No such council")
    context = {
        "licence": licence,
        "now": timezone.now(),
        "extend_form": ExtendTrialForm(),
        "convert_form": ConvertForm(initial={"seats": licence.seats}),
        "cancel_form": CancelForm(),
        "delete_form": DeleteDataForm(),
    }
    return render(request, "console/licences/detail.html", context)


def _act(
    request: HttpRequest,
    slug: str,
    form_class: type[forms.Form],
    action: Callable[..., Any],
    done: str,
) -> HttpResponse:
    form = form_class(request.POST)
    if not form.is_valid():
        problems = "; ".join(
            f"{field}: {' '.join(str(e) for e in errors)}" for field, errors in form.errors.items()
        )
        messages.error(request, f"Nothing was changed. {problems}")
    else:
        try:
            action(licence=_get(slug), actor=_actor(request), **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, f"Nothing was changed. {exc.message}")
        else:
            messages.success(request, done)
    return redirect("console:licence-detail", slug=slug)


@central_staff_required
@require_POST
def licence_extend_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _act(request, slug, ExtendTrialForm, licence_extend_trial, "Trial extended.")


@central_staff_required
@require_POST
def licence_convert_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _act(request, slug, ConvertForm, licence_convert, "Converted to a paid licence.")


@central_staff_required
@require_POST
def licence_cancel_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _act(request, slug, CancelForm, licence_cancel, "Licence cancelled.")


@central_staff_required
@require_POST
def licence_delete_data_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _act(
        request,
        slug,
        DeleteDataForm,
        licence_delete_council_data,
        "The council's data was deleted.",
    )
