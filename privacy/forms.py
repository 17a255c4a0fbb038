"""Forms of the retention page (validation of the rules themselves is the services')."""

from __future__ import annotations

from django import forms


class ScheduleForm(forms.Form):
    category = forms.IntegerField(required=False, widget=forms.HiddenInput)
    keep_months = forms.IntegerField(
        label="Months after closing",
        min_value=1,
        max_value=240,
        error_messages={
            "required": "Enter how many months to keep cases after closing.",
            "invalid": "Enter a whole number of months.",
            "min_value": "Keep cases for at least 1 month.",
            "max_value": "Keep cases for at most 240 months (20 years).",
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
    )


class HoldForm(forms.Form):
    case_reference = forms.CharField(
        label="Case reference",
        max_length=32,
        help_text="For example FIFE-2024-00042.",
        error_messages={"required": "Enter the reference of the case to hold."},
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"}),
    )
    reason = forms.CharField(
        label="Why it must be kept",
        max_length=300,
        help_text="For example: complaint to the Scottish Public Services Ombudsman.",
        error_messages={"required": "Say why the case must be kept."},
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )
