"""A connection serves at most DATABASE_RECYCLE_AFTER_COUNCILS distinct councils: the
catalog cache of a PostgreSQL backend grows with every council's tables it touches and is
never given back, so the backend is replaced instead (core.postgresql_backend)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from django.db import connection, connections, transaction

T = TypeVar("T")


def _in_own_connection(fn: Callable[[], T]) -> T:
    """Outside the test's transaction (the policy never closes a connection mid-transaction)."""

    def call() -> T:
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def _backend_pid_in(schema: str) -> int:
    connection.set_schema(schema)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


@pytest.mark.django_db
def test_a_connection_is_replaced_before_it_serves_one_council_too_many(settings) -> None:
    settings.DATABASE_RECYCLE_AFTER_COUNCILS = 2

    def serve() -> tuple[list[int], int]:
        pids = [
            _backend_pid_in(schema)
            for schema in ("alpha", "beta", "alpha", "public", "beta", "gamma", "delta")
        ]
        return pids, connection.recycled

    pids, recycled = _in_own_connection(serve)
    # alpha, beta (and public, which is not a council) share a backend; gamma is a third
    # council, so a new backend serves it, then delta as its second.
    assert len(set(pids[:5])) == 1
    assert pids[5] != pids[0]
    assert pids[6] == pids[5]
    assert recycled == 1


@pytest.mark.django_db
def test_never_inside_a_transaction_and_off_at_zero(settings) -> None:
    settings.DATABASE_RECYCLE_AFTER_COUNCILS = 1

    def in_transaction() -> list[int]:
        with transaction.atomic():
            return [_backend_pid_in(schema) for schema in ("alpha", "beta", "gamma")]

    assert len(set(_in_own_connection(in_transaction))) == 1

    settings.DATABASE_RECYCLE_AFTER_COUNCILS = 0

    def unlimited() -> list[int]:
        return [_backend_pid_in(f"council_{n}") for n in range(5)]

    assert len(set(_in_own_connection(unlimited))) == 1
