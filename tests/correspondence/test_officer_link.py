"""An officer answers a referral through the link in their email, without an account."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from caseload.models import Action, Case, Referral
from correspondence.services import correspondence_send_email, referral_link_revoke
from mailer.services import outbox_deliver
from tests.conftest import host_for, in_council


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def _send_referral_email(council, people, scene, key: str = "referral") -> str:
    mail.outbox.clear()
    with in_council(council):
        correspondence_send_email(
            actor=people.owner, key=key, case=scene.case, referral=scene.referral
        )
        outbox_deliver()
    match = re.search(r"https?://[^/\s]+(/officer-reply/[^\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    mail.outbox.clear()
    return match.group(1)


def _browser(council) -> Client:
    return Client(HTTP_HOST=host_for(council))


def _post(client: Client, path: str, **data) -> object:
    page = client.get(path)  # sets the CSRF cookie, as a browser would
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else ""
    return client.post(path, {"csrfmiddlewaretoken": token, **data})


def test_reply_lands_in_history_and_notifies_the_councillor(council_a, people, scene):
    path = _send_referral_email(council_a, people, scene)
    browser = Client(HTTP_HOST=host_for(council_a), enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert scene.case.reference in html and "Please check the lamp." in html
    assert scene.case.constituent.name in html  # consent to share is recorded
    # Single-purpose: only what the referral shared, never the case's own notes.
    assert "Broken streetlight" in html
    assert scene.case.description == "" or scene.case.description not in html
    response = _post(browser, path, response="reply", text="A new lamp is fitted on Friday.")
    assert response.status_code == 302
    assert response["Location"] == "/officer-reply/thanks/"
    with in_council(council_a):
        case = Case.objects.get(pk=scene.case.pk)
        assert case.status == Case.Status.REPLY_RECEIVED
        referral = Referral.objects.get(pk=scene.referral.pk)
        assert referral.replied_at is not None and referral.target_met is True
        reply = Action.objects.get(case=case, kind=Action.Kind.OFFICER_REPLY)
        assert "A new lamp is fitted on Friday." in reply.text
        assert reply.data["via"] == "officer_link"
        # The officer's own entry, naming them: not "by Cllr ...".
        assert reply.officer_id == referral.officer_id
        outbox_deliver()
    assert [m.to for m in mail.outbox] == [["owner@a.gov.uk"]]
    assert scene.case.reference in mail.outbox[0].subject
    assert "A new lamp" not in mail.outbox[0].body  # the reply stays behind sign-in
    # The link cannot be reused once the referral is closed.
    assert browser.get(path).status_code == 410
    again = _post(browser, path, response="reply", text="Second go")
    assert again.status_code == 410
    with in_council(council_a):
        assert Action.objects.filter(case=case, kind=Action.Kind.OFFICER_REPLY).count() == 1


def test_done_closes_the_referral(council_a, people, scene):
    path = _send_referral_email(council_a, people, scene)
    browser = _browser(council_a)
    assert _post(browser, path, response="done", text="").status_code == 302
    with in_council(council_a):
        reply = Action.objects.get(case=scene.case, kind=Action.Kind.OFFICER_REPLY)
    assert "Marked done by the officer" in reply.text
    assert browser.get(path).status_code == 410


def test_needs_more_time_asks_the_councillor_and_keeps_the_link(council_a, people, scene):
    path = _send_referral_email(council_a, people, scene)
    browser = _browser(council_a)
    new_date = timezone.localdate() + timedelta(days=40)
    response = _post(
        browser,
        path,
        response="more_time",
        text="Waiting for a part.",
        new_target_date_day=str(new_date.day),
        new_target_date_month=str(new_date.month),
        new_target_date_year=str(new_date.year),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with in_council(council_a):
        referral = Referral.objects.get(pk=scene.referral.pk)
        # The request waits for the councillor: the target does not move by itself.
        assert referral.target_date == scene.referral.target_date and referral.replied_at is None
        assert referral.extensions.get().state == "pending"
        assert Case.objects.get(pk=scene.case.pk).status == Case.Status.REFERRED
        entry = Action.objects.get(case=scene.case, kind=Action.Kind.OFFICER_REPLY)
        assert entry.data["more_time"] is True and "Waiting for a part." in entry.text
        assert entry.officer_id == referral.officer_id
        outbox_deliver()
    assert "asks for more time" in mail.outbox[0].body
    assert "Accept or refuse" in mail.outbox[0].body
    assert browser.get(path).status_code == 200  # still open: a reply is still owed


def test_invalid_form_shows_errors(council_a, people, scene):
    path = _send_referral_email(council_a, people, scene)
    browser = _browser(council_a)
    response = _post(browser, path, response="more_time", text="Soon")
    assert response.status_code == 400
    assert "Give the date you expect to reply by" in response.content.decode()
    past = timezone.localdate() - timedelta(days=3)
    response = _post(
        browser,
        path,
        response="more_time",
        text="Soon",
        new_target_date_day=str(past.day),
        new_target_date_month=str(past.month),
        new_target_date_year=str(past.year),
    )
    assert response.status_code == 400
    assert "The new date must be in the future." in response.content.decode()
    with in_council(council_a):
        assert not Action.objects.filter(kind=Action.Kind.OFFICER_REPLY).exists()


def test_expired_link(council_a, people, scene, settings, monkeypatch):
    path = _send_referral_email(council_a, people, scene)
    later = time.time() + (settings.CORRESPONDENCE_REPLY_LINK_DAYS + 1) * 86400
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    page = _browser(council_a).get(path)
    assert page.status_code == 410
    assert "expired" in page.content.decode()


def test_tampered_link(council_a, people, scene):
    path = _send_referral_email(council_a, people, scene)
    token = path.split("/")[2]
    payload, stamp, signature = token.split(":")
    forged = f"/officer-reply/{payload}:{stamp}:{signature[:-2]}xx/"
    assert _browser(council_a).get(forged).status_code == 404
    # Re-signing someone else's payload needs the key: a payload naming another referral
    # with the original signature fails too.
    other = f"/officer-reply/{payload[:-3]}abc:{stamp}:{signature}/"
    assert _browser(council_a).get(other).status_code == 404


def test_link_from_another_council(council_a, council_b, people, scene):
    path = _send_referral_email(council_a, people, scene)
    page = _browser(council_b).get(path)
    assert page.status_code == 404
    response = _post(_browser(council_b), path, response="reply", text="Wrong place")
    assert response.status_code == 404
    with in_council(council_a):
        assert Referral.objects.get(pk=scene.referral.pk).replied_at is None


def test_revoked_link_and_closed_case(council_a, people, scene):
    from caseload.services import case_close

    path = _send_referral_email(council_a, people, scene)
    with in_council(council_a):
        referral_link_revoke(referral=scene.referral)
    assert _browser(council_a).get(path).status_code == 410
    with in_council(council_a):
        from correspondence.models import ReferralLink

        ReferralLink.objects.update(revoked_at=None)
        case_close(actor=people.owner, case=scene.case, outcome=Case.Outcome.RESOLVED)
    assert _browser(council_a).get(path).status_code == 410


def test_no_consent_hides_the_constituent(council_a, people):
    from caseload.services import referral_create
    from tests.correspondence.conftest import Scene, make_case, make_constituent, make_officer

    with in_council(council_a):
        private = make_constituent(people.owner, name="Hidden Person", consent_to_share=False)
        case = make_case(people.owner, private)
        officer = make_officer(people.admin)
        referral = referral_create(actor=people.owner, case=case, officer=officer)
    path = _send_referral_email(council_a, people, Scene(case, referral, officer))
    html = _browser(council_a).get(path).content.decode()
    assert "Hidden Person" not in html and private.email not in html
    assert "has not agreed to share" in html


def test_chaser_carries_a_fresh_link_for_the_same_referral(council_a, people, scene):
    first = _send_referral_email(council_a, people, scene)
    second = _send_referral_email(council_a, people, scene, key="chaser")
    # Both emails' links open the one referral, until it is answered.
    assert _browser(council_a).get(first).status_code == 200
    assert _browser(council_a).get(second).status_code == 200
    with in_council(council_a):
        from correspondence.models import ReferralLink

        assert ReferralLink.objects.filter(referral=scene.referral).count() == 1


def test_rate_limited(council_a, people, scene, settings):
    settings.CORRESPONDENCE_REPLY_RATE_PER_LINK = 3
    path = _send_referral_email(council_a, people, scene)
    browser = _browser(council_a)
    assert [browser.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_rate_limit_per_address_counts_visitors_behind_the_ingress_apart(
    council_a, people, scene, settings
):
    """Behind the ingress every request comes from its address: the per-address allowance
    must follow X-Forwarded-For (CLIENT_IP_PROXY_COUNT=1), or one busy office would lock
    every officer out."""
    settings.CORRESPONDENCE_REPLY_RATE_PER_IP = 2
    settings.CLIENT_IP_PROXY_COUNT = 1
    path = _send_referral_email(council_a, people, scene)

    def get(visitor: str) -> int:
        return (
            _browser(council_a)
            .get(path, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=visitor)
            .status_code
        )

    assert [get("203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert get("198.51.100.4") == 200  # another visitor, same ingress
