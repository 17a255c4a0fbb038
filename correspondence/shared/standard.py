# ruff: noqa: E501 - template wording keeps one paragraph per line, as a letter is written.
"""The standard set every council starts with: wording a Scottish council would send.

Used by the data migration that seeds them (0002) and by `shared_templates_ensure_standard`,
which puts back any that are missing without touching ones the central body has edited.
"""

from __future__ import annotations

from typing import Final

STANDARD_TEMPLATES: Final[list[dict[str, str]]] = [
    {
        "key": "acknowledgement",
        "name": "Acknowledgement to the constituent",
        "description": "Sent when a case is opened: we have your enquiry and its reference.",
        "audience": "constituent",
        "subject": "Your enquiry {{ case.reference }}: {{ case.title }}",
        "body": """Dear {{ constituent.name }},

Thank you for contacting me about {{ case.title }}. I have recorded your enquiry under the reference {{ case.reference }}; please quote it if you get in touch about this matter again.

I will look into this and contact the relevant council service where needed. I will write to you again as soon as I have something to report.

Yours sincerely,

{{ councillor.name }}
Councillor{% if councillor.ward %} for {{ councillor.ward }}{% endif %}
{{ council.name }}
""",
    },
    {
        "key": "referral",
        "name": "Referral to an officer",
        "description": "Asks an officer to look into the enquiry, with a link to reply online.",
        "audience": "officer",
        "subject": "Councillor enquiry {{ case.reference }}: {{ case.title }}",
        "body": """Dear {{ officer.name }},

I have been contacted by a constituent about the following matter, and I would be grateful if you could look into it.

{{ case.title }}{% if case.category %} ({{ case.category }}){% endif %}
{% if referral.note %}
{{ referral.note }}
{% endif %}
{% if constituent.consent_to_share %}
The constituent has agreed that I may share their details with you:
{{ constituent.name }}
{% if constituent.address %}{{ constituent.address }}
{% endif %}{% if constituent.postcode %}{{ constituent.postcode }}
{% endif %}{% if constituent.phone %}Phone: {{ constituent.phone }}
{% endif %}{% if constituent.email %}Email: {{ constituent.email }}
{% endif %}
{% endif %}
Please reply by {{ referral.target_date }}. You can reply, mark the matter done, or ask for more time here, without signing in:
{{ referral.reply_link }}

You can also reply to this email. Please keep the reference {{ case.reference }} in the subject.

Kind regards,

{{ councillor.name }}
Councillor{% if councillor.ward %} for {{ councillor.ward }}{% endif %}
{{ council.name }}
""",
    },
    {
        "key": "holding-reply",
        "name": "Holding reply",
        "description": "Tells the constituent the matter is still being looked into.",
        "audience": "constituent",
        "subject": "Update on your enquiry {{ case.reference }}",
        "body": """Dear {{ constituent.name }},

I am writing to let you know that your enquiry about {{ case.title }} (reference {{ case.reference }}) is still being looked into. I have raised it with the council and I am waiting for a full response.

I will be in touch again as soon as I hear more. In the meantime, please contact me if anything changes.

Yours sincerely,

{{ councillor.name }}
Councillor{% if councillor.ward %} for {{ councillor.ward }}{% endif %}
{{ council.name }}
""",
    },
    {
        "key": "chaser",
        "name": "Chaser to an officer",
        "description": "Reminds an officer that a reply is due or overdue.",
        "audience": "officer",
        "subject": "Reminder: councillor enquiry {{ case.reference }}",
        "body": """Dear {{ officer.name }},

On {{ referral.sent_on }} I asked you to look into {{ case.title }} (reference {{ case.reference }}), with a reply due by {{ referral.target_date }}. I have not yet had a response and I would be grateful for an update.

You can reply, mark the matter done, or ask for more time here, without signing in:
{{ referral.reply_link }}

Kind regards,

{{ councillor.name }}
Councillor{% if councillor.ward %} for {{ councillor.ward }}{% endif %}
{{ council.name }}
""",
    },
    {
        "key": "outcome",
        "name": "Outcome letter",
        "description": "Tells the constituent how their enquiry was resolved.",
        "audience": "constituent",
        "subject": "Your enquiry {{ case.reference }}: outcome",
        "body": """Dear {{ constituent.name }},

I am writing about your enquiry concerning {{ case.title }} (reference {{ case.reference }}).

{% if case.outcome %}The outcome is: {{ case.outcome }}.{% else %}I have now received a response from the council.{% endif %}

Thank you for bringing this matter to my attention. If you need any further help, please do not hesitate to contact me, quoting the reference above.

Yours sincerely,

{{ councillor.name }}
Councillor{% if councillor.ward %} for {{ councillor.ward }}{% endif %}
{{ council.name }}
""",
    },
]
STANDARD_KEYS: Final = tuple(t["key"] for t in STANDARD_TEMPLATES)
