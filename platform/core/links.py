"""The platform's absolute URLs: the one place that knows how a council's address is written.

Every link that leaves a request (emails, Stripe redirects, progress pages) is built here
from PLATFORM_URL_SCHEME, PLATFORM_DOMAIN and PLATFORM_URL_PORT, never from the request that
happened to trigger it: a task, a webhook or a command has no request, and a link built from
one request's Host would differ from the same link built anywhere else.
"""

from __future__ import annotations

from django.conf import settings

from core.tenancy import PUBLIC_SCHEMA, current_schema


def council_host(slug: str) -> str:
    """The council's host name, `<slug>.<PLATFORM_DOMAIN>`: also its Domain row."""
    return f"{slug}.{settings.PLATFORM_DOMAIN}"


def _origin(host: str) -> str:
    port = settings.PLATFORM_URL_PORT
    return f"{settings.PLATFORM_URL_SCHEME}://{host}{':' + port if port else ''}"


def _join(origin: str, path: str) -> str:
    if not path.startswith("/"):
        raise ValueError(f"A site path starts with '/': {path!r}")
    return origin + path


def council_url(*, slug: str, path: str = "/") -> str:
    """`https://fife.example.org/cases/1/`, with the port when the site is not on 80/443."""
    return _join(_origin(council_host(slug)), path)


def council_slug_for_schema(schema_name: str) -> str:
    # A council's schema is its slug with underscores: a CHECK constraint on the council row
    # holds the two together, so no lookup is needed.
    return schema_name.replace("_", "-")


def current_council_url(path: str = "/") -> str:
    """A URL on the council whose schema this connection is in (services and tasks)."""
    schema = current_schema()
    if schema == PUBLIC_SCHEMA:
        raise RuntimeError("No council is active: the connection is in the public schema.")
    return council_url(slug=council_slug_for_schema(schema), path=path)


def platform_url(path: str = "/") -> str:
    """A URL on the central body's site (the bare PLATFORM_DOMAIN)."""
    return _join(_origin(settings.PLATFORM_DOMAIN), path)
