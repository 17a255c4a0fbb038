"""Fixed-window counters in the cache, for limits that are not DRF throttles (reset links)."""

from __future__ import annotations

from django.core.cache import cache


def rate_limit_hit(*, key: str, limit: int, window_seconds: int) -> bool:
    """Count one use of `key`; True when this use is over `limit` in the current window.
    The cache's keys are per council (django_tenants.cache.make_key)."""
    cache_key = f"rate:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)  # starts the window; later uses count
    try:
        used = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(cache_key, 1, timeout=window_seconds)
        used = 1
    return used > limit
