"""`make screenshots`: regenerate docs/screenshots/ (shown in README) from the demo data.

Dashboard, case page (its top, and its BFs), referral, officer reply, surgery, triage, the
council's evaluation and the console's comparison, each
at 1,280x800 and 390x844 (what fits in the window, as a person first sees it). Skipped
unless CASELOAD_SCREENSHOTS names the folder to write (make screenshots sets it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from tests.browser.conftest import PASSWORD, SIZES
from tests.browser.support import sign_in

OUT = os.environ.get("CASELOAD_SCREENSHOTS", "")

pytestmark = pytest.mark.skipif(not OUT, reason="make screenshots regenerates docs/screenshots")


def _case_with_history(world):
    """The councillor's open case with the most history and a referral: a full case page."""
    from django.db.models import Count

    from caseload.models import Case

    with schema_context(world.council.schema_name):
        case = (
            Case.objects.filter(owner__email=world.email("councillor"), referrals__isnull=False)
            .exclude(status="closed")
            .annotate(n=Count("actions"))
            .order_by("-n", "id")
            .first()
        )
        assert case is not None
        return case


def test_screenshots(browser, server, world) -> None:
    out = Path(OUT)
    out.mkdir(parents=True, exist_ok=True)
    case = _case_with_history(world)
    council = server.url(world.council, "")
    platform = server.url(None, "")
    shots = [
        ("dashboard", council, world.email("councillor"), "/"),
        ("case", council, world.email("councillor"), f"/cases/{case.pk}/"),
        ("case-bfs", council, world.email("councillor"), f"/cases/{case.pk}/"),
        ("referral", council, world.email("councillor"), f"/cases/{case.pk}/refer/"),
        ("officer-reply", council, None, world.officer_reply_path),
        ("surgery", council, world.email("staff"), "/surgery/?q=a"),
        ("triage", council, world.email("staff"), "/triage/"),
        ("evaluation", council, world.email("councillor"), "/evaluation/"),
        ("comparison", platform, world.email("central"), "/comparison/"),
    ]
    for size, viewport in SIZES.items():
        contexts = {}
        for name, base, email, path in shots:
            key = (base, email)
            if key not in contexts:
                context = browser.new_context(viewport=viewport)
                page = context.new_page()
                if email:
                    sign_in(page, base, email, PASSWORD)
                contexts[key] = (context, page)
            page = contexts[key][1]
            page.goto(base + path)
            if name == "case-bfs":
                # The case's BFs and referrals, below its details and history.
                page.evaluate(
                    "() => { const h = [...document.querySelectorAll('h2')]"
                    ".find(e => e.textContent.trim().startsWith('BFs')); window.scrollTo(0,"
                    " h.getBoundingClientRect().top + window.scrollY - 10); }"
                )
            if name == "comparison":
                # The charts, which the table above them would otherwise push out of view.
                page.evaluate(
                    "() => { const h = [...document.querySelectorAll('h2')]"
                    ".find(e => e.textContent.trim() === 'Charts'); window.scrollTo(0,"
                    " h.getBoundingClientRect().top + window.scrollY - 10); }"
                )
            page.screenshot(path=str(out / f"{name}-{size}.png"))
        for context, _page in contexts.values():
            context.close()
