"""axe-core (WCAG 2.0-2.2 A and AA rules) on every caseload page and its error states.

The pages are rendered by the test client (as the councillor and as the admin, plus forms
showing errors, sign-in and not-found), saved with their stylesheet pointing at the built
CSS, and opened in Chromium through Playwright with the vendored axe-core
(tests/browser/support.py). The live crawler (tests/browser/test_crawl.py) covers every
page as every role at both sizes; this test adds what a GET crawl cannot reach: forms
showing their errors. Skipped where Chromium is missing (failing where
CASELOAD_REQUIRE_BROWSER=1); the HTML linter in test_pages.py runs everywhere.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from django.conf import settings

from tests.browser.support import axe_violations, launch_chromium, require_chromium
from tests.caseload.pages_support import build_scene, client_for
from tests.caseload.test_pages import EXPECTED, ROLES, _url
from tests.caseload.test_pages_demo import OTHER_PAGES

STATIC = Path(settings.BASE_DIR) / "platform" / "static"
NOT_PAGES = {"surgery-lookup", "referral-target", "attachment-download", "audit-export"}


def _save(html: str, folder: Path, name: str) -> Path:
    # Point the stylesheet at the built file; drop the module script (file:// pages cannot
    # import modules) so axe sees the page as a browser without JavaScript renders it.
    html = re.sub(r'(href|src)="/static/', rf'\1="{STATIC.as_uri()}/', html)
    html = re.sub(r'<script type="module">.*?</script>', "", html, flags=re.S)
    path = folder / f"{len(list(folder.iterdir())):03d}-{name}.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_pages_pass_axe(cast, council_a, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    scene = build_scene(cast, council_a)
    pages = tmp_path / "pages"
    pages.mkdir()
    saved: list[Path] = []
    for role, user in (("councillor", cast.owner), ("admin", cast.admin)):
        client = client_for(council_a, user)
        for name, statuses in EXPECTED.items():
            # Fragments and downloads are not pages; the admin's copy of a page the
            # councillor also gets is the same template, so only their dashboard differs.
            shared = role == "admin" and statuses[0] == 200 and name != "dashboard"
            if statuses[ROLES.index(role)] != 200 or shared or name in NOT_PAGES:
                continue
            response = client.get(_url(name, scene))
            saved.append(_save(response.content.decode(), pages, f"{role}-{name}"))
        for n, (path, statuses) in enumerate(OTHER_PAGES.items()):
            if statuses[ROLES.index(role)] == 200:
                response = client.get(path.format(**scene.url_kwargs()))
                assert response.status_code == 200, path
                saved.append(_save(response.content.decode(), pages, f"{role}-other-{n}"))
    owner = client_for(council_a, cast.owner)
    with_errors = {
        "action-errors": owner.post(f"/cases/{scene.case.pk}/actions/new/", {"kind": "x"}),
        "constituent-errors": owner.post("/constituents/new/", {"name": ""}),
        "constituent-duplicate": owner.post(
            "/constituents/new/",
            {"name": "Morag Example", "postcode": "KY1 1AA", "preferred_contact": "any"},
        ),
        "bf-add-errors": owner.post(f"/cases/{scene.case.pk}/bfs/new/", {"due_date_day": "40"}),
        "bf-snooze-errors": owner.post(f"/bfs/{scene.bf.pk}/snooze/", {"working_days": "0"}),
        "bf-rules-errors": client_for(council_a, cast.admin).post(
            "/admin-area/bf-rules/", {"trigger": "no_action", "working_days": "0"}
        ),
        "not-found": owner.get("/cases/999999/"),
        "write-errors": owner.get(f"/cases/{scene.case.pk}/write/?template=chaser"),
        "list-errors": owner.get(
            "/cases/?opened_from_day=40&opened_from_month=1&opened_from_year=2026"
        ),
        "login": client_for(council_a, None).get("/login/"),
        "login-errors": client_for(council_a, None).post("/login/", {"username": "x"}),
    }
    for name, response in with_errors.items():
        saved.append(_save(response.content.decode(), pages, name))
    # A page with a known fault proves the checker really ran with the stylesheet loaded.
    canary = _save(
        with_errors["login"]
        .content.decode()
        .replace("</main>", '<input id="unlabelled"><p style="color:#bbb">Faint</p></main>'),
        pages,
        "canary",
    )
    saved.append(canary)

    require_chromium()
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    results = {}
    # No ORM call from here on: Playwright's sync API runs an event loop in this thread.
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1024, "height": 800})
        for path in saved:
            page.goto(path.as_uri())
            results[str(path)] = axe_violations(page)
        browser.close()
    print(f"axe: {len(saved)} pages in {time.monotonic() - started:.1f} s")
    assert len(results) == len(saved)
    assert {v["id"] for v in results.pop(str(canary))} >= {"label", "color-contrast"}
    failures = {Path(page).name: v for page, v in results.items() if v}
    assert not failures, json.dumps(failures, indent=1)
