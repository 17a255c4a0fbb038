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
