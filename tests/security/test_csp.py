"""Content-Security-Policy on every page type: each HTML answer of both kinds of host, as
each role (and signed out), carries a strict policy, and its markup needs nothing the policy
forbids (inline script without the nonce, inline style, event-handler attributes)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.test import Client

from correspondence.services.links import referral_link_token
from tests.caseload.pages_support import build_scene, client_for
from tests.conftest import host_for, in_council, sign_in
from tests.security.routes import COUNCIL, PLATFORM, routes
from tests.security.support import browser, login

FORBIDDEN_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:")


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.nonces: set[str] = set()
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script" and not found.get("src"):
            if not found.get("nonce"):
                self.problems.append("inline <script> without a nonce")
            else:
                self.nonces.add(str(found["nonce"]))


def csp_problems(response) -> list[str]:
    rules = policy(response)
    problems = []
    if not rules:
        return ["no Content-Security-Policy header"]
    for directive in ("default-src", "script-src", "style-src", "object-src", "base-uri"):
        if directive not in rules:
            problems.append(f"no {directive}")
    for directive, sources in rules.items():
        bad = [s for s in sources if s in FORBIDDEN_SOURCES]
        if bad:
            problems.append(f"{directive} allows {bad}")
    if rules.get("style-src") != ["'self'"]:
        problems.append(f"style-src is {rules.get('style-src')}")
    if "text/html" in response.get("Content-Type", ""):
        markup = _Markup()
        markup.feed(response.content.decode(errors="replace"))
        problems += markup.problems
        allowed = {s[len("'nonce-") : -1] for s in rules.get("script-src", [])}
        problems += [f"script nonce {n} is not the header's" for n in markup.nonces - allowed]
    return problems


def _values(scene, cast, council) -> dict[str, object]:
    with in_council(council):
        token = referral_link_token(referral=scene.referral)
    return {
        **scene.url_kwargs(),
        "ward_id": cast.north.pk,
        "token": token,
        "uidb64": "MQ",
        "slug": "council-a",
        "fmt": "csv",
        "key": "acknowledgement",
    }


def _html_answers(client: Client, paths: list[str]) -> dict[str, object]:
    answers = {}
    for path in paths:
        response = client.get(path)
        if "text/html" in response.get("Content-Type", ""):
            answers[f"{path} ({response.status_code})"] = response
    return answers


def _get_paths(urlconf: str, values: dict) -> list[str]:
    return [r.path(values) for r in routes(urlconf) if "GET" in r.methods() or not r.is_api]


def test_every_page_of_a_council_as_every_role(cast, council_a) -> None:
    scene = build_scene(cast, council_a)
    paths = _get_paths(COUNCIL, _values(scene, cast, council_a))
    answers: dict[str, object] = {}
    for role, user in (
        ("signed out", None),
        ("councillor", cast.owner),
        ("staff", cast.staff),
        ("admin", cast.admin),
    ):
        for key, response in _html_answers(client_for(council_a, user), paths).items():
            answers[f"{role}: {key}"] = response
    problems = {k: p for k, r in answers.items() if (p := csp_problems(r))}
    assert len(answers) > 100, len(answers)
    assert not problems, problems


def test_every_page_of_the_central_site(make_user, council_a) -> None:
    central = make_user(None)
    signed_in = browser(None)
    sign_in(signed_in, None, central)
    paths = _get_paths(PLATFORM, {"slug": "council-a", "fmt": "csv", "pk": 1})
    answers = {
        **{f"signed out: {k}": v for k, v in _html_answers(browser(None), paths).items()},
        **{f"central: {k}": v for k, v in _html_answers(signed_in, paths).items()},
    }
    problems = {k: p for k, r in answers.items() if (p := csp_problems(r))}
    assert len(answers) > 30, len(answers)
    assert not problems, problems


def test_the_pages_between_password_and_site(council_a, make_user) -> None:
    """Pages no link leads to: the code step, setting up a second factor (with its QR code),
    the recovery codes, the lockout, an unknown host, a hostile request, the API docs."""
    admin = make_user(council_a, role="admin")
    councillor = make_user(council_a, role="councillor")
    web = browser(council_a)
    login(web, admin, "Test-password-123")
    pages = {"two-factor set-up": web.get("/account/two-factor/")}
    code_step = browser(council_a)
    sign_in(browser(council_a), council_a, councillor)  # (no second factor: straight in)
    from tests.conftest import enrol_second_factor

    enrol_second_factor(council_a, councillor)
    login(code_step, councillor, "Test-password-123")
    pages["code step"] = code_step.get("/login/code/")
    pages["wrong code"] = code_step.post("/login/code/", {"code": "000000"})
    signed = browser(council_a)
    sign_in(signed, council_a, councillor)
    pages["recovery codes"] = signed.post("/account/recovery-codes/")
    pages["account"] = signed.get("/account/")
    locked = browser(council_a)
    for _ in range(10):
        last = login(locked, councillor, "wrong")
    pages["lockout"] = last
    pages["unknown host"] = Client(HTTP_HOST="nowhere.localhost").get("/")
    pages["hostile input"] = browser(council_a).get("/cases/?q=%00")
    pages["API docs"] = browser(council_a).get("/api/docs/")
    pages["API docs, platform"] = browser(None).get("/api/docs/")
    assert pages["API docs"].status_code == 200
    problems = {k: p for k, r in pages.items() if (p := csp_problems(r))}
    assert not problems, problems
    assert "<svg" in pages["two-factor set-up"].content.decode()


def test_the_api_docs_come_from_a_local_pinned_copy(council_a) -> None:
    page = browser(council_a).get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert any("drf_spectacular_sidecar/swagger-ui-dist" in s for s in sources), sources
    assert "cdn" not in page.lower() and "@latest" not in page


def test_the_server_error_page_needs_no_inline_script() -> None:
    """Django renders 500.html with no request: base.html then leaves out its two scripts
    rather than print them without a nonce."""
    html = render_to_string("500.html")
    markup = _Markup()
    markup.feed(html)
    assert not markup.problems and "<script nonce" not in html


@pytest.mark.parametrize("council", [None, "a"])
def test_json_answers_carry_the_policy_too(council, council_a) -> None:
    host = host_for(council_a if council else None)
    response = Client(HTTP_HOST=host).get("/api/v1/me/")
    assert policy(response)["default-src"] == ["'self'"]
