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


def _form(form_class: type[forms.Form], *args: Any, **kwargs: Any) -> forms.Form:
    """The licence page shows several forms with fields of the same name (two `reason`s):
    each form's ids get its own prefix, so every label points at its own field."""
    kwargs["auto_id"] = f"{form_class.__name__.lower()}_%s"
    return form_class(*args, **kwargs)


def _detail_context(licence: Licence, **forms_: forms.Form) -> dict[str, Any]:
    context: dict[str, Any] = {
        "licence": licence,
        "now": timezone.now(),
        "extend_form": _form(ExtendTrialForm),
        "convert_form": _form(ConvertForm, initial={"seats": licence.seats}),
        "cancel_form": _form(CancelForm),
        "delete_form": _form(DeleteDataForm),
    }
    context.update(forms_)
    context["form_with_errors"] = next((f for f in forms_.values() if f.errors), None)
    return context


@central_staff_required
def licence_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    licence = licence_get_with_history(slug=slug)
    if licence is None:
        raise Http404("No such council")
    return render(request, "console/licences/detail.html", _detail_context(licence))


def _act(
    request: HttpRequest,
    slug: str,
    form_class: type[forms.Form],
    form_name: str,
    action: Callable[..., Any],
    done: str,
    confirm_template: str = "",
) -> HttpResponse:
    """Validate, (confirm,) act, and back to the licence page; a form with errors is shown
    again on that page with an error summary, nothing changed."""
    form = _form(form_class, request.POST)
    if form.is_valid():
        if confirm_template and request.POST.get("confirm") != "yes":
            return render(request, confirm_template, {"licence": _get(slug), "form": form})
        try:
            action(licence=_get(slug), actor=_actor(request), **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, f"Nothing was changed. {exc.message}")
        else:
            messages.success(request, done)
            return redirect("console:licence-detail", slug=slug)
    licence = licence_get_with_history(slug=slug)
    if licence is None:
        raise Http404("No such council")
    return render(
        request,
        "console/licences/detail.html",
        _detail_context(licence, **{form_name: form}),
        status=400,
    )


@central_staff_required
@require_POST
def licence_extend_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _act(
        request, slug, ExtendTrialForm, "extend_form", licence_extend_trial, "Trial extended."
    )


@central_staff_required
@require_POST
def licence_convert_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _act(
        request,
        slug,
        ConvertForm,
        "convert_form",
        licence_convert,
        "Converted to a paid licence.",
    )


@central_staff_required
@require_POST
def licence_cancel_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Cancelling is final, so the valid form first shows what will happen and asks again."""
    return _act(
        request,
        slug,
        CancelForm,
        "cancel_form",
        licence_cancel,
        "Licence cancelled.",
        confirm_template="console/licences/cancel_confirm.html",
    )


@central_staff_required
@require_POST
def licence_delete_data_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _act(
        request,
        slug,
        DeleteDataForm,
        "delete_form",
        licence_delete_council_data,
        "The council's data was deleted.",
    )
