"""Shared templates, council copies that replace them, and the templates API."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from core.errors import Conflict, PermissionDenied, ValidationFailed
from correspondence.models import CouncilTemplate
from correspondence.selectors import template_get_effective, template_list_effective
from correspondence.services import template_copy, template_create, template_update
from correspondence.shared.models import SharedTemplate
from correspondence.shared.services import shared_template_update
from tests.conftest import in_council

STANDARD = {"acknowledgement", "referral", "holding-reply", "chaser", "outcome"}


def test_every_council_gets_the_standard_five(council_a, council_b, people):
    for council, user in ((council_a, people.owner), (council_b, people.outsider)):
        with in_council(council):
            templates = template_list_effective(user=user)
        assert {t.key for t in templates} == STANDARD
        assert {t.source for t in templates} == {"shared"}


def test_council_copy_replaces_shared_and_survives_a_later_shared_change(
    council_a, council_b, people, make_user
):
    central = make_user(None, email="central@platform.example")
    with in_council(council_a):
        template_copy(actor=people.staff, key="acknowledgement")
        template_update(
            actor=people.staff,
            key="acknowledgement",
            body="Dear {{ constituent.name }}, Council A's own words. {{ case.reference }}",
        )
    with schema_context("public"):
        shared = shared_template_update(
            actor=central,
            key="acknowledgement",
            body="Dear {{ constituent.name }}, the central body's new words. {{ case.reference }}",
        )
    assert shared.version == 2
    with in_council(council_a):
        mine = template_get_effective(user=people.owner, key="acknowledgement")
    assert mine.source == "copy"
    assert "Council A's own words" in mine.body
    assert mine.based_on_version == 1 and mine.shared_version == 2
    assert mine.shared_changed_since_copy
    with in_council(council_b):
        theirs = template_get_effective(user=people.outsider, key="acknowledgement")
    assert theirs.source == "shared"
    assert "central body's new words" in theirs.body
    # Council A's copy lives in A's schema only.
    with in_council(council_b):
        assert not CouncilTemplate.objects.exists()


def test_unknown_field_refused_on_save_with_its_name(council_a, people):
    with in_council(council_a):
        with pytest.raises(ValidationFailed) as exc:
            template_create(
                actor=people.staff,
                key="planning-update",
                name="Planning update",
                audience="constituent",
                subject="Planning: {{ case.reference }}",
                body="Dear {{ constituent.name }}, see {{ settings.SECRET_KEY }}",
            )
        assert "settings.SECRET_KEY" in exc.value.message
        template_copy(actor=people.staff, key="chaser")
        with pytest.raises(ValidationFailed) as exc:
            template_update(actor=people.staff, key="chaser", body="{{ officer.name.lower() }}")
        assert "officer.name.lower()" in exc.value.message
        assert "officer.name.lower" not in CouncilTemplate.objects.get(key="chaser").body


def test_only_template_keepers_edit(council_a, people):
    with in_council(council_a):
        with pytest.raises(PermissionDenied):
            template_copy(actor=people.owner, key="outcome")
        template_copy(actor=people.admin, key="outcome")
        with pytest.raises(Conflict):
            template_copy(actor=people.staff, key="outcome")
        with pytest.raises(Conflict):  # the shared one must be copied before editing
            template_update(actor=people.staff, key="chaser", name="Mine")


def test_central_staff_only_edit_shared(council_a, people):
    with in_council(council_a), pytest.raises(PermissionDenied):
        shared_template_update(actor=people.admin, key="chaser", name="Hijacked")
    assert SharedTemplate.objects.get(key="chaser").name == "Chaser to an officer"


# --- API -----------------------------------------------------------------------------------


def test_templates_api_list_copy_edit_delete(council_a, council_b, people, api_for):
    staff = api_for(council_a, people.staff)
    listed = staff.get("/api/v1/templates/")
    assert listed.status_code == 200
    assert {t["key"] for t in listed.json()["results"]} == STANDARD

    copied = staff.post("/api/v1/templates/holding-reply/copy/")
    assert copied.status_code == 201, copied.content
    assert copied.json()["source"] == "copy"
    edited = staff.patch(
        "/api/v1/templates/holding-reply/",
        {"subject": "Still on it: {{ case.reference }}"},
        format="json",
    )
    assert edited.status_code == 200
    assert edited.json()["subject"] == "Still on it: {{ case.reference }}"

    bad = staff.patch(
        "/api/v1/templates/holding-reply/", {"body": "{{ settings.SECRET_KEY }}"}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["body"] == ["Unknown merge field 'settings.SECRET_KEY'."]

    # Council B still sees the shared version; its staff cannot touch A's copy.
    other = api_for(council_b, people.outsider_staff)
    assert other.get("/api/v1/templates/holding-reply/").json()["source"] == "shared"
    assert other.delete("/api/v1/templates/holding-reply/").status_code == 409

    assert staff.delete("/api/v1/templates/holding-reply/").status_code == 204
    assert staff.get("/api/v1/templates/holding-reply/").json()["source"] == "shared"


def test_templates_api_create_council_template_and_permissions(council_a, people, api_for):
    body = {
        "key": "surgery-thanks",
        "name": "Thanks for coming to my surgery",
        "audience": "constituent",
        "subject": "Your visit: {{ case.reference }}",
        "body": "Dear {{ constituent.name }},\n\nThank you.\n\n{{ councillor.name }}",
    }
    councillor = api_for(council_a, people.owner)
    assert councillor.post("/api/v1/templates/", body, format="json").status_code == 403
    admin = api_for(council_a, people.admin)
    created = admin.post("/api/v1/templates/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["source"] == "council"
    clash = admin.post("/api/v1/templates/", {**body, "key": "chaser"}, format="json")
    assert clash.status_code == 409


def test_templates_api_needs_a_council_user(council_a, people, api_for):
    assert api_for(council_a).get("/api/v1/templates/").status_code == 401
    # A token from council B is refused on A's host.
    outsider = api_for(council_a)
    outsider.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert outsider.get("/api/v1/templates/").status_code == 401


def test_merge_fields_api(council_a, people, api_for):
    fields = api_for(council_a, people.owner).get("/api/v1/correspondence/merge-fields/").json()
    names = {f["field"] for f in fields["results"]}
    assert {
        "constituent.name",
        "case.reference",
        "councillor.name",
        "officer.name",
        "council.name",
        "dates.today",
        "referral.reply_link",
    } <= names


def _count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_templates(people, start: int, stop: int) -> None:
    for i in range(start, stop):
        template_create(
            actor=people.staff,
            key=f"extra-{i}",
            name=f"Extra {i}",
            audience="constituent",
            subject="S {{ case.reference }}",
            body="B {{ constituent.name }}",
        )


def test_template_list_query_count_is_the_same_for_5_and_50(council_a, people, api_for):
    client = api_for(council_a, people.staff)
    with in_council(council_a):
        _add_templates(people, 0, 5)
    few = _count_queries(client, "/api/v1/templates/")
    with in_council(council_a):
        _add_templates(people, 5, 50)
    many = _count_queries(client, "/api/v1/templates/")
    assert few == many
    assert len(client.get("/api/v1/templates/").json()["results"]) == 55
