"""Every route of a host, read from its URLconf, so the attack tests cover endpoints added
later without anyone listing them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")

COUNCIL = settings.ROOT_URLCONF
PLATFORM = settings.PUBLIC_SCHEMA_URLCONF


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "api/v1/cases/<int:case_id>/"
    name: str
    callback: Callable[..., Any]
    params: tuple[tuple[str, str], ...]  # (converter, name)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    def path(self, values: dict[str, Any] | None = None, default: Any = 1) -> str:
        """The route with each parameter filled: `values` by name, else by converter type
        (`default` for ids, a plausible word for the rest)."""
        values = values or {}

        def fill(match: re.Match[str]) -> str:
            name, converter = match.group("name"), match.group("converter") or "str"
            if name in values:
                return str(values[name])
            if converter == "int":
                return str(default)
            return {"fmt": "csv", "slug": "council-b", "key": "acknowledgement"}.get(
                name, "anything"
            )

        return "/" + _PARAM.sub(fill, self.route)

    def methods(self) -> list[str]:
        """The HTTP methods the view answers (a DRF/class-based view says; a function view is
        tried with GET and POST)."""
        view_class = getattr(self.callback, "view_class", None) or getattr(
            self.callback, "cls", None
        )
        if view_class is not None:
            names = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)]
            return [m.upper() for m in names]
        return ["GET", "POST"]


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if route.count("^"):  # a regex route (anymail's mailgun): written out by hand
                route = prefix + "mailgun/inbound/"
            params = tuple(
                (m.group("converter") or "str", m.group("name")) for m in _PARAM.finditer(route)
            )
            yield Route(route, entry.name or "", entry.callback, params)


def routes(urlconf: str) -> list[Route]:
    return list(_walk(get_resolver(urlconf).url_patterns))


def route_id(route: Route) -> str:
    return route.route or "/"
