"""`make run`'s launcher: sizing, the connection budget, the shared environment, and that
it starts gunicorn with the container's config (the load test runs the whole stack)."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from core.pgclient import database_url
from localdev import launcher


def test_sizing_defaults_to_the_machine_and_counts_connections() -> None:
    sizing = launcher.Sizing.from_env({})
    assert sizing.web_workers == (os.cpu_count() or 1)
    assert sizing.web_threads == 4 and sizing.worker_concurrency == 2
    assert sizing.database_connections == sizing.web_workers * 4 + 2 + 1 + 1
    custom = launcher.Sizing.from_env(
        {"WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "2", "CELERY_CONCURRENCY": "5"}
    )
    assert custom.database_connections == 3 * 2 + 5 + 1 + 1
    assert custom.env() == {
        "WEB_CONCURRENCY": "3",
        "GUNICORN_THREADS": "2",
        "CELERY_CONCURRENCY": "5",
    }


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("WEB_CONCURRENCY", "two", "WEB_CONCURRENCY must be a whole number, not 'two'"),
        ("GUNICORN_THREADS", "0", "GUNICORN_THREADS must be at least 1, not 0"),
    ],
)
def test_bad_sizing_is_refused_with_its_name(name: str, raw: str, message: str) -> None:
    with pytest.raises(launcher.LaunchError, match=message):
        launcher.Sizing.from_env({name: raw})


def test_run_environment_is_production_like_and_links_carry_the_port() -> None:
    env = launcher.run_environment({"PATH": "/bin"}, port=8123)
    assert env["PLATFORM_URL_PORT"] == "8123"
    assert "DJANGO_DEBUG" not in env  # DEBUG off unless the developer opts in
    assert env["DJANGO_MANIFEST_STATIC"] == "1"
    assert env["PLATFORM_DOMAIN"] == "localhost"
    assert "PLATFORM_URL_PORT" not in launcher.run_environment({}, port=80)
    assert launcher.run_environment({"DJANGO_DEBUG": "1"}, port=8000)["DJANGO_DEBUG"] == "1"


def test_web_is_gunicorn_with_the_containers_config() -> None:
    commands = launcher.process_commands(port=8123, bind="127.0.0.1", beat_schedule=launcher.ROOT)
    web = commands["web"]
    assert web[0].endswith("gunicorn") and "config.wsgi:application" in web
    assert web[web.index("--config") + 1] == str(
        launcher.ROOT / "deploy" / "docker" / "gunicorn.conf.py"
    )
    assert web[web.index("--bind") + 1] == "127.0.0.1:8123"
    assert set(commands) == {"web", "worker", "beat"}


def test_connection_budget_against_the_server(db) -> None:
    url = database_url(connection.settings_dict)
    allowed = launcher.database_allows(url)
    assert allowed > 0
    env = {"DATABASE_URL": url}  # checked as a real server, whichever this one is
    fits = launcher.Sizing(web_workers=1, web_threads=1, worker_concurrency=1)
    assert f"accepts {allowed}" in launcher.check_connection_budget(fits, env)
    too_many = launcher.Sizing(web_workers=allowed, web_threads=2, worker_concurrency=1)
    with pytest.raises(launcher.LaunchError, match=r"accepts \d+ connections; this needs"):
        launcher.check_connection_budget(too_many, env)
