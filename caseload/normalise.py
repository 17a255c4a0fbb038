"""Canonical forms of the keys we match people and places on (postcodes, phones, emails)."""

from __future__ import annotations

import re

_POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


def normalise_postcode(value: str) -> str:
    """'ky1 1xx ' -> 'KY11XX'. Returns '' for blank input; the format is not enforced here."""
    return re.sub(r"\s+", "", value or "").upper()


def is_valid_postcode(value: str) -> bool:
    """True for a UK postcode shape (after normalising), e.g. KY11XX, G611AA, EH11YZ."""
    return bool(_POSTCODE_RE.match(normalise_postcode(value)))


def format_postcode(value: str) -> str:
    """'ky11xx' -> 'KY1 1XX' (the inward code is always the last three characters)."""
    compact = normalise_postcode(value)
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def normalise_phone(value: str) -> str:
    """Digits only, with +44 / 0044 turned into a leading 0, so '+44 1592 123456' matches
    '01592 123456'."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and (value or "").strip().startswith("+"):
        digits = "0" + digits[2:]
    return digits[:20]


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()
