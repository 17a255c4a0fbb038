"""The one environment reader shared by the settings modules.

A value that cannot be read as what the setting needs stops the process at start with the
variable's name and what it accepts (ImproperlyConfigured), instead of a bare ValueError
from deep inside Django or, worse, a silently wrong value (django-environ reads any
unrecognised boolean, such as "ture", as False).
"""

from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = frozenset({"1", "true", "yes", "on", "y"})
_FALSE = frozenset({"0", "false", "no", "off", "n", ""})
# What gunicorn's --log-level (deploy/docker/gunicorn.conf.py), Celery's --loglevel and
# Python's logging all accept, in any case.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class StrictEnv(environ.Env):
    def get_value(
        self, var: str, cast: Any = None, default: Any = environ.Env.NOTSET, **kwargs: Any
    ) -> Any:
        if cast is bool:
            raw = self.ENVIRON.get(var)
            if raw is not None and raw.strip().lower() not in _TRUE | _FALSE:
                raise ImproperlyConfigured(
                    f"{var}={raw!r} is not a yes/no value: use 1 or 0 (or true/false)."
                )
        try:
            return super().get_value(var, cast=cast, default=default, **kwargs)
        except (ValueError, TypeError) as exc:
            kind = getattr(cast, "__name__", None) or str(cast)
            raise ImproperlyConfigured(
                f"{var}={self.ENVIRON.get(var)!r} cannot be read as {kind}: {exc}"
            ) from exc

    def log_level(self, var: str, default: str = "INFO") -> str:
        """A logging level name, upper-cased; lower case is accepted as gunicorn does."""
        value = self.str(var, default=default).strip().upper()
        if value == "WARN":
            value = "WARNING"
        if value not in LOG_LEVELS:
            raise ImproperlyConfigured(
                f"{var}={self.ENVIRON.get(var)!r} is not a log level: use one of "
                f"{', '.join(level.lower() for level in LOG_LEVELS)} (any case)."
            )
        return value


env = StrictEnv()
# The checkout's root: project-level assets live under BASE_DIR / "platform". An installed
# copy (the container image) has no checkout around site-packages, so it names the folder
# it copied those assets to (deploy/docker/Dockerfile sets /app).
BASE_DIR = Path(env.str("DJANGO_BASE_DIR", default="") or Path(__file__).resolve().parents[3])
