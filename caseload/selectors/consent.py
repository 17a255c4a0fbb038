"""What an officer may see of a case: consent to share, enforced.

A constituent who has not agreed to share their details with officers keeps them out of
everything an officer reads (referral and chaser emails, the officer reply page). Their
name, address, postcode, phone and email are left out of the merge fields, and the free text
a councillor wrote (the case title and description, a referral note) is shown with any of
those details replaced by a marker, because councillors often type a name into a title.
"""

from __future__ import annotations

import re
from typing import Final

from caseload.models import Constituent

WITHHELD: Final = "[details withheld]"

# Name parts shorter than this ("Jo", "Le") match too much ordinary text to be redacted alone.
_MIN_NAME_PART = 3


def shares_with_officers(constituent: Constituent) -> bool:
    """True when the constituent agreed to share their details with officers."""
    return bool(constituent.consent_to_share)


def _flexible(literal: str) -> str:
    """A pattern for `literal` that allows any run of spaces where it has one."""
    return r"\s*".join(re.escape(part) for part in literal.split())


def _patterns(constituent: Constituent) -> list[str]:
    found: list[str] = []
    name = (constituent.name or "").strip()
    if name:
        found.append(_flexible(name))
        found += [
            rf"\b{re.escape(part)}\b"
            for part in re.split(r"[\s,]+", name)
            if len(part.strip(".'-")) >= _MIN_NAME_PART
        ]
    if constituent.email:
        found.append(re.escape(constituent.email))
    digits = re.sub(r"\D", "", constituent.phone or "")
    if len(digits) >= 6:
        # Any spacing, dashes or brackets between the digits, and +44 for the leading 0.
        sep = r"[\s\-().]*"
        tail = sep.join(digits[1:] if digits.startswith("0") else digits)
        found.append(rf"(?:\+\s*44{sep}(?:\(0\))?{sep}|0{sep})?{tail}")
    compact = re.sub(r"\s+", "", constituent.postcode or "")
    if len(compact) >= 5:
        found.append(rf"{re.escape(compact[:-3])}\s*{re.escape(compact[-3:])}")
    for line in (constituent.address or "").splitlines():
        if len(line.strip()) >= _MIN_NAME_PART + 2:
            found.append(_flexible(line.strip().rstrip(",")))
    # Longest first, so a full name or address goes before its parts.
    return sorted(found, key=len, reverse=True)


def withhold_personal_details(text: str, *, constituent: Constituent) -> str:
    """`text` with the constituent's identifying details replaced by a marker, unless they
    agreed to share them with officers."""
    if not text or shares_with_officers(constituent):
        return text
    patterns = _patterns(constituent)
    if not patterns:
        return text
    return re.sub("|".join(f"(?:{p})" for p in patterns), WITHHELD, text, flags=re.IGNORECASE)
