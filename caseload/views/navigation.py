"""The service navigation shown in the site header, per host and role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from caseload.selectors.audit import is_data_protection_officer

# (label, url name, roles that see it; None = every signed-in user of the host)
COUNCIL_ITEMS: list[tuple[str, str, set[str] | None]] = [
    ("Dashboard", "reminders:dashboard", None),
    # Admins run the set-up but do not read casework (caseload.selectors.access).
    ("Cases", "caseload:case-list", {"councillor", "staff"}),
    ("Constituents", "caseload:constituent-list", {"councillor", "staff"}),
    ("Surgery", "caseload:surgery", {"councillor", "staff"}),  # writes: see WRITING_ITEMS
    ("Officers", "caseload:officer-list", None),
    ("Triage", "correspondence:triage-list", {"staff"}),
    # Delegation is the councillor's to give (caseload.services.delegations).
    ("Delegations", "caseload:delegations", {"councillor", "staff"}),
    # The council's figures against the pilot's criteria (feedback.views_evaluation).
    ("Evaluation", "evaluation:page", None),
    ("Subject access", "privacy_casework:subject-access-list", {"councillor", "staff"}),
    ("Admin", "caseload:admin-home", {"admin"}),
    # The data protection officer (a flag on staff or an admin; admins reach it from Admin).
    ("Audit log", "caseload:audit-log", {"dpo"}),
]
# Items that lead only to pages that change things: left out on a read-only council's pages
# (base.html, with billing's `council_read_only`), which offer no write control at all.
WRITING_ITEMS = {"caseload:surgery"}
# The central body's console has its own section navigation (console/_nav.html), so the
# header adds none there; moving those links here would make it the GOV.UK service nav.
CENTRAL_ITEMS: list[tuple[str, str, set[str] | None]] = []


def nav_items(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `nav_items` = [{label, url, active}] for the signed-in user.

    The item whose URL is the longest prefix of the current path is marked active, so
    /cases/12/ highlights "Cases" and / only highlights "Dashboard" on the dashboard itself.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    council = getattr(request, "council", None)
    candidates = COUNCIL_ITEMS if council is not None else CENTRAL_ITEMS
    items: list[dict[str, Any]] = []
    for label, name, roles in candidates:
        if roles == {"dpo"}:
            if not is_data_protection_officer(user) or user.role == "admin":
                continue
        elif roles is not None and user.role not in roles:
            continue
        try:
            url = reverse(name, urlconf=getattr(request, "urlconf", None))
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": False, "writes": name in WRITING_ITEMS})
    path = request.path
    matches = [
        i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items}
