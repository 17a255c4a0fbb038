from __future__ import annotations

from django import forms
from django.conf import settings

from billing.models import PaymentMethod


class OnboardingForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.CharField(max_length=50)
    contact_email = forms.EmailField(required=False)
    trial_days = forms.IntegerField(min_value=1, max_value=365)
    seats = forms.IntegerField(min_value=1, max_value=500)
    admin_email = forms.EmailField()
    admin_name = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trial_days"].initial = settings.CONSOLE_DEFAULT_TRIAL_DAYS
        self.fields["seats"].initial = 10


class TrialRequestForm(forms.Form):
    council_name = forms.CharField(max_length=200)
    contact_name = forms.CharField(max_length=200)
    email = forms.EmailField()
    councillors = forms.IntegerField(min_value=1, max_value=500)
    start_day = forms.IntegerField(min_value=1, max_value=31)
    start_month = forms.IntegerField(min_value=1, max_value=12)
    start_year = forms.IntegerField(min_value=2000, max_value=2100)


class DeclineForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea)


class ApproveForm(forms.Form):
    trial_days = forms.IntegerField(min_value=1, max_value=365, required=False)
    seats = forms.IntegerField(min_value=1, max_value=500, required=False)


class AllowedDomainForm(forms.Form):
    domain = forms.CharField(max_length=253)
    note = forms.CharField(max_length=200, required=False)


# Licence controls (console.views.licences)
class ExtendTrialForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=365, initial=30, label="Extra days")
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ConvertForm(forms.Form):
    seats = forms.IntegerField(min_value=1, max_value=1000, label="Councillor seats")
    payment_method = forms.ChoiceField(
        choices=PaymentMethod.choices, initial=PaymentMethod.INVOICE, widget=forms.RadioSelect
    )
    days_until_due = forms.IntegerField(
        min_value=1,
        max_value=120,
        initial=settings.BILLING_INVOICE_DAYS_UNTIL_DUE,
        label="Days to pay each invoice",
    )


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    retention_days = forms.IntegerField(
        min_value=0,
        max_value=3650,
        initial=settings.BILLING_RETENTION_DAYS,
        label="Keep the data (read-only, exportable) for this many days",
    )


class DeleteDataForm(forms.Form):
    confirm_slug = forms.CharField(max_length=60, label="Type the council's slug to confirm")
