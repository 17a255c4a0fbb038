"""Licence controls on the central body's console (platform host)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from billing.models import Licence, PaymentMethod
from billing.selectors import licence_get_by_slug, licence_get_with_history, licence_list
from billing.services import (
    licence_cancel,
    licence_convert,
    licence_delete_council_data,
    licence_extend_trial,
)
from console.permissions import central_staff_required
from core.errors import ApplicationError


class ExtendTrialForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=365, initial=30, label="Extra days")
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ConvertForm(forms.Form):
    seats = forms.IntegerField(min_value=1, max_value=1000, label="Councillor seats")
    payment_method = forms.ChoiceField(
        choices=PaymentMethod.choices, initial=PaymentMethod.INVOICE, widget=forms.RadioSelect
    )
    days_until_due = forms.IntegerField(
        min_value=1,
        max_value=120,
        initial=settings.BILLING_INVOICE_DAYS_UNTIL_DUE,
        label="Days to pay each invoice",
    )


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    retention_days = forms.IntegerField(
        min_value=0,
        max_value=3650,
        initial=settings.BILLING_RETENTION_DAYS,
        label="Keep the data (read-only, exportable) for this many days",
    )


class DeleteDataForm(forms.Form):
    confirm_slug = forms.CharField(max_length=60, label="Type the council's slug to confirm")


def _actor(request: HttpRequest) -> str:
    return f"central {request.user.email}"  # type: ignore[union-attr]


def _get(slug: str) -> Licence:
    licence = licence_get_by_slug(slug=slug)
    if licence is None:
        raise Http404("No such council")
    return licence


@central_staff_required
def licence_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "billing/console/licence_list.html", {"licences": licence_list()})


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
    return render(request, "billing/console/licence_detail.html", context)


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
    return redirect("billing_console:detail", slug=slug)


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
