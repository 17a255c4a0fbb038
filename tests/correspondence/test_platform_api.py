"""The central body keeps the shared templates on the platform host."""

from __future__ import annotations

from correspondence.shared.models import SharedTemplate
from tests.conftest import in_council


def test_central_staff_list_and_edit_shared_templates(council_a, people, make_user, api_for):
    central = make_user(None, email="central@platform.example")
    client = api_for(None, central)
    listed = client.get("/api/v1/platform/templates/")
    assert listed.status_code == 200
    assert {t["key"] for t in listed.json()["results"]} >= {"acknowledgement", "outcome"}
    changed = client.patch(
        "/api/v1/platform/templates/outcome/",
        {"subject": "Outcome of your enquiry {{ case.reference }}"},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2
    assert changed.json()["updated_by"] == "central@platform.example"
    refused = client.patch(
        "/api/v1/platform/templates/outcome/",
        {"body": "{{ council.name }} {{ case.owner.email }}"},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["body"] == ["Unknown merge field 'case.owner.email'."]
    created = client.post(
        "/api/v1/platform/templates/",
        {
            "key": "surgery-reminder",
            "name": "Surgery reminder",
            "audience": "constituent",
            "subject": "Surgery: {{ case.reference }}",
            "body": "Dear {{ constituent.name }},\n\nSee you on {{ dates.today }}.",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    # Every council gets the new one straight away.
    keys = {
        t["key"]
        for t in api_for(council_a, people.owner).get("/api/v1/templates/").json()["results"]
    }
    assert "surgery-reminder" in keys


def test_council_users_cannot_use_the_platform_api(council_a, people, api_for):
    client = api_for(council_a, people.admin)
    assert client.get("/api/v1/platform/templates/").status_code == 404
    with in_council(council_a):
        assert SharedTemplate.objects.get(key="outcome").version == 1
