"""Case pages: list with search and filters, open, detail with history, and each change
(action, referral, reply, close, reopen, sharing, details, attachments).

Every change is a plain form that posts and redirects back (works without JavaScript); a
service error is shown on the form, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import CASEWORK
from caseload import selectors, services
from caseload.calendar import add_working_days
from caseload.forms import (
    ActionForm,
    AttachmentForm,
    CaseEditForm,
    CaseFilterForm,
    CaseForm,
    CloseForm,
    ReferForm,
    ReopenForm,
    ReplyForm,
    SharingForm,
)
from caseload.models import Action, Attachment, Case, Constituent, Referral
from caseload.page_hooks import case_sections
from caseload.selectors import read_log
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError
from core.web import add_service_error, council_page, paginate, posted, query_without_page


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def aware(day: Any) -> datetime | None:
    """A date typed into a form as an aware datetime: now for today, else midday then."""
    if day is None:
        return None
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def owner_filter_choices(user: User) -> Any:
    """Councillors whose cases the user may see by owner (filter list): the council's
    councillors for casework users, nobody for others."""
    if not selectors.user_does_casework(user):
        return User.objects.none()
    return User.objects.filter(role=User.Role.COUNCILLOR).order_by("name")


@council_page()
def case_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = CaseFilterForm(request.GET or None, owners=owner_filter_choices(user))
    filters = selectors.CaseFilters()
    if form.is_bound and form.is_valid():
        filters = form.filters()
    cases = (
        selectors.case_list_for_user(user=user, filters=filters)
        if not form.errors
        else Case.objects.none()
    )
    page = paginate(request, cases)
    read_log.case_list_record(
        user=user,
        rows=page.object_list,
        where="case_list",
        search=filters.q,
        filters=filters,
    )
    return render(
        request,
        "caseload/case_list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query_without_page(request.GET),
            "filtered": bool(
                request.GET.get("q") or len(request.GET) > (1 if "page" in request.GET else 0)
            ),
            "can_open": selectors.user_does_casework(user),
        },
    )


@council_page(roles=CASEWORK)
def case_create(request: HttpRequest) -> HttpResponse:
    """Open a case for a constituent chosen first (from their page or a search)."""
    user = _user(request)
    constituent_id = request.POST.get("constituent") or request.GET.get("constituent")
    if not constituent_id:
        return redirect(reverse("caseload:constituent-list") + "?choose=1")
    constituent = selectors.constituent_get_for_user(user=user, constituent_id=constituent_id)
    owners = _owners_for(user, constituent)
    form = CaseForm(posted(request), owners=owners)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.submit_once(
                user=user,
                token=d.get("form_token") or "",
                kind="case",
                create=lambda: services.case_open(
                    actor=user,
                    constituent=constituent,
                    title=d["title"],
                    description=d["description"],
                    category=d["category"],
                    ward=d["ward"],
                    priority=d["priority"],
                    owner=d.get("owner"),
                ),
                describe=_case_made,
            )
        except services.AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Case {case.reference} opened.")
            return redirect("caseload:case-detail", case_id=case.pk)
    return render(request, "caseload/case_form.html", {"form": form, "constituent": constituent})


def _case_made(case: Case) -> tuple[str, str]:
    return case.reference, reverse("caseload:case-detail", kwargs={"case_id": case.pk})


def _owners_for(user: User, constituent: Constituent | None = None) -> Any:
    """The owner choice only for staff (a councillor always owns their own cases); when the
    constituent is given, their councillor comes first as the default."""
    if user.role != User.Role.STAFF:
        return None
    return selectors.owner_choices_for_user(user=user)


@council_page()
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    can_change = selectors.case_can_change(user, case)
    # With officers' requests for more time, which the page lists for an answer.
    referrals = list(selectors.referral_list_for_case(case=case).prefetch_related("extensions"))
    return render(
        request,
        "caseload/case_detail.html",
        {
            "case": case,
            "can_change": can_change,
            "actions": list(selectors.action_list_for_case(case=case)),
            "referrals": referrals,
            "attachments": list(selectors.attachment_list_for_case(case=case)),
            "summary": selectors.case_history_summary(case),
            "shared_with": list(case.shares.select_related("user").order_by("user__name"))
            if case.sharing == Case.Sharing.NAMED
            else [],
            "attachment_form": AttachmentForm() if can_change else None,
            "today": timezone.localdate(),
            # What the apps built on caseload add (reminders' BFs): caseload.page_hooks.
            "sections": case_sections(request=request, case=case, can_change=can_change),
        },
    )


def _case_form_page(
    request: HttpRequest,
    case_id: int,
    *,
    form_class: type,
    template: str,
    perform: Any,
    success: str,
    form_kwargs: dict[str, Any] | None = None,
    initial: Any = None,
    extra: dict[str, Any] | None = None,
    once: tuple[str, Callable[[Any], str]] | None = None,
) -> HttpResponse:
    """GET shows the form for a case the user may change; POST runs `perform(case, data)`
    and redirects to the case, or shows the form again with the service's errors. With
    `once` (what the form makes, like "action", and how to name what was made), `perform`
    is a create returning its object, and the form is sent once (services.submit_once)."""
    user = _user(request)
    case = selectors.case_get_for_change(user=user, case_id=case_id)
    kwargs = dict(form_kwargs or {})
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **kwargs)
    else:
        form = form_class(initial=initial(case) if callable(initial) else initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if once is not None:
                kind, label = once
                services.submit_once(
                    user=user,
                    token=d.get("form_token") or "",
                    kind=kind,
                    create=lambda: perform(case, d),
                    describe=lambda made: (
                        f"{label(made)} on {case.reference}",
                        reverse("caseload:case-detail", kwargs={"case_id": case.pk}),
                    ),
                )
            else:
                perform(case, d)
        except services.AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("caseload:case-detail", case_id=case.pk)
    context = {"case": case, "form": form, **(extra or {})}
    return render(request, template, context)


@council_page(roles=CASEWORK)
def case_action_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)

    def perform(case: Case, d: dict[str, Any]) -> Action:
        return services.action_add(
            actor=user,
            case=case,
            kind=d["kind"],
            text=d["text"],
            occurred_at=aware(d.get("occurred_on")),
            time_spent_minutes=d.get("time_spent_minutes"),
        )

    return _case_form_page(
        request,
        case_id,
        form_class=ActionForm,
        template="caseload/case_action_form.html",
        perform=perform,
        success="Action added to the case history.",
        initial={"kind": request.GET.get("kind", "note")},
        once=(
            "action",
            lambda a: (
                f"{a.get_kind_display().lower()} of {timezone.localtime(a.occurred_at):%-d %B %Y}"
            ),
        ),
    )


@council_page(roles=CASEWORK)
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)

    def perform(case: Case, d: dict[str, Any]) -> None:
        services.case_update(
            actor=user,
            case=case,
            title=d["title"],
            description=d["description"],
            category=d["category"],
            ward=d["ward"],
            priority=d["priority"],
        )

    return _case_form_page(
        request,
        case_id,
        form_class=CaseEditForm,
        template="caseload/case_edit.html",
        perform=perform,
        success="Case details saved.",
        initial=lambda c: {
            "title": c.title,
            "description": c.description,
            "category": c.category_id,
            "ward": c.ward_id,
            "priority": c.priority,
        },
    )


@council_page(roles=CASEWORK)
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)

    def perform(case: Case, d: dict[str, Any]) -> None:
        services.case_close(
            actor=user,
            case=case,
            outcome=d["outcome"],
            note=d["note"],
            time_spent_minutes=d.get("time_spent_minutes"),
        )

    return _case_form_page(
        request,
        case_id,
        form_class=CloseForm,
        template="caseload/case_close.html",
        perform=perform,
        success="Case closed.",
    )


@council_page(roles=CASEWORK)
def case_reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)

    def perform(case: Case, d: dict[str, Any]) -> None:
        services.case_reopen(actor=user, case=case, note=d["note"])

    return _case_form_page(
        request,
        case_id,
        form_class=ReopenForm,
        template="caseload/case_reopen.html",
        perform=perform,
        success="Case reopened.",
    )


@council_page(roles=CASEWORK)
def case_sharing(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)

    def perform(case: Case, d: dict[str, Any]) -> None:
        services.case_set_sharing(
            actor=user,
            case=case,
            sharing=d["sharing"],
            user_ids=[u.pk for u in d["user_ids"]] if d["sharing"] == Case.Sharing.NAMED else [],
        )

    case_owner_candidates = selectors.share_candidates_for_user(user=user)
    return _case_form_page(
        request,
        case_id,
        form_class=SharingForm,
        template="caseload/case_sharing.html",
        perform=perform,
        success="Sharing settings saved.",
        form_kwargs={"candidates": case_owner_candidates},
        initial=lambda c: {
            "sharing": c.sharing,
            "user_ids": list(c.shares.values_list("user_id", flat=True)),
        },
    )


@council_page(roles=CASEWORK)
@require_POST
def case_attachment_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)

    def perform(case: Case, d: dict[str, Any]) -> Attachment:
        return services.attachment_add(actor=user, case=case, file=d["file"])

    return _case_form_page(
        request,
        case_id,
        form_class=AttachmentForm,
        template="caseload/case_attachment_form.html",
        perform=perform,
        success="File attached.",
        # Not the file's name, which may name the constituent: the token's record outlives
        # an erasure of the person.
        once=("file", lambda a: f"uploaded at {timezone.localtime(a.created_at):%H:%M}"),
    )


@council_page()
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    attachment = selectors.attachment_get_for_user(
        user=_user(request), attachment_id=attachment_id, case_id=case_id
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


def _referral_for_case(case: Case, referral_id: int) -> Referral:
    referral = selectors.referral_list_for_case(case=case).filter(pk=referral_id).first()
    if referral is None:
        raise Http404("No such referral on this case.")
    return referral


@council_page(roles=CASEWORK)
def referral_reply(request: HttpRequest, case_id: int, referral_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get_for_change(user=user, case_id=case_id)
    referral = _referral_for_case(case, referral_id)
    form = ReplyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.submit_once(
                user=user,
                token=d.get("form_token") or "",
                kind="reply",
                create=lambda: services.referral_record_reply(
                    actor=user,
                    referral=referral,
                    text=d["text"],
                    replied_at=aware(d.get("replied_on")),
                    time_spent_minutes=d.get("time_spent_minutes"),
                ),
                describe=lambda r: (
                    f"from {r.officer.name} on {case.reference}",
                    reverse("caseload:case-detail", kwargs={"case_id": case.pk}),
                ),
            )
        except services.AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc, field_map={"replied_at": "replied_on"})
        else:
            messages.success(request, f"Reply from {referral.officer.name} recorded.")
            return redirect("caseload:case-detail", case_id=case.pk)
    return render(
        request,
        "caseload/referral_reply.html",
        {"case": case, "referral": referral, "form": form},
    )


def target_date_for(working_days: int) -> Any:
    """The date a referral sent today is due back, in this council's working days."""
    return add_working_days(timezone.localdate(), working_days)


@council_page(roles=CASEWORK)
def case_refer(request: HttpRequest, case_id: int) -> HttpResponse:
    """Refer the case to an officer. Officers covering the case's category and ward are
    suggested first; the reply's target date is shown in working days."""
    user = _user(request)
    case = selectors.case_get_for_change(user=user, case_id=case_id)
    suggested = selectors.officer_suggest(
        user=user, category_id=case.category_id, ward_id=case.ward_id, limit=5
    )
    default_days = selectors.caseload_settings_get().referral_target_days
    form = ReferForm(
        posted(request),
        suggested=suggested,
        initial={"working_days": default_days},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            referral = services.submit_once(
                user=user,
                token=d.get("form_token") or "",
                kind="referral",
                create=lambda: services.referral_create(
                    actor=user,
                    case=case,
                    officer=d["officer"],
                    working_days=d.get("working_days"),
                    target_date=d.get("target_date"),
                    note=d["note"],
                    time_spent_minutes=d.get("time_spent_minutes"),
                ),
                describe=lambda r: (
                    f"to {r.officer.name}, reply due by {r.target_date:%-d %B %Y}",
                    reverse("caseload:case-detail", kwargs={"case_id": case.pk}),
                ),
            )
        except services.AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            due = f"Reply due by {referral.target_date:%-d %B %Y}."
            write_url = _referral_email_url(case, referral)
            if write_url is None:
                messages.success(request, f"Referred to {referral.officer.name}. {due}")
                return redirect("caseload:case-detail", case_id=case.pk)
            messages.success(
                request,
                f"Referral to {referral.officer.name} recorded. {due} Now send "
                f"{referral.officer.name} the referral email below: it has their link to reply.",
            )
            return redirect(write_url)
    days = form.data.get("working_days") if form.is_bound else default_days
    return render(
        request,
        "caseload/case_refer.html",
        {
            "case": case,
            "form": form,
            "suggested": suggested,
            "target": _target_preview(days),
            "default_days": default_days,
        },
    )


def _referral_email_url(case: Case, referral: Referral) -> str | None:
    """The page that emails the officer the referral (with their reply link), ready to send:
    correspondence's, so named rather than imported (caseload does not depend on it), and
    None where its URLs are not installed."""
    try:
        url = reverse("correspondence:case-write", kwargs={"case_id": case.pk})
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode({'template': 'referral', 'referral': referral.pk})}"


def _target_preview(days: Any) -> dict[str, Any] | None:
    try:
        n = int(str(days).strip())
    except (TypeError, ValueError):
        return None
    if not 1 <= n <= 120:
        return None
    return {"days": n, "date": target_date_for(n)}


@council_page(roles=CASEWORK)
def referral_target_preview(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the target date for ?working_days=N (the refer form updates it)."""
    return render(
        request,
        "caseload/_target_date.html",
        {"target": _target_preview(request.GET.get("working_days"))},
    )
