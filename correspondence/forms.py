"""The officer's reply form (no account). Shapes only; the rules are in services.links."""

from __future__ import annotations

from django import forms

from caseload.forms import GovukDateField
from correspondence.services.links import MAX_REPLY_CHARS, OfficerResponse


class OfficerReplyForm(forms.Form):
    response = forms.ChoiceField(
        label="What is your response?",
        choices=[
            (OfficerResponse.REPLY, "Here is my reply"),
            (OfficerResponse.DONE, "The matter is done"),
            (OfficerResponse.MORE_TIME, "I need more time"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your response"},
    )
    text = forms.CharField(
        label="Your message to the councillor",
        required=False,
        max_length=MAX_REPLY_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    new_target_date = GovukDateField(
        label="If you need more time, the date you expect to reply by",
        required=False,
        help_text="For example, 27 3 2026",
    )
