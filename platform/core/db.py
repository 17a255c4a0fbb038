"""Session settings for every database connection the platform opens."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def configure_session(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: per-session planner settings.

    Parallel query is off by default. Our queries are short index lookups and ranked
    searches over one council's rows; launching parallel workers costs more than they save
    there (measured: a ranked search over 1,300 matches took 24.6 ms with one worker and
    16.3 ms without), and under concurrent requests the workers would only compete for the
    same cores. Set here rather than as a libpq `options` startup parameter, which
    PgBouncer refuses.
    """
    if connection.vendor != "postgresql" or settings.DATABASE_POOL_MODE == "transaction":
        # Behind a transaction-mode pooler a session setting reaches one server connection
        # only: set it for the database instead (deploy/README.md, "Connection poolers").
        return
    workers = int(settings.DATABASE_PARALLEL_WORKERS_PER_GATHER)
    # On the driver's connection: Django's cursor would first set the tenant search_path.
    connection.connection.execute(
        "SELECT set_config('max_parallel_workers_per_gather', %s, false)", [str(workers)]
    )
