"""/_bench/floor, the HTTP benchmark's minimal endpoint: absent unless HTTP_FLOOR_ENDPOINT
is set, and then it answers on any host with nothing but {"ok": true}."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_floor_is_off_by_default(client, db) -> None:
    assert client.get("/_bench/floor", HTTP_HOST="localhost").status_code == 404


def test_floor_is_one_primary_key_lookup_when_on(client, db, settings) -> None:
    settings.HTTP_FLOOR_ENDPOINT = True
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/_bench/floor", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    sql = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith("SET ")]
    assert sql == ["SELECT id FROM public.tenants_council WHERE id = 1"]
