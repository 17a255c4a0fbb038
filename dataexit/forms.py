from __future__ import annotations

from django import forms

from caseload.forms import OnceForm
from core.forms import GovukForm
from dataexit.services import REASON_MAX


class DataExitRequestForm(GovukForm, OnceForm):
    reason = forms.CharField(
        label="Why is the council's casework to be exported?",
        help_text="For example: the council is leaving the service at the end of its "
        "contract. The second administrator and every councillor will see this",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason for the export"},
    )


class DataExitRefuseForm(GovukForm):
    note = forms.CharField(
        label="Why are you refusing it? (optional)",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
