"""The council administrator's page for the BF rules (the rules that bring cases forward by
themselves: after a referral's target date, after an officer's reply, a new case with no
action). The same rules as the API (/api/v1/reminders/rules/): administrators only, rules
switched off rather than deleted, and the service's validation shown on the form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import ADMINS
from caseload.services import AlreadySubmitted, submit_once
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError
from core.web import add_service_error, council_page, posted
from reminders import selectors, services
from reminders.forms import BFRuleEditForm, BFRuleForm


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


@council_page(roles=ADMINS)
def bf_rules(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = BFRuleForm(posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rule = submit_once(
                user=user,
                token=d.get("form_token") or "",
                kind="BF rule",
                create=lambda: services.bf_rule_create(
                    actor=user,
                    trigger=d["trigger"],
                    working_days=d["working_days"],
                    reason=d["reason"],
                ),
                describe=lambda r: (
                    f"{r.get_trigger_display()}, {r.working_days} working days",
                    reverse("reminders:bf-rules"),
                ),
            )
        except AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Rule added: {rule.get_trigger_display()}.")
            return redirect("reminders:bf-rules")
    rules = selectors.bf_rule_list(user=user)
    if not rules.exists():
        # As the API does: a council that never used reminders sees the defaults it has.
        services.bf_rules_ensure_defaults()
    return render(
        request,
        "reminders/rules.html",
        {"form": form, "rules": list(selectors.bf_rule_list(user=user))},
        status=_status(request),
    )


@council_page(roles=ADMINS)
def bf_rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    user = _user(request)
    rule = selectors.bf_rule_get_for_admin(user=user, rule_id=rule_id)
    form = BFRuleEditForm(
        posted(request),
        initial={
            "working_days": rule.working_days,
            "reason": rule.reason,
            "is_active": rule.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.bf_rule_update(actor=user, rule=rule, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Rule saved: {rule.get_trigger_display()}.")
            return redirect("reminders:bf-rules")
    return render(
        request, "reminders/rule_form.html", {"form": form, "rule": rule}, status=_status(request)
    )


@council_page(roles=ADMINS)
@require_POST
def bf_rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Switch a rule off (it creates no more BFs; those it made stay) or back on."""
    user = _user(request)
    rule = selectors.bf_rule_get_for_admin(user=user, rule_id=rule_id)
    try:
        rule = services.bf_rule_update(actor=user, rule=rule, is_active=not rule.is_active)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        state = "back in use" if rule.is_active else "switched off: the BFs it made stay"
        messages.success(request, f"Rule {rule.get_trigger_display().lower()} {state}.")
    return redirect("reminders:bf-rules")
