"""The council administrator's pages: users (with the licence's councillor seat cap),
delegations, categories, wards, holidays, the postcode-to-ward table and settings.

Named admin_* and served under /admin-area/ so nothing clashes with Django's own admin.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import ADMINS
from accounts.selectors import member_get_for_admin, user_count_councillors
from billing.selectors import licence_get_for_council
from caseload import selectors, services
from caseload.forms import (
    CategoryForm,
    CsvUploadForm,
    DelegationForm,
    HolidayForm,
    MemberForm,
    SettingsForm,
    WardForm,
)
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError, NotFound
from core.web import add_service_error, council_page, posted, posted_files


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@council_page(roles=ADMINS)
def admin_home(request: HttpRequest) -> HttpResponse:
    return render(request, "caseload/admin/home.html")


def seat_usage(request: HttpRequest) -> dict[str, int] | None:
    """Councillor seats used and allowed by the licence (None when there is no licence)."""
    council = getattr(request, "council", None)
    licence = licence_get_for_council(council=council) if council is not None else None
    if licence is None:
        return None
    used = user_count_councillors()
    return {"used": used, "seats": licence.seats, "free": max(0, licence.seats - used)}


@council_page(roles=ADMINS)
def admin_users(request: HttpRequest) -> HttpResponse:
    members = User.objects.exclude(role=User.Role.CENTRAL).order_by("role", "name")
    return render(
        request,
        "caseload/admin/users.html",
        {"members": members, "seats": seat_usage(request)},
    )


@council_page(roles=ADMINS)
def admin_user_access(request: HttpRequest, user_id: int) -> HttpResponse:
    """Deactivate a user (they can no longer sign in; their cases stay) or let them back in.
    GET explains what will happen; POST does it."""
    member = member_get_for_admin(user=_user(request), user_id=user_id)
    error = ""
    if request.method == "POST":
        try:
            if member.is_active:
                services.member_deactivate(actor=_user(request), user=member)
                done = f"{member.name} can no longer sign in. Their cases are kept."
            else:
                services.member_reactivate(actor=_user(request), user=member)
                done = f"{member.name} can sign in again."
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, done)
            return redirect("caseload:admin-users")
    return _user_access_page(request, member, error=error)


def _user_access_page(
    request: HttpRequest, member: User, *, error: str = "", transfer_error: str = ""
) -> HttpResponse:
    is_councillor = member.role == User.Role.COUNCILLOR
    return render(
        request,
        "caseload/admin/user_access.html",
        {
            "member": member,
            "error": error,
            "transfer_error": transfer_error,
            "is_self": member.pk == _user(request).pk,
            "seats": seat_usage(request),
            # Counted, not read: admins do not see casework.
            "open_cases": selectors.case_open_count_for_owner(owner=member) if is_councillor else 0,
            "successors": User.objects.filter(role=User.Role.COUNCILLOR, is_active=True)
            .exclude(pk=member.pk)
            .order_by("name")
            if is_councillor
            else User.objects.none(),
        },
        status=400 if error or transfer_error else 200,
    )


@council_page(roles=ADMINS)
@require_POST
def admin_user_transfer(request: HttpRequest, user_id: int) -> HttpResponse:
    """Move a councillor's open cases to another councillor (after they leave office)."""
    member = member_get_for_admin(user=_user(request), user_id=user_id)
    try:
        successor = member_get_for_admin(
            user=_user(request), user_id=int(request.POST.get("to") or 0)
        )
    except (ValueError, NotFound):
        return _user_access_page(request, member, transfer_error="Choose the councillor.")
    try:
        moved = services.cases_transfer(actor=_user(request), from_user=member, to_user=successor)
    except ApplicationError as exc:
        return _user_access_page(request, member, transfer_error=exc.message)
    messages.success(
        request, f"{moved} open case{'s' if moved != 1 else ''} moved to {successor.name}."
    )
    return redirect("caseload:admin-users")


@council_page(roles=ADMINS)
def admin_user_create(request: HttpRequest) -> HttpResponse:
    form = MemberForm(posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            member = services.submit_once(
                user=_user(request),
                token=d.get("form_token") or "",
                kind="user",
                create=lambda: services.member_add(
                    actor=_user(request),
                    email=d["email"],
                    name=d["name"],
                    role=d["role"],
                    ward=d["ward"].name if d.get("ward") else "",
                    password=d["password"],
                ),
                describe=lambda m: (
                    f"{m.name} ({m.email})",
                    reverse("caseload:admin-users"),
                ),
            )
        except services.AlreadySubmitted as exc:
            messages.info(request, exc.message)
            return redirect("caseload:admin-users")
        except ApplicationError as exc:
            # The seat cap, a taken email, a weak password, a ward for someone who is not a
            # councillor: each message says what to do, next to its field.
            field = {"seat_cap_reached": "role", "conflict": "email"}.get(exc.code)
            if field is None and isinstance(exc.extra, dict) and "ward" in exc.extra:
                field = "ward"
            if field is None and "password" in exc.message.lower():
                field = "password"
            if field is None and "email" in exc.message.lower():
                field = "email"
            form.add_error(field, exc.message)
        else:
            messages.success(
                request, f"{member.name} can now sign in as {member.get_role_display().lower()}."
            )
            return redirect("caseload:admin-users")
    return render(
        request, "caseload/admin/user_form.html", {"form": form, "seats": seat_usage(request)}
    )


@council_page(roles=ADMINS)
def admin_delegations(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = DelegationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            delegation = services.submit_once(
                user=user,
                token=d.get("form_token") or "",
                kind="delegation",
                create=lambda: services.delegation_propose(
                    actor=user, staff=d["staff"], councillor=d["councillor"], request=request
                ),
                describe=lambda x: (
                    f"{x.staff.name} to act for {x.councillor.name}",
                    reverse("caseload:admin-delegations"),
                ),
            )
        except services.AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Proposed: {delegation.staff.name} will act for {delegation.councillor.name} "
                f"once {delegation.councillor.name} confirms it on their Delegations page.",
            )
            return redirect("caseload:admin-delegations")
    return render(
        request,
        "caseload/admin/delegations.html",
        {"form": form, "delegations": selectors.delegation_list(user=user)},
    )


@council_page(roles=ADMINS)
@require_POST
def admin_delegation_revoke(request: HttpRequest, delegation_id: int) -> HttpResponse:
    delegation = selectors.delegation_get(delegation_id=delegation_id)
    try:
        services.delegation_revoke(actor=_user(request), delegation=delegation, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{delegation.staff.name} no longer acts for {delegation.councillor.name}."
        )
    return redirect("caseload:admin-delegations")


@council_page(roles=ADMINS)
def admin_categories(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = CategoryForm(posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            category = services.submit_once(
                user=user,
                token=d.get("form_token") or "",
                kind="category",
                create=lambda: services.category_create(
                    actor=user, name=d["name"], description=d["description"]
                ),
                describe=lambda c: (c.name, reverse("caseload:admin-categories")),
            )
        except services.AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Category {category.name} added.")
            return redirect("caseload:admin-categories")
    return render(
        request,
        "caseload/admin/categories.html",
        {"form": form, "categories": selectors.category_list(include_inactive=True)},
    )


@council_page(roles=ADMINS)
def admin_category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    category = selectors.category_get(category_id=category_id)
    form = CategoryForm(
        posted(request),
        initial={"name": category.name, "description": category.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(
                actor=_user(request),
                category=category,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Category {category.name} saved.")
            return redirect("caseload:admin-categories")
    return render(
        request, "caseload/admin/category_form.html", {"form": form, "category": category}
    )


@council_page(roles=ADMINS)
@require_POST
def admin_category_toggle(request: HttpRequest, category_id: int) -> HttpResponse:
    category = selectors.category_get(category_id=category_id)
    try:
        services.category_update(
            actor=_user(request), category=category, is_active=not category.is_active
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        state = "restored" if category.is_active else "retired: old cases keep it"
        messages.success(request, f"Category {category.name} {state}.")
    return redirect("caseload:admin-categories")


@council_page(roles=ADMINS)
def admin_wards(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = WardForm(posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            ward = services.submit_once(
                user=user,
                token=d.get("form_token") or "",
                kind="ward",
                create=lambda: services.ward_create(
                    actor=user, name=d["name"], code=d["code"] or None
                ),
                describe=lambda w: (w.name, reverse("caseload:admin-wards")),
            )
        except services.AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Ward {ward.name} added.")
            return redirect("caseload:admin-wards")
    return render(
        request, "caseload/admin/wards.html", {"form": form, "wards": selectors.ward_list()}
    )


@council_page(roles=ADMINS)
def admin_holidays(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        raise Http404("No such year.") from None
    if not 2000 <= year <= 2100:
        raise Http404("No such year.")
    form = HolidayForm(posted(request))
    if request.method == "POST" and form.is_valid():
        user = _user(request)
        d = form.cleaned_data
        try:
            holiday = services.submit_once(
                user=user,
                token=d.get("form_token") or "",
                kind="holiday",
                create=lambda: services.holiday_add(actor=user, day=d["day"], name=d["name"]),
                describe=lambda h: (
                    f"{h.date:%-d %B %Y}, {h.name}",
                    f"{request.path}?year={h.date.year}",
                ),
            )
        except services.AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(form, exc)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{holiday.date:%-d %B %Y} added: target dates skip it.")
            return redirect(f"{request.path}?year={holiday.date.year}")
    return render(
        request,
        "caseload/admin/holidays.html",
        {
            "form": form,
            "year": year,
            "holidays": selectors.holiday_list(year=year),
            "years": [year - 1, year + 1],
        },
    )


@council_page(roles=ADMINS)
@require_POST
def admin_holiday_remove(request: HttpRequest, holiday_id: int) -> HttpResponse:
    holiday = selectors.holiday_get(holiday_id=holiday_id)
    try:
        services.holiday_remove(actor=_user(request), holiday=holiday)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{holiday.date:%-d %B %Y} is a working day again.")
    return redirect(f"/admin-area/holidays/?year={holiday.date.year}")


@council_page(roles=ADMINS)
def admin_postcodes(request: HttpRequest) -> HttpResponse:
    """Replace the postcode-to-ward table from an ONS Postcode Directory CSV extract."""
    form = CsvUploadForm(posted(request), posted_files(request))
    result = None
    rejected_rows: list[dict[str, object]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.postcode_table_upload(
                actor=_user(request), file=upload, filename=upload.name or ""
            )
        except ApplicationError as exc:
            rejected_rows = list((exc.extra or {}).get("rows") or [])
            add_service_error(form, exc)
    return render(
        request,
        "caseload/admin/postcodes.html",
        {
            "form": form,
            "result": result,
            "rejected_rows": rejected_rows,
            "uploads": selectors.postcode_upload_list()[:10],
        },
    )


@council_page(roles=ADMINS)
def admin_settings(request: HttpRequest) -> HttpResponse:
    current = selectors.caseload_settings_get()
    form = SettingsForm(
        posted(request),
        initial={
            "reference_prefix": current.reference_prefix,
            "referral_target_days": current.referral_target_days,
            "auto_accept_extensions": current.auto_accept_extensions,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.caseload_settings_update(actor=_user(request), **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Settings saved.")
            return redirect("caseload:admin-settings")
    return render(request, "caseload/admin/settings.html", {"form": form})
