"""Settings read from the environment: a bad value stops the process with its name and what
it accepts; what the documented configs accept (gunicorn's lower-case log levels) works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.env import StrictEnv

ROOT = Path(__file__).resolve().parents[2]


def _env(**values: str) -> StrictEnv:
    env = StrictEnv()
    env.ENVIRON = values
    return env


@pytest.mark.parametrize("raw", ["warning", "WARNING", "Warning", "warn", " info ", "critical"])
def test_log_levels_in_any_case(raw: str) -> None:
    assert _env(LOG_LEVEL=raw).log_level("LOG_LEVEL") in {"WARNING", "INFO", "CRITICAL"}


def test_unknown_log_level_names_the_variable_and_the_choices() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"LOG_LEVEL='loud'.*debug, info, warning"):
        _env(LOG_LEVEL="loud").log_level("LOG_LEVEL")
    assert _env().log_level("LOG_LEVEL") == "INFO"


def test_numbers_and_yes_no_values_are_checked() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"DATABASE_CONN_MAX_AGE='sixty'.*int"):
        _env(DATABASE_CONN_MAX_AGE="sixty").int("DATABASE_CONN_MAX_AGE", default=60)
    with pytest.raises(ImproperlyConfigured, match=r"DJANGO_DEBUG='ture' is not a yes/no"):
        _env(DJANGO_DEBUG="ture").bool("DJANGO_DEBUG", default=False)
    assert _env(DJANGO_DEBUG="1").bool("DJANGO_DEBUG", default=False) is True
    assert _env(DJANGO_DEBUG="off").bool("DJANGO_DEBUG", default=True) is False
    assert _env().int("DATABASE_CONN_MAX_AGE", default=60) == 60


def _settings_process(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **overrides}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_lower_case_log_level_boots_and_a_bad_one_says_why() -> None:
    """As the issue saw it: LOG_LEVEL=warning (which gunicorn.conf.py accepts) killed the
    web process with 'Unable to configure root logger'."""
    ok = _settings_process(LOG_LEVEL="warning")
    assert ok.returncode == 0, ok.stderr
    bad = _settings_process(LOG_LEVEL="verbose")
    assert bad.returncode != 0
    assert "LOG_LEVEL='verbose' is not a log level" in bad.stderr
    assert "Unable to configure" not in bad.stderr
