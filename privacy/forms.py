"""Forms of the retention page (validation of the rules themselves is the services')."""

from __future__ import annotations

from django import forms

from caseload.forms import OnceForm


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


class HoldForm(OnceForm):
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


class EraseForm(OnceForm):
    scope = forms.ChoiceField(
        label="What to erase",
        widget=forms.RadioSelect,
        choices=[
            ("identity", "Their identity: name and details, wherever they were copied"),
            ("everything", "Their identity and everything written in their cases"),
        ],
        error_messages={"required": "Choose what to erase."},
    )
    confirm = forms.BooleanField(
        label="I understand this cannot be undone",
        error_messages={"required": "Confirm that you understand this cannot be undone."},
    )


class CorrectForm(OnceForm):
    field_name = forms.ChoiceField(
        label="Which detail",
        choices=[
            ("name", "Name"),
            ("address", "Address"),
            ("postcode", "Postcode"),
            ("phone", "Phone"),
            ("email", "Email"),
        ],
        error_messages={"required": "Choose the detail to correct."},
    )
    value = forms.CharField(
        label="The correct value",
        max_length=300,
        error_messages={"required": "Enter the correct value."},
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )
    everywhere = forms.ChoiceField(
        label="Where it was already written",
        widget=forms.RadioSelect,
        choices=[
            ("replace", "Replace the old value in every case text and history entry"),
            ("note", "Leave what was written, and add a correction to each case's history"),
        ],
        error_messages={"required": "Choose how to treat what was already written."},
    )
