"""Journey 5, at 1,280x800 and 390x844: a central-body analyst onboards a council and watches
the progress page (htmx polling into an aria-live region) while a real Celery worker runs the
job, then opens the comparison and an evaluation report (the PDF, which opens).
"""

from __future__ import annotations

import io
import itertools
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery_app import app
from tests.browser.conftest import CENTRAL_EMAIL, PASSWORD, SIZES
from tests.browser.journeys import Person
from tests.browser.support import sign_in, wait_until

_numbers = itertools.count(1)


@pytest.fixture
def worker():
    """A Celery worker in this process on a queue of its own, where the onboarding task
    (queued by the live server's thread, in this process) goes."""
    queue = f"browser-onboarding-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
            yield
    finally:
        app.conf.task_default_queue = previous


@pytest.mark.parametrize("size", list(SIZES))
def test_journey_5_central_body_onboards_a_council(size, browser, server, worker, tmp_path):
    from pypdf import PdfReader

    n = next(_numbers)
    slug = f"clackmannanshire-{size}-{n}"
    context = browser.new_context(viewport=SIZES[size], accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    base = server.url(None, "")
    try:
        sign_in(page, base, CENTRAL_EMAIL, PASSWORD)
        analyst = Person(page, base)
        analyst.follow("Onboard a council")
        analyst.fill("Council name", f"Clackmannanshire Council {n}")
        analyst.fill("Web address", slug)
        analyst.fill("First administrator's name", "Isla Morrison")
        analyst.fill("First administrator's email", f"isla.morrison@{slug}.gov.uk")
        analyst.press("Create council")
        assert "/councils/jobs/" in page.url
        # The page updates itself in place: no reload, no meta refresh.
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        live = page.locator("[aria-live]").first
        assert live.count() == 1
        page.evaluate("() => { window.__notReloaded = true; }")
        wait_until(lambda: "Council created" in page.locator("main").inner_text(), timeout=60)
        assert page.evaluate("() => window.__notReloaded === true"), "the page was reloaded"
        assert f"{slug}." in page.locator("main").inner_text()
        analyst.check("progress page, council created")

        # Its licence page: a form sent empty names each field; cancelling asks first.
        page.goto(f"{base}/licences/{slug}/")
        analyst.fill("Keep the data (read-only, exportable) for this many days", "")
        analyst.press("Cancel the licence")
        summary = page.locator(".govuk-error-summary").inner_text()
        assert "Enter why the licence is cancelled" in summary
        assert "Enter how many days to keep the data" in summary
        analyst.check("licence page with errors")
        analyst.fill("Why the licence is cancelled", "Trial set up by mistake")
        analyst.fill("Keep the data (read-only, exportable) for this many days", "30")
        analyst.press("Cancel the licence")
        assert analyst.heading().startswith("Cancel Clackmannanshire Council"), analyst.errors()
        analyst.check("cancel confirmation")
        analyst.follow("No, keep it")
        assert "Trial" in page.locator("[data-licence-state]").inner_text()

        analyst.follow("Comparison")
        assert analyst.heading().startswith("Compar")
        analyst.check("comparison")
        analyst.follow("Evaluation reports")
        with page.expect_download() as got:
            page.get_by_role("link", name="Across councils (PDF)").click()
        path = tmp_path / "evaluation.pdf"
        got.value.save_as(path)
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
        assert "criteri" in text.lower(), text[:300]
    finally:
        context.close()
