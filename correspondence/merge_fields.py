"""The merge fields a correspondence template may use: the whole of what a template sees.

A template reaches `namespace.field` and nothing else (see correspondence.rendering.sandbox).
Values are plain strings, dates or booleans built by correspondence.selectors.context, never
model instances, so there is no method or relation a template could walk to.
"""

from __future__ import annotations

from typing import Final

MERGE_FIELDS: Final[dict[str, dict[str, str]]] = {
    "constituent": {
        "name": "Full name",
        "address": "Postal address (several lines)",
        "postcode": "Postcode",
        "email": "Email address",
        "phone": "Phone number",
        "consent_to_share": "True when the constituent agreed to share details with officers",
    },
    "case": {
        "reference": "Case reference, e.g. FIFE-2026-00042",
        "title": "Short title of the enquiry",
        "description": "The enquiry as recorded",
        "category": "Category, e.g. Housing",
        "ward": "Ward name",
        "status": "Current status",
        "priority": "Priority",
        "opened_on": "Date the case was opened",
        "closed_on": "Date the case was closed (blank while open)",
        "outcome": "Outcome once closed, e.g. Resolved",
    },
    "councillor": {
        "name": "The councillor who owns the case",
        "email": "The councillor's email",
        "ward": "The councillor's ward",
    },
    "officer": {
        "name": "Officer's name",
        "job_title": "Officer's job title",
        "service": "Officer's service or department",
        "email": "Officer's email",
        "phone": "Officer's phone",
    },
    "referral": {
        "sent_on": "Date the referral was sent",
        "target_date": "Date a reply is due",
        "working_days": "Working days allowed for the reply",
        "note": "The councillor's note to the officer",
        "reply_link": "The officer's link to reply without an account",
    },
    "council": {
        "name": "Council name",
        "address": "Council postal address (letterhead)",
        "phone": "Council phone (letterhead)",
        "email": "Council email (letterhead)",
        "website": "Council website (letterhead)",
    },
    "dates": {
        "today": "Today's date",
    },
}

# Fields whose values identify the constituent: left out of anything addressed to an officer
# unless the constituent consented to share their details.
CONSTITUENT_PERSONAL_FIELDS: Final = ("name", "address", "postcode", "email", "phone")
