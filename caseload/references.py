"""Case references: PREFIX-YYYY-NNNNN, with the prefix derived from the council's slug."""

from __future__ import annotations

import re

_STOP_WORDS = {"and", "of", "the"}


def reference_prefix_for_slug(slug: str) -> str:
    """'fife' -> 'FIFE'; 'north-lanarkshire' -> 'NL'; 'dumfries-and-galloway' -> 'DG'.

    One-word councils keep their name (up to 12 letters); longer names use initials.
    """
    words = [w for w in re.split(r"[-_\s]+", slug.lower()) if w and w not in _STOP_WORDS]
    if not words:
        return "CASE"
    if len(words) == 1:
        prefix = re.sub(r"[^A-Z0-9]", "", words[0].upper())[:12]
    else:
        prefix = "".join(w[0] for w in words).upper()
    return prefix if len(prefix) >= 2 else (prefix + "CC")[:2]
