"""Celery: Redis broker, JSON only, late acks, time limits. Beat's schedule lives in code."""

from celery.schedules import crontab

from config.settings.base import REDIS_URL


def _kombu_url(url: str) -> str:
    # redis-py spells a Unix socket unix://, kombu spells it redis+socket://.
    if url.startswith("unix://"):
        return "redis+socket://" + url.removeprefix("unix://")
    return url


CELERY_BROKER_URL = _kombu_url(REDIS_URL)
CELERY_RESULT_BACKEND = _kombu_url(REDIS_URL)
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/London"
CELERY_ENABLE_UTC = True
# A task is acknowledged only after it finishes, so a worker killed mid-task hands it back
# to the broker; every task is therefore written to be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Visibility timeout must exceed the longest task, or Redis re-delivers running tasks.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "spare-schema-pool": {
        # Normally refilled right after each provisioning; this catches missed refills.
        "task": "tenants.spare_pool_refill",
        "schedule": crontab(minute="*/10"),
    },
    "councils-heartbeat": {
        # Platform-wide entry; the task fans out one job per provisioned council.
        "task": "tenants.fan_out",
        "schedule": crontab(minute="*/15"),
        "args": ["tenants.council_heartbeat"],
    },
    "billing-licence-daily": {
        # In public: ends expired trials and grace periods, queues trial-ending emails.
        "task": "billing.licence_daily",
        "schedule": crontab(hour=6, minute=0),
    },
    "mailer-outbox-sweep": {
        # In public: queues delivery wherever an outbox row is due (lost nudges, lapsed
        # claims, retry back-offs). One query for all councils.
        "task": "mailer.outbox_sweep",
        "schedule": crontab(minute="*"),
    },
    "privacy-retention-nightly": {
        # One job per council: preview the closed cases past their retention period, and
        # anonymise those previewed for RETENTION_PREVIEW_DAYS (privacy.services.retention).
        "task": "tenants.fan_out",
        "schedule": crontab(hour=1, minute=30),
        "args": ["privacy.retention_run"],
        "kwargs": {"jitter_seconds": 1800},
    },
    "console-comparison-nightly": {
        # One job per council: aggregate figures inside its schema (console.services.figures).
        "task": "tenants.fan_out",
        "schedule": crontab(hour=2, minute=30),
        "args": ["console.council_figures_refresh"],
        "kwargs": {"jitter_seconds": 1800},
    },
    "caseload-holidays-seed": {
        # One job per council: seed this year's and next year's Scottish default holidays.
        "task": "tenants.fan_out",
        "schedule": crontab(day_of_month=1, hour=3, minute=15),
        "args": ["caseload.holidays_seed"],
    },
    "correspondence-inbound-poll": {
        # In public: files unseen mail from INBOUND_IMAP_URL into its councils (a no-op when
        # inbound mail comes by ESP webhook instead and no mailbox is configured).
        "task": "correspondence.inbound_poll",
        "schedule": crontab(minute="*"),
    },
    "correspondence-batch-requeue": {
        # One job per council: batches queued while the broker was down, or lost with a
        # worker, are queued again (correspondence.services.batches.batch_requeue_stale).
        "task": "tenants.fan_out",
        "schedule": crontab(minute="5-59/15"),
        "args": ["correspondence.batch_requeue_stale"],
    },
    "mailer-outbox-purge-public": {
        "task": "mailer.outbox_purge",
        "schedule": crontab(hour=3, minute=30),
    },
    "mailer-outbox-purge-councils": {
        "task": "tenants.fan_out",
        "schedule": crontab(hour=3, minute=40),
        "args": ["mailer.outbox_purge"],
    },
    "audit-purge-public": {
        # Audit entries past AUDIT_RETENTION_DAYS: the central body's own log, then each
        # council's (the database refuses anything younger than the floor).
        "task": "audit.purge",
        "schedule": crontab(hour=4, minute=10),
    },
    "audit-purge-councils": {
        "task": "tenants.fan_out",
        "schedule": crontab(hour=4, minute=20),
        "args": ["audit.purge"],
    },
    "dataexit-expire-sweep": {
        # One job per council: data-exit archives past DATA_EXIT_EXPIRY_HOURS are deleted.
        "task": "tenants.fan_out",
        "schedule": crontab(minute=25),
        "args": ["dataexit.expire_sweep"],
    },
    "reminders-morning-digest": {
        # CELERY_TIMEZONE is Europe/London, so from 07:00 local all year. One job per council.
        # Repeated until late morning: a tick lost to a broker or beat outage is made up by
        # the next one, and a repeat costs one query per council and sends nothing twice.
        "task": "tenants.fan_out",
        "schedule": crontab(hour="7-11", minute="0,30"),
        "args": ["reminders.council_digest"],
    },
}
