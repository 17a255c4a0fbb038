"""Forms of the subject access pages (the rules themselves are the services')."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from caseload.forms import GovukDateField, OnceForm

_TEXT = {"class": "govuk-input"}


class RequestForm(OnceForm):
    councillor = forms.TypedChoiceField(
        label="Addressed to",
        coerce=int,
        help_text="The councillor whose casework the request is about.",
        error_messages={"required": "Choose the councillor the request is addressed to."},
    )
    requester_name = forms.CharField(
        label="Requester's name, as they gave it",
        max_length=200,
        error_messages={"required": "Enter the requester's name."},
        widget=forms.TextInput(attrs=_TEXT),
    )
    received_on = GovukDateField(
        label="Date received",
        help_text="The clock starts the day the request arrives. For example, 27 3 2026",
        error_messages={"required": "Enter the date the request was received."},
    )
    email = forms.EmailField(
        label="Email (optional)",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org."},
        widget=forms.EmailInput(attrs={**_TEXT, "autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="Phone (optional)",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"}),
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
    )

    def __init__(self, *args: Any, councillors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["councillor"]).choices = councillors
        if len(councillors) == 1:
            self.fields["councillor"].initial = councillors[0][0]


class SearchForm(forms.Form):
    """A GET form: the search's terms (the request's own until changed)."""

    name = forms.CharField(label="Name", max_length=200, required=False)
    email = forms.CharField(label="Email", max_length=254, required=False)
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)


class ConfirmForm(forms.Form):
    constituent_ids = forms.TypedMultipleChoiceField(
        label="These records are the requester's",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["constituent_ids"]).choices = choices


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label="Extend by",
        coerce=int,
        choices=[(1, "1 month"), (2, "2 months")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how long to extend by."},
    )
    reason = forms.CharField(
        label="Why it needs longer",
        max_length=300,
        help_text="The requester must be told why, within the first month.",
        error_messages={"required": "Say why the request needs longer."},
        widget=forms.TextInput(attrs=_TEXT),
    )


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label="Outcome",
        choices=[
            ("completed", "Completed: the archive was sent to the requester"),
            ("refused", "Refused: manifestly unfounded or excessive"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose completed or refused."},
    )
    note = forms.CharField(
        label="Note (required when refusing)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
    )
