"""The platform's own list of case categories, for comparing councils.

Each council names its categories as it likes ("Roads & Lighting", "Housing repairs"); those
names are the council's own words and stay in its schema. The aggregation maps each name to
one of these codes, inside the schema, and only the code leaves it.
"""

from __future__ import annotations

import re

# (code, label, words that identify it in a council's category name). First match wins, so
# more specific entries come first.
STANDARD_CATEGORIES: list[tuple[str, str, tuple[str, ...]]] = [
    ("council-tax", "Council tax and benefits", ("council tax", "benefit", "revenue")),
    ("antisocial-behaviour", "Antisocial behaviour", ("antisocial", "anti social", "asb")),
    ("social-work", "Social work and care", ("social work", "social care", "care")),
    ("planning", "Planning and building", ("planning", "building standard", "licens")),
    ("housing", "Housing", ("housing", "tenan", "homeless", "council house")),
    (
        "roads",
        "Roads and transport",
        ("road", "pavement", "lighting", "pothole", "transport", "parking", "traffic"),
    ),
    (
        "waste",
        "Waste and recycling",
        ("waste", "bin", "recycl", "litter", "fly tip", "refuse", "cleansing"),
    ),
    ("parks", "Parks and open spaces", ("park", "open space", "green", "grounds", "play")),
    ("education", "Education", ("school", "education", "nursery")),
    ("environmental-health", "Environmental health", ("environmental", "noise", "pest", "dog")),
]
OTHER = ("other", "Other")

# The categories a new council starts with (its admins rename, retire or add to them). Each
# maps to a platform code above, so the comparison reads a new council's cases from day one;
# the names match the demo data's where the two overlap.
NEW_COUNCIL_CATEGORIES: tuple[str, ...] = (
    "Housing",
    "Roads and pavements",
    "Street lighting",
    "Waste and recycling",
    "Planning",
    "Social work",
    "Council tax and benefits",
    "Parks and open spaces",
    "Antisocial behaviour",
    "Environmental health",
    "Education",
    "Other",
)
NONE = ("none", "No category")
LABELS: dict[str, str] = {
    **{code: label for code, label, _ in STANDARD_CATEGORIES},
    OTHER[0]: OTHER[1],
    NONE[0]: NONE[1],
}


def category_code(name: str | None) -> str:
    """The platform code for a council's category name ("none" when a case has none)."""
    if name is None:
        return NONE[0]
    text = " " + re.sub(r"[^a-z0-9]+", " ", name.lower()) + " "
    for code, _, words in STANDARD_CATEGORIES:
        if any(f" {word}" in text for word in words):
            return code
    return OTHER[0]


def category_label(code: str) -> str:
    return LABELS.get(code, code)
