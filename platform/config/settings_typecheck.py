"""Settings for mypy's Django plugin only, which imports settings to read the models.

The real settings refuse to load without DJANGO_SECRET_KEY when DEBUG is off; type checking
serves nothing, so it loads them in DEBUG mode (a random key for the process) instead of
making every checkout export a key before running mypy.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from config.settings import *  # noqa: F403
