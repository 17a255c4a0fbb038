"""The Content-Security-Policy in a real browser: Chromium reports every blocked script or
style as a console error, so a page that needs something the policy forbids fails here.
(The crawler does the same for every page a link reaches; these are pages it does not:
the API docs, Swagger UI from the local copy, and the sign-in steps.)"""

from __future__ import annotations

import pytest

from tests.browser.conftest import PASSWORD
from tests.browser.support import ConsoleWatch, sign_in


@pytest.mark.parametrize("where", ["council", "platform"])
def test_swagger_ui_runs_under_the_policy(browser, server, world, where) -> None:
    context = browser.new_context()
    page = context.new_page()
    console = ConsoleWatch(page)
    page.goto(server.url(world.council if where == "council" else None, "/api/docs/"))
    # Swagger UI has fetched the schema and drawn the operations.
    page.locator(".opblock").first.wait_for(timeout=20_000)
    problems = console.take()
    context.close()
    assert not problems, problems


def test_the_second_factor_steps_run_under_the_policy(browser, server, world) -> None:
    context = browser.new_context()
    page = context.new_page()
    console = ConsoleWatch(page)
    base = server.url(world.council, "")
    sign_in(page, base, world.email("admin"), PASSWORD)  # password, then the app's code
    page.goto(base + "/account/")
    page.goto(base + "/account/two-factor/")  # the QR code, drawn as inline SVG
    assert page.locator("svg.app-qr").is_visible()
    problems = console.take()
    context.close()
    assert not problems, problems
