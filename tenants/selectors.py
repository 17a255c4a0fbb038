from __future__ import annotations

import copy
import threading
import time

from django.conf import settings
from django.db.models import QuerySet

from tenants.models import Council, Domain

# hostname -> (expires at, the ready council): what this process found recently, so most
# requests skip the lookup (a query and a `SET search_path`). Only ready councils are
# remembered; a council that stops being ready (its data deleted) or changes domain is
# forgotten at once in the process that changed it (council_host_cache_clear) and within
# TENANT_HOST_CACHE_SECONDS in the others.
_host_cache: dict[str, tuple[float, Council]] = {}
_host_cache_lock = threading.Lock()
_HOST_CACHE_MAX = 10_000


def council_host_cache_clear() -> None:
    with _host_cache_lock:
        _host_cache.clear()


def council_get_by_hostname(*, hostname: str) -> Council | None:
    """The ready council serving `hostname`, or None: one query, or none when this process
    found the same host less than TENANT_HOST_CACHE_SECONDS ago. Each caller gets its own
    copy of the council (callers set attributes on it)."""
    ttl = float(getattr(settings, "TENANT_HOST_CACHE_SECONDS", 0))
    now = time.monotonic()
    if ttl > 0:
        hit = _host_cache.get(hostname)
        if hit is not None and hit[0] > now:
            return copy.copy(hit[1])
    domain = (
        Domain.objects.select_related("tenant")
        .filter(domain=hostname, tenant__status=Council.Status.READY)
        .first()
    )
    if domain is None:
        return None
    if ttl > 0:
        with _host_cache_lock:
            if len(_host_cache) >= _HOST_CACHE_MAX:
                _host_cache.clear()
            _host_cache[hostname] = (now + ttl, copy.copy(domain.tenant))
    return domain.tenant


def council_list_ready() -> QuerySet[Council]:
    return Council.objects.filter(status=Council.Status.READY).order_by("schema_name")


def council_get(*, slug: str) -> Council | None:
    return Council.objects.filter(slug=slug).first()
