"""The console's forms. Each is a `GovukForm`, so every error message names its field (the
error summary lists them); labels here are the ones the pages show."""

from __future__ import annotations

from django import forms
from django.conf import settings

from billing.models import PaymentMethod
from core.forms import GovukForm


class OnboardingForm(GovukForm):
    name = forms.CharField(max_length=200, label="Council name")
    slug = forms.CharField(max_length=50, label="Web address")
    contact_email = forms.EmailField(required=False, label="Council contact email")
    trial_days = forms.IntegerField(min_value=1, max_value=365, label="Trial length in days")
    seats = forms.IntegerField(min_value=1, max_value=500, label="Seats")
    admin_email = forms.EmailField(label="First administrator's email")
    admin_name = forms.CharField(max_length=200, required=False, label="First administrator's name")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trial_days"].initial = settings.CONSOLE_DEFAULT_TRIAL_DAYS
        self.fields["seats"].initial = 10


class TrialRequestForm(GovukForm):
    council_name = forms.CharField(max_length=200, label="Council name")
    contact_name = forms.CharField(max_length=200, label="Your full name")
    email = forms.EmailField(label="Your work email address")
    councillors = forms.IntegerField(
        min_value=1, max_value=500, label="Number of councillors taking part"
    )
    start_day = forms.IntegerField(min_value=1, max_value=31, label="Start day")
    start_month = forms.IntegerField(min_value=1, max_value=12, label="Start month")
    start_year = forms.IntegerField(min_value=2000, max_value=2100, label="Start year")


class DeclineForm(GovukForm):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea, label="Reason")


class ApproveForm(GovukForm):
    trial_days = forms.IntegerField(
        min_value=1, max_value=365, required=False, label="Trial length in days"
    )
    seats = forms.IntegerField(min_value=1, max_value=500, required=False, label="Seats")


class AllowedDomainForm(GovukForm):
    domain = forms.CharField(max_length=253, label="Domain")
    note = forms.CharField(max_length=200, required=False, label="Note")


# Licence controls (console.views.licences)
class ExtendTrialForm(GovukForm):
    days = forms.IntegerField(
        min_value=1,
        max_value=365,
        initial=30,
        label="Extra days",
        error_messages={"required": "Enter how many extra days the trial gets"},
    )
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why the trial is extended",
        error_messages={"required": "Enter why the trial is extended"},
    )


class ConvertForm(GovukForm):
    seats = forms.IntegerField(min_value=1, max_value=1000, label="Councillor seats")
    payment_method = forms.ChoiceField(
        choices=PaymentMethod.choices,
        initial=PaymentMethod.INVOICE,
        widget=forms.RadioSelect,
        label="How the council pays",
        error_messages={"required": "Choose how the council pays"},
    )
    days_until_due = forms.IntegerField(
        min_value=1,
        max_value=120,
        initial=settings.BILLING_INVOICE_DAYS_UNTIL_DUE,
        label="Days to pay each invoice",
    )


class CancelForm(GovukForm):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why the licence is cancelled",
        error_messages={"required": "Enter why the licence is cancelled"},
    )
    retention_days = forms.IntegerField(
        min_value=0,
        max_value=3650,
        initial=settings.BILLING_RETENTION_DAYS,
        label="Keep the data (read-only, exportable) for this many days",
        error_messages={"required": "Enter how many days to keep the data"},
    )


class DeleteDataForm(GovukForm):
    confirm_slug = forms.CharField(
        max_length=60,
        label="Type the council's web address (its slug) to confirm",
        error_messages={"required": "Type the council's slug to confirm"},
    )
