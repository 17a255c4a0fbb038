"""Settings, composed from one small module per concern. Everything comes from the environment."""

from config.settings.audit import *  # noqa: F403
from config.settings.base import *  # noqa: F403
from config.settings.celery import *  # noqa: F403
from config.settings.console import *  # noqa: F403
from config.settings.correspondence import *  # noqa: F403
from config.settings.email import *  # noqa: F403
from config.settings.privacy import *  # noqa: F403
from config.settings.security import *  # noqa: F403
from config.settings.sentry import *  # noqa: F403
from config.settings.stripe import *  # noqa: F403
