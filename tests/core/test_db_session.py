"""Every connection the platform opens gets its session settings (core.db)."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import override_settings


def _setting_on_a_new_connection() -> str:
    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            return cursor.fetchone()[0]
    finally:
        fresh.close()


@pytest.mark.django_db
def test_parallel_query_is_off_on_a_new_connection() -> None:
    assert _setting_on_a_new_connection() == "0"


@pytest.mark.django_db
def test_parallel_workers_come_from_settings() -> None:
    with override_settings(DATABASE_PARALLEL_WORKERS_PER_GATHER=2):
        assert _setting_on_a_new_connection() == "2"
