"""`make run`: the platform served as in production, on this machine.

Embedded servers (unless DATABASE_URL / REDIS_URL are set), migrations, demo data, the
embedded Stripe (unless STRIPE_API_KEY is set), then gunicorn with the container's
`deploy/docker/gunicorn.conf.py`, a Celery worker and beat. Static files are collected and
served by whitenoise, DEBUG is off (DJANGO_DEBUG=1 turns it on), and the database
connections of all the processes together are checked against what the server accepts
before anything starts. Ctrl-C (or SIGTERM) stops every process it started, then the
embedded servers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg

from core.pgclient import conninfo
from localdev import embedded_stripe
from localdev.demo_councils import DEMO_COUNCILS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from localdev.services import (
    DATA_DIR,
    ROOT,
    embedded_postgres_allow_connections,
    ensure_services_env,
    stop_services,
)

BIN = Path(sys.executable).parent
GUNICORN_CONF = ROOT / "deploy" / "docker" / "gunicorn.conf.py"
# Connections kept free for manage.py commands, a psql session and the health checks'
# own reconnects while everything runs.
SPARE_CONNECTIONS = 5


class LaunchError(RuntimeError):
    """make run cannot start as configured; the message says what to change."""


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise LaunchError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < 1:
        raise LaunchError(f"{name} must be at least 1, not {value}.")
    return value


@dataclass(frozen=True)
class Sizing:
    """How many requests and tasks run at once, hence how many database connections.

    Every web thread keeps one persistent connection (CONN_MAX_AGE); so does each Celery
    pool process, the worker's main process and beat.
    """

    web_workers: int
    web_threads: int
    worker_concurrency: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Sizing:
        # gunicorn's advice is (2 x cores) + 1 workers for sync workers; with threads, one
        # process per core and a few threads each keeps every core busy while a request
        # waits on PostgreSQL, with a few connections only.
        cores = os.cpu_count() or 1
        return cls(
            web_workers=_positive_int(env, "WEB_CONCURRENCY", cores),
            web_threads=_positive_int(env, "GUNICORN_THREADS", 4),
            worker_concurrency=_positive_int(env, "CELERY_CONCURRENCY", 2),
        )

    @property
    def database_connections(self) -> int:
        return self.web_workers * self.web_threads + self.worker_concurrency + 1 + 1

    def describe(self) -> str:
        return (
            f"web {self.web_workers} x {self.web_threads} threads, worker "
            f"{self.worker_concurrency} + 1, beat 1 = {self.database_connections} connections"
        )

    def env(self) -> dict[str, str]:
        return {
            "WEB_CONCURRENCY": str(self.web_workers),
            "GUNICORN_THREADS": str(self.web_threads),
            "CELERY_CONCURRENCY": str(self.worker_concurrency),
        }


def database_allows(database_url: str) -> int:
    """Client connections the server accepts: max_connections less the reserved ones."""
    with psycopg.connect(conninfo(database_url), connect_timeout=10) as conn:
        row = conn.execute(
            "SELECT current_setting('max_connections')::int"
            " - current_setting('superuser_reserved_connections')::int"
            " - coalesce(current_setting('reserved_connections', true)::int, 0)"
        ).fetchone()
    assert row is not None
    return int(row[0])


def check_connection_budget(sizing: Sizing, env: Mapping[str, str]) -> str:
    """Refuse to start what the database could not serve all at once."""
    needed = sizing.database_connections + SPARE_CONNECTIONS
    if env.get("CASELOAD_EMBEDDED_POSTGRES") == "1":
        allowed = embedded_postgres_allow_connections(needed)
    else:
        allowed = database_allows(env["DATABASE_URL"])
    if needed > allowed:
        raise LaunchError(
            f"The database accepts {allowed} connections; this needs {needed} "
            f"({sizing.describe()}, plus {SPARE_CONNECTIONS} spare). Lower WEB_CONCURRENCY, "
            "GUNICORN_THREADS or CELERY_CONCURRENCY, or raise the server's max_connections "
            "(README, 'Database connections')."
        )
    return f"Database connections: {sizing.describe()}; the server accepts {allowed}."


def run_environment(base: Mapping[str, str], *, port: int) -> dict[str, str]:
    """The environment every process of `make run` shares (before the servers are known)."""
    env = dict(base)
    env.setdefault("PLATFORM_DOMAIN", "localhost")
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    # Links in emails carry the port, so they open under make run.
    if port not in (80, 443):
        env.setdefault("PLATFORM_URL_PORT", str(port))
    # Production's static files: hashed names, compressed, served by whitenoise.
    env.setdefault("DJANGO_MANIFEST_STATIC", "1")
    env.setdefault("DJANGO_STATIC_ROOT", str(DATA_DIR / "static"))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def process_commands(*, port: int, bind: str, beat_schedule: Path) -> dict[str, list[str]]:
    """What make run starts, by name. The load test starts the same commands."""
    return {
        "web": [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--config",
            str(GUNICORN_CONF),
            "--bind",
            f"{bind}:{port}",
        ],
        "worker": [
            str(BIN / "celery"),
            "--app",
            "config",
            "worker",
            "--hostname",
            f"worker-{port}@%h",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        "beat": [
            str(BIN / "celery"),
            "--app",
            "config",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(beat_schedule),
        ],
    }


def _manage(*args: str, env: Mapping[str, str]) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True)


def stop_processes(children: list[subprocess.Popen[bytes]], timeout: float = 20) -> None:
    """SIGTERM each (gunicorn and Celery finish what they are doing), then SIGKILL."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            # Its own children (gunicorn's workers, Celery's pool) share its group.
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=5)


def main() -> int:
    try:
        port = _positive_int(os.environ, "PORT", 8000)
        sizing = Sizing.from_env(os.environ)
    except LaunchError as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 2
    bind = os.environ.get("BIND_ADDRESS", "127.0.0.1")
    print("Starting services (embedded where DATABASE_URL / REDIS_URL are unset)...", flush=True)
    children: list[subprocess.Popen[bytes]] = []
    stripe = None
    # Ctrl-C, and SIGTERM (e.g. from a process manager), stop everything. Installed
    # explicitly: a shell starts background jobs with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        ensure_services_env()
        env = run_environment(os.environ, port=port)
        env.update(sizing.env())
        print(check_connection_budget(sizing, env), flush=True)
        domain = env["PLATFORM_DOMAIN"]
        if not env.get("STRIPE_API_KEY"):
            stripe = embedded_stripe.start(
                webhook_url=f"http://{domain}:{port}/billing/stripe/webhook/",
                log=DATA_DIR / "localstripe.log",
            )
            env.update(stripe.env)
            print(f"Embedded Stripe (localstripe): {stripe.env['STRIPE_API_BASE']}", flush=True)
        _manage("migrate_schemas", "--noinput", "-v", "0", env=env)
        _manage("seed_demo", env=env)
        _manage("collectstatic", "--noinput", "-v", "0", env=env)
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        commands = process_commands(
            port=port, bind=bind, beat_schedule=DATA_DIR / "celerybeat-schedule"
        )
        for command in commands.values():
            # Each in its own process group: a terminal's Ctrl-C reaches only this launcher,
            # which then stops them in order (and can kill a whole group if one hangs).
            children.append(subprocess.Popen(command, env=env, start_new_session=True))
        lines = [
            "",
            f"The platform is running (gunicorn on {bind}:{port}). Open:",
            f"  Central body:  http://{domain}:{port}/   (central@{domain} / {DEMO_PASSWORD})",
        ]
        for slug, name, _ in DEMO_COUNCILS:
            lines.append(f"  {name + ':':<28} http://{slug}.{domain}:{port}/")
        lines += [
            f"  Logins on each council: admin@<slug>.example.gov.uk, councillor@<slug>..., "
            f"staff@<slug>... / {DEMO_PASSWORD}",
            "  Admins and central staff also give a code from an authenticator app: add the",
            f"  key {DEMO_TOTP_SECRET} to one (or run `.venv/bin/python manage.py demo_code`).",
            f"  Health: curl -H 'Host: fife.{domain}' localhost:{port}/healthz",
            "Press Ctrl-C to stop everything.",
            "",
        ]
        print("\n".join(lines), flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A process stopped unexpectedly; shutting down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    except (LaunchError, subprocess.CalledProcessError) as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_processes(children)
        if stripe is not None:
            stripe.stop()
        stop_services()


if __name__ == "__main__":
    sys.exit(main())
