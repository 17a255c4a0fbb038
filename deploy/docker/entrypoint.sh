#!/bin/sh
# The image's one entrypoint. The first argument picks the process:
#
#   web       gunicorn serving config.wsgi (workers: WEB_CONCURRENCY, see gunicorn.conf.py)
#   worker    a Celery worker (concurrency: CELERY_CONCURRENCY, queues: CELERY_QUEUES)
#   beat      Celery beat; run exactly one (the Kubernetes Deployment has one replica)
#   migrate   manage.py migrate_schemas: public, the clone template, then only the councils
#             that miss a migration (a no-op release costs three queries)
#   manage    any other management command, e.g. `manage create_council fife --name Fife`
#
# Anything else is run as given (e.g. `sh` for a shell in the image).
set -eu

HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
APP_HOME=${APP_HOME:-/app}
cd "$APP_HOME"

require_services() {
    # Without these, manage.py would try to start the embedded development servers, which
    # the image does not ship. Fail loudly instead.
    for name in DATABASE_URL REDIS_URL; do
        eval "value=\${$name:-}"
        if [ -z "$value" ]; then
            echo "entrypoint: $name must be set" >&2
            exit 64
        fi
    done
}

mode=${1:-web}
[ "$#" -gt 0 ] && shift

case "$mode" in
    web)
        require_services
        exec gunicorn config.wsgi:application --config "$HERE/gunicorn.conf.py" "$@"
        ;;
    worker)
        require_services
        # Gossip and mingle cost every worker a message per peer at start-up and on every
        # heartbeat; with many replicas that chatter buys nothing (no remote control use).
        exec celery --app config worker \
            --hostname "worker@%h" \
            --queues "${CELERY_QUEUES:-default}" \
            --concurrency "${CELERY_CONCURRENCY:-2}" \
            --loglevel "${LOG_LEVEL:-INFO}" \
            --without-gossip --without-mingle \
            "$@"
        ;;
    beat)
        require_services
        # The schedule file lives in /tmp (writable even with a read-only root filesystem).
        # Losing it on restart is harmless: the schedule itself is in code (crontab entries).
        exec celery --app config beat \
            --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}" \
            --loglevel "${LOG_LEVEL:-INFO}" \
            "$@"
        ;;
    migrate)
        require_services
        exec python manage.py migrate_schemas --noinput "$@"
        ;;
    manage)
        require_services
        exec python manage.py "$@"
        ;;
    *)
        exec "$mode" "$@"
        ;;
esac
