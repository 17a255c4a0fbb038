"""Forms of the letterhead page: the printed details, and the logo."""

from __future__ import annotations

from django import forms

from core.forms import GovukForm
from correspondence.models import CorrespondenceSettings


class LetterheadDetailsForm(GovukForm):
    letterhead_name = forms.CharField(
        label="Name at the top of letters",
        required=False,
        max_length=200,
        help_text="Leave blank to print the council's name.",
    )
    address = forms.CharField(
        label="Address", required=False, max_length=1000, widget=forms.Textarea
    )
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    email = forms.EmailField(label="Email", required=False, max_length=254)
    website = forms.CharField(label="Website", required=False, max_length=200)
    footer = forms.CharField(
        label="Footer",
        required=False,
        max_length=300,
        help_text="Printed at the foot of every page, for example a data protection notice.",
    )
    logo_position = forms.ChoiceField(
        label="Where the logo goes",
        choices=CorrespondenceSettings.LogoPosition.choices,
        widget=forms.RadioSelect,
    )


class LetterheadLogoForm(GovukForm):
    logo = forms.FileField(
        label="Logo",
        error_messages={
            "required": "Choose a PNG or JPEG file for the logo",
            "empty": "The logo file is empty",
        },
    )
