"""The Celery app. tenant-schemas-celery stamps each task with the schema it was queued from
and switches the worker's connection to it before the task runs."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("caseload")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
