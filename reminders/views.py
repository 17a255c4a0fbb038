"""The home page of a council's site: what needs doing today (the BFs and referrals the
morning digest lists, then the person's open and recently updated cases). It lives here,
above caseload, because it shows reminders' BFs beside caseload's cases."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from caseload import selectors
from caseload.selectors import read_log
from core.web import council_page
from reminders.selectors import UPCOMING_WORKING_DAYS, dashboard_due_items

DASHBOARD_ROWS = 10


@council_page()
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not selectors.user_does_casework(user):
        # Admins keep the council's set-up but do not read casework (see selectors.access).
        return render(request, "caseload/dashboard_admin.html")
    due = dashboard_due_items(user=user)
    open_cases = selectors.my_open_cases(user=user, limit=None)
    shown_open = list(open_cases[:DASHBOARD_ROWS])
    recent = list(selectors.recently_updated_cases(user=user, limit=DASHBOARD_ROWS))
    # One audit entry for every case the page names (its open and recent lists; the BFs and
    # referrals due name cases of the same councillors).
    read_log.case_list_record(
        user=user,
        rows=list({c.pk: c for c in [*shown_open, *recent, *due.cases()]}.values()),
        where="dashboard",
    )
    return render(
        request,
        "caseload/dashboard.html",
        {
            "due": due,
            "upcoming_days": UPCOMING_WORKING_DAYS,
            "overdue_count": len(due.bfs_overdue) + len(due.referrals_past_target),
            "open_cases": shown_open,
            "open_count": open_cases.count(),
            "recent": recent,
            "acts_for": list(selectors.owner_choices_for_user(user=user))
            if user.role == User.Role.STAFF
            else [],
        },
    )
