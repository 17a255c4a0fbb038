"""Production settings: `manage.py check --deploy` is clean with what a production pod sees
(the overlay's ConfigMap, the Secret's keys and the image's ENV)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.deploy.conftest import ROOT, production_env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_check_deploy_is_clean_in_production(production_docs) -> None:
    out = _manage(production_env(production_docs), "check", "--deploy", "--fail-level", "WARNING")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout


def test_check_deploy_fails_without_the_production_switches(production_docs) -> None:
    """The check above can fail: the same env with DJANGO_SECURE off is refused."""
    env = production_env(production_docs, DJANGO_SECURE="0")
    out = _manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert out.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in out.stderr, warning


def test_production_refuses_to_start_without_a_secret_key(production_docs) -> None:
    env = production_env(production_docs)
    env.pop("DJANGO_SECRET_KEY")
    out = _manage(env, "check")
    assert out.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in out.stderr


def test_no_built_in_secret_key_with_debug_off(production_docs) -> None:
    """Not only the image's DJANGO_REQUIRE_SECRET_KEY: any process with DEBUG off and no key
    refuses to start (there is no key in the source to fall back on)."""
    env = production_env(production_docs)
    env.pop("DJANGO_SECRET_KEY")
    env.pop("DJANGO_REQUIRE_SECRET_KEY", None)
    env["DJANGO_SECURE"] = "0"
    code = "import django; django.setup()"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd="/",
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in out.stderr


def test_production_settings_values(production_docs) -> None:
    code = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings as s\n"
        "db = s.DATABASES['default']\n"
        "print(json.dumps({\n"
        "  'hosts': s.ALLOWED_HOSTS, 'csrf': s.CSRF_TRUSTED_ORIGINS,\n"
        "  'proxy': s.SECURE_PROXY_SSL_HEADER, 'debug': s.DEBUG,\n"
        "  'engine': db['ENGINE'], 'max_age': db['CONN_MAX_AGE'],\n"
        "  'health': db['CONN_HEALTH_CHECKS'], 'options': db.get('OPTIONS', {}),\n"
        "  'limit_set_calls': getattr(s, 'TENANT_LIMIT_SET_CALLS', False),\n"
        "  'email_timeout': s.EMAIL_TIMEOUT, 'email_backend': s.EMAIL_BACKEND,\n"
        "  'static': s.STORAGES['staticfiles']['BACKEND'],\n"
        "  'sentry_env': s.SENTRY_ENVIRONMENT, 'media': s.MEDIA_ROOT,\n"
        "  'proxies': s.CLIENT_IP_PROXY_COUNT,\n"
        "}))\n"
    )
    env = production_env(production_docs, DJANGO_SETTINGS_MODULE="config.settings")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd="/", env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    domain = env["PLATFORM_DOMAIN"]
    # Every council's subdomain and the central site, derived from PLATFORM_DOMAIN alone.
    assert "DJANGO_ALLOWED_HOSTS" not in env
    assert got["hosts"][:2] == [domain, f".{domain}"]
    # No wildcard: a POST must come from the request's own council host (Origin checked
    # against it by Django), never from another council's subdomain.
    assert got["csrf"] == []
    assert got["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert got["debug"] is False
    # django-tenants' backend, made safe behind a transaction-mode pooler too.
    assert got["engine"] == "core.postgresql_backend"
    # Persistent, health-checked connections; no driver-side pool and no skipped
    # `SET search_path` (see deploy/README.md, "Database connections").
    assert got["max_age"] == int(env["DATABASE_CONN_MAX_AGE"]) > 0
    assert got["health"] is True
    assert "pool" not in got["options"]
    assert got["limit_set_calls"] is False
    assert got["email_timeout"] == 20
    assert got["email_backend"] == env["EMAIL_BACKEND"]
    assert got["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert got["sentry_env"] == "production"
    assert got["media"] == "/data/media"
    # One trusted proxy (the ingress): rate limits see visitors, not the ingress.
    assert got["proxies"] == 1
