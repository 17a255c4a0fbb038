from unittest import mock

import pytest


@pytest.mark.parametrize(
    "host", ["localhost", "council-a.localhost", "10.0.0.7", "nowhere.localhost"]
)
def test_healthz_answers_on_every_host(client, council_a, host) -> None:
    response = client.get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"


@pytest.mark.parametrize("host", ["council-a.localhost", "10.0.0.7"])
def test_livez_answers_without_the_database_or_broker(client, council_a, host) -> None:
    """Liveness: the process answers. Readiness (/healthz) reports the outage; /livez does
    not, so Kubernetes takes the pod out of the Service instead of restarting it."""
    with (
        mock.patch("core.health._check_database", return_value=(False, "OperationalError")),
        mock.patch("core.health._check_broker", return_value=(False, "OperationalError")),
    ):
        assert client.get("/healthz", HTTP_HOST=host).status_code == 503
        response = client.get("/livez", HTTP_HOST=host)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
