"""The Content-Security-Policy in a real browser: Chromium reports every blocked script or
style as a console error, so a page that needs something the policy forbids fails here.
(The crawler does the same for every page a link reaches; these are pages it does not:
the API docs, Swagger UI from the local copy, and the sign-in steps, which also get the
crawler's accessibility and layout checks at both sizes.)"""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PASSWORD, PHONE
from tests.browser.support import (
    ConsoleWatch,
    axe_violations,
    layout_faults,
    overflow,
    second_factor_code,
    sign_in,
)


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


def _check(page, console, where: str) -> list[str]:
    problems = []
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        problems += [
            f"{where} {name} axe {v['id']}: {v['help']} {v['nodes']}" for v in axe_violations(page)
        ]
        if overflow(page):
            problems.append(f"{where} {name} overflow: {overflow(page)}")
        problems += [f"{where} {name} layout: {f}" for f in layout_faults(page)]
    page.set_viewport_size(DESKTOP)
    return problems + [f"{where} console: {e}" for e in console.take()]


def test_the_sign_in_steps_pass_every_check(browser, server, world) -> None:
    """Reset request and its confirmation, the code step, the account page and setting up
    an app (with its QR code as inline SVG): no console error (CSP), no axe violation, no
    sideways scroll at 390 px."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    console = ConsoleWatch(page)
    base = server.url(world.council, "")
    problems = []
    page.goto(base + "/password-reset/")
    problems += _check(page, console, "reset form")
    page.get_by_label("Email address").fill("nobody@example.gov.uk")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url("**/password-reset/sent/")
    problems += _check(page, console, "reset sent")
    email = world.email("admin")
    page.goto(base + "/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/login/code/")
    problems += _check(page, console, "code step")
    page.get_by_label("Security code").fill(second_factor_code(email))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url
    page.goto(base + "/account/")
    problems += _check(page, console, "account")
    page.goto(base + "/account/two-factor/")
    assert page.locator("svg.app-qr").is_visible()
    problems += _check(page, console, "two-factor set-up")
    context.close()
    assert not problems, "\n".join(problems)


def test_journey_sign_in_helper_gives_the_code(browser, server, world) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, server.url(None, ""), world.email("central"), PASSWORD)
    assert page.url.endswith("/")
    context.close()
