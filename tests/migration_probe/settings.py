"""The platform's settings plus the probe app, as a council (tenant) app."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS, TENANT_APPS

TENANT_APPS = [*TENANT_APPS, "tests.migration_probe"]
INSTALLED_APPS = [*INSTALLED_APPS, "tests.migration_probe"]
