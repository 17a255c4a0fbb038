"""The licence and billing page on a council's host, for its administrators."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.selectors import is_council_admin
from billing.middleware import licence_for_request
from billing.models import Licence
from billing.selectors import council_councillor_count, licence_invoices
from billing.services import licence_billing_portal_url, licence_change_seats
from billing.services.subscriptions import council_billing_url
from core.errors import ApplicationError


def council_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "council", None) is None or not is_council_admin(request.user):
            raise PermissionDenied("Only the council's administrators can see billing.")
        return view(request, *args, **kwargs)

    return wrapped


class SeatsForm(forms.Form):
    seats = forms.IntegerField(min_value=1, max_value=1000, label="Councillor seats")


def _licence(request: HttpRequest) -> Licence:
    licence = licence_for_request(request)
    if licence is None:
        raise Http404("No licence")
    return licence


@council_admin_required
def billing_home(request: HttpRequest) -> HttpResponse:
    licence = _licence(request)
    council = request.council  # type: ignore[attr-defined]
    invoices = []
    invoices_error = ""
    try:
        invoices = licence_invoices(licence=licence)
    except ApplicationError as exc:
        invoices_error = exc.message
    context = {
        "licence": licence,
        "seats_used": council_councillor_count(council=council),
        "invoices": invoices,
        "invoices_error": invoices_error,
        "seats_form": SeatsForm(initial={"seats": licence.seats}),
        "grace_days": settings.BILLING_PAST_DUE_GRACE_DAYS,
    }
    return render(request, "billing/council_billing.html", context)


@council_admin_required
@require_POST
def billing_seats(request: HttpRequest) -> HttpResponse:
    form = SeatsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a number of seats between 1 and 1000.")
        return redirect("billing_council:home")
    try:
        licence_change_seats(
            licence=_licence(request),
            seats=form.cleaned_data["seats"],
            actor=f"council admin {request.user.email}",  # type: ignore[union-attr]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Your licence now has {form.cleaned_data['seats']} seats.")
    return redirect("billing_council:home")


@council_admin_required
@require_POST
def billing_portal(request: HttpRequest) -> HttpResponse:
    try:
        url = licence_billing_portal_url(
            licence=_licence(request),
            return_url=council_billing_url(request.council),  # type: ignore[attr-defined]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("billing_council:home")
    return redirect(url)
