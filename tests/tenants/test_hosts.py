"""Host resolution: each council on its own subdomain; anything else is refused."""

from __future__ import annotations

import pytest


def test_council_host_serves_that_council(client, council_a) -> None:
    response = client.get("/login/", HTTP_HOST="council-a.localhost")
    assert response.status_code == 200
    assert b"Council A" in response.content
    assert b"Council B" not in response.content


def test_platform_host_serves_central_site(client, council_a) -> None:
    # Anonymous visitors get the central body's landing page (start a trial, sign in); the
    # council directory itself needs a central-staff login.
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b"Council A" not in response.content
    directory = client.get("/councils/", HTTP_HOST="localhost")
    assert directory.status_code == 302
    assert directory["Location"].startswith("/login/")


def test_host_with_port_resolves(client, council_a) -> None:
    response = client.get("/login/", HTTP_HOST="council-a.localhost:8000")
    assert response.status_code == 200
    assert b"Council A" in response.content


def test_unknown_host_is_404_and_shows_no_council(client, council_a, council_b) -> None:
    response = client.get("/login/", HTTP_HOST="atlantis.localhost")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Council A" not in response.content and b"Council B" not in response.content


def test_unknown_host_api_is_404(client, council_a) -> None:
    response = client.post(
        "/api/v1/auth/token/",
        {"email": "x@example.com", "password": "x"},
        HTTP_HOST="atlantis.localhost",
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "host",
    [
        "council-a.localhost.evil.example",  # suffix trick
        "evil.example",
        "council-a.localhost@evil.example",
        "council-a.localhost\r\nX-Injected: 1",
    ],
)
def test_spoofed_host_is_rejected(client, council_a, host) -> None:
    response = client.get("/login/", HTTP_HOST=host)
    assert response.status_code == 400


def test_forwarded_host_header_is_ignored(client, council_a, council_b, make_user) -> None:
    make_user(council_b, email="b-only@example.gov.uk")
    response = client.get(
        "/login/", HTTP_HOST="council-a.localhost", HTTP_X_FORWARDED_HOST="council-b.localhost"
    )
    assert response.status_code == 200
    assert b"Council A" in response.content


def test_provisioning_council_is_not_served(client, council_a) -> None:
    council_a.status = council_a.Status.PROVISIONING
    council_a.save(update_fields=["status"])
    response = client.get("/login/", HTTP_HOST="council-a.localhost")
    assert response.status_code == 404


def test_host_cache_skips_the_lookup_and_forgets_what_changes(
    client, council_a, council_b, settings
) -> None:
    """With TENANT_HOST_CACHE_SECONDS (production: 5 s), a web process looks a host up once;
    a council that goes offline in this process is forgotten at once, and a remembered
    council never answers for another host."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenants.models import Council
    from tenants.selectors import council_get_by_hostname, council_host_cache_clear

    settings.TENANT_HOST_CACHE_SECONDS = 60
    council_host_cache_clear()
    try:
        assert client.get("/login/", HTTP_HOST="council-a.localhost").status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            found = council_get_by_hostname(hostname="council-a.localhost")
        assert found is not None and found.pk == council_a.pk and ctx.captured_queries == []
        other = council_get_by_hostname(hostname="council-b.localhost")
        assert other is not None and other.pk == council_b.pk
        # Each caller gets its own copy: what one request sets stays in that request.
        found.domain_url = "changed"
        assert council_get_by_hostname(hostname="council-a.localhost").domain_url != "changed"
        # Taken offline in this process (a save of the council or its domain): 404 at once.
        council = Council.objects.get(pk=council_a.pk)
        council.status = Council.Status.SUSPENDED
        council.save(update_fields=["status"])
        assert client.get("/login/", HTTP_HOST="council-a.localhost").status_code == 404
    finally:
        council_host_cache_clear()
