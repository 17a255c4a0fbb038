"""Forms that forgive, for every app's tests: read a create form's one-time token from its
page, send the same POST twice, and check that one object was made and that the second
answer says so (caseload.services.submit_once); or that another user's replay of the same
token makes nothing and learns nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.test import Client

from tenants.models import Council
from tests.conftest import in_council

# The token's field: `form_token`, or `<prefix>-form_token` on a page of several forms.
TOKEN = re.compile(r'name="([\w-]*form_token)" value="([0-9a-f]{32})"')


@dataclass
class OnceForm:
    """One create form: the page that shows it, where it posts, what it sends (built afresh
    for each send: an uploaded file is read once), how many of its objects there are (run
    in the council), and what the second send's answer says."""

    page: str
    post: str
    data: Callable[[], dict[str, Any]]
    count: Callable[[], int]
    said: str


def form_token(client: Client, url: str) -> tuple[str, str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    match = TOKEN.search(response.content.decode())
    assert match, f"no one-time token on {url}"
    return match.group(1), match.group(2)


def sent_twice(council: Council, client: Client, form: OnceForm) -> str:
    """Send `form` twice with one token; returns the second answer's page (redirects
    followed), after checking that exactly one object was made."""
    field, token = form_token(client, form.page)
    with in_council(council):
        before = form.count()
    first = client.post(form.post, {**form.data(), field: token})
    assert first.status_code in (200, 302), first.status_code
    with in_council(council):
        assert form.count() == before + 1, "the first send made nothing"
    again = client.post(form.post, {**form.data(), field: token}, follow=True)
    assert again.status_code == 200, again.status_code
    with in_council(council):
        assert form.count() == before + 1, "the second send made another"
    html = again.content.decode()
    assert form.said in html, html
    return html


def replayed_by_another(
    council: Council, client: Client, other: Client, form: OnceForm, secret: str
) -> None:
    """`client` sends the form; `other` sends the same POST with the same token: nothing is
    made, and the answer names nothing that was made (`secret`: what it would show)."""
    field, token = form_token(client, form.page)
    with in_council(council):
        before = form.count()
    assert client.post(form.post, {**form.data(), field: token}).status_code in (200, 302)
    replay = other.post(form.post, {**form.data(), field: token}, follow=True)
    html = replay.content.decode()
    assert "already sent" in html, html
    assert secret not in html
    with in_council(council):
        assert form.count() == before + 1
