"""gunicorn settings for the web process. Everything tunable comes from the environment.

Sizing: one sync worker handles one request at a time and holds one persistent database
connection (CONN_MAX_AGE), so a pod's connections = WEB_CONCURRENCY (plus threads, if set).
deploy/README.md ("Database connections") turns that into the pool size PostgreSQL needs.
"""

import os


def _int(name: str, default: int, minimum: int = 0) -> int:
    """An integer setting; anything else stops gunicorn at start, naming the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise SystemExit(f"gunicorn.conf.py: {name}={value} is below {minimum}")
    return value


_LOG_LEVELS = ("debug", "info", "warning", "error", "critical")

bind = f"0.0.0.0:{_int('PORT', 8000, 1)}"
workers = _int("WEB_CONCURRENCY", 2, 1)
# Threads > 1 switches to gthread workers; each thread then holds its own connection.
threads = _int("GUNICORN_THREADS", 1, 1)
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this is killed and the worker restarted. In Kubernetes
# the pod's preStop pause (5 s) plus graceful_timeout stays inside its
# terminationGracePeriodSeconds (40 s), so a rollout lets in-flight requests finish.
timeout = _int("GUNICORN_TIMEOUT", 30, 1)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 25, 1)
# gthread workers only (sync workers close every connection; the ingress buffers for them).
# Longer than the ingress controller's upstream keep-alive (60 s for ingress-nginx), so
# gunicorn never closes a connection the proxy is about to reuse.
keepalive = _int("GUNICORN_KEEPALIVE", 75, 1)

# Recycle workers now and then: bounds the damage of a slow leak in any dependency.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10

# The worker heartbeat file must be on a writable, memory-backed filesystem: the root
# filesystem is read-only in Kubernetes and a disk-backed /tmp can stall the heartbeat.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 -- see above

# Only the ingress controller reaches the pods (the Service is ClusterIP), so the
# X-Forwarded-* headers it sets are trusted; Django reads X-Forwarded-Proto via
# SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

accesslog = "-"
errorlog = "-"
# Any case, as Django's settings accept it (config.settings.env.LOG_LEVELS).
loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower()
if loglevel == "warn":
    loglevel = "warning"
if loglevel not in _LOG_LEVELS:
    raise SystemExit(f"gunicorn.conf.py: LOG_LEVEL={loglevel!r} is not one of {_LOG_LEVELS}")
# No client address or query string: both can be personal data.
access_log_format = '%(m)s %(U)s %(s)s %(B)s %(M)sms "%({host}i)s"'
proc_name = "caseload-web"
