"""The council's audit log on the web: search it (/audit/) and download the result as CSV
(/audit/export/). For the council's admins and its data protection officer only (a 403 page
for anyone else); every search and every download is itself written to the log. And the
admin's page that makes someone the data protection officer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import User
from accounts.roles import ADMINS
from accounts.selectors import member_get_for_admin
from audit.models import AuditEntry
from audit.selectors import AuditFilters
from caseload import selectors, services
from caseload.audit_csv import EXPORT_MAX_ROWS, csv_rows
from caseload.forms_audit import AuditFilterForm
from caseload.selectors.audit import REFUSED
from caseload.services.members import DPO_ROLES
from core.csv_writer import csv_response
from core.errors import ApplicationError
from core.web import add_service_error, council_page, paginate, query_without_page


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _searcher(request: HttpRequest) -> User:
    user = _user(request)
    if not selectors.audit_search_allowed(user):
        raise PermissionDenied(REFUSED)
    return user


def _search(request: HttpRequest, user: User) -> tuple[AuditFilterForm, AuditFilters, Any]:
    """The form, the filters it gives, and the matching entries (none when it has errors)."""
    form = AuditFilterForm(request.GET or None, people=selectors.audit_people(user=user))
    filters = AuditFilters()
    if form.is_bound and form.is_valid():
        filters = form.filters()
    entries = AuditEntry.objects.none()
    if not form.errors:
        try:
            entries = selectors.audit_entries_for_user(user=user, filters=filters)
        except ApplicationError as exc:
            add_service_error(form, exc, field_map={"action": "kind"})
    return form, filters, entries


def _about() -> dict[str, int]:
    return {
        "retention_years": int(settings.AUDIT_RETENTION_DAYS) // 365,
        "export_max": EXPORT_MAX_ROWS,
    }


@council_page()
def audit_log(request: HttpRequest) -> HttpResponse:
    user = _searcher(request)
    form, filters, entries = _search(request, user)
    page = paginate(request, entries)
    if not form.errors:
        selectors.audit_search_record(
            user=user,
            filters=filters,
            shown=len(page.object_list),
            where="audit_page",
            page=page.number,
        )
    query = query_without_page(request.GET)
    return render(
        request,
        "caseload/audit/log.html",
        {"form": form, "page_obj": page, "query": query, "filtered": bool(query), **_about()},
        status=400 if form.errors else 200,
    )


@council_page()
def audit_export(request: HttpRequest) -> HttpResponse:
    """The search's result as CSV (newest first, at most EXPORT_MAX_ROWS entries)."""
    user = _searcher(request)
    form, filters, entries = _search(request, user)
    if form.errors:
        page = paginate(request, AuditEntry.objects.none())
        return render(
            request,
            "caseload/audit/log.html",
            {"form": form, "page_obj": page, "query": "", "filtered": True, **_about()},
            status=400,
        )
    rows = list(entries[:EXPORT_MAX_ROWS])
    selectors.audit_export_record(user=user, filters=filters, rows=len(rows))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_response(filename=f"audit-log-{stamp}", rows=csv_rows(rows))


@council_page(roles=ADMINS)
def admin_user_dpo(request: HttpRequest, user_id: int) -> HttpResponse:
    """Make a staff member or an admin the council's data protection officer, or end it.
    GET explains what it allows; POST does it (written to the audit log)."""
    actor = _user(request)
    member = member_get_for_admin(user=actor, user_id=user_id)
    error = ""
    if request.method == "POST":
        granted = not member.is_data_protection_officer
        try:
            services.member_set_data_protection_officer(actor=actor, user=member, granted=granted)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                f"{member.name} is now the data protection officer and can search the audit log."
                if granted
                else f"{member.name} is no longer the data protection officer.",
            )
            return redirect("caseload:admin-users")
    return render(
        request,
        "caseload/admin/user_dpo.html",
        {
            "member": member,
            "error": error,
            "eligible": member.role in DPO_ROLES and member.is_active,
        },
        status=400 if error else 200,
    )
