"""Forms of the correspondence pages: the officer's reply (no account) and writing from a case.
Shapes only; the rules are in services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone

from caseload.forms import CaseFilterForm, GovukDateField, OnceForm, OwnerChoiceField
from caseload.models import Referral
from core.forms import GovukForm
from correspondence.selectors import EffectiveTemplate
from correspondence.services.links import MAX_REPLY_CHARS, OfficerResponse
from correspondence.shared.models import Audience


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


class WriteForm(forms.Form):
    """Which template to merge for a case, and which of its referrals it is about (for a
    template addressed to an officer). Bound to the query string to preview (GET) and to the
    posted form to send; the choices are the council's templates and the case's referrals."""

    template = forms.ChoiceField(
        label="What do you want to send?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what you want to send",
            "invalid_choice": "Choose one of the letters and emails listed",
        },
    )
    referral = forms.TypedChoiceField(
        label="Which referral is it about?",
        help_text="Only for a letter or email to an officer.",
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the referrals listed"},
    )

    def __init__(
        self,
        data: Any = None,
        *,
        templates: Sequence[EffectiveTemplate],
        referrals: Sequence[Referral],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.templates = {t.key: t for t in templates}
        template_field = self.fields["template"]
        assert isinstance(template_field, forms.ChoiceField)
        template_field.choices = [(t.key, t.name) for t in templates]
        if referrals:
            referral_field = self.fields["referral"]
            assert isinstance(referral_field, forms.ChoiceField)
            referral_field.choices = [(r.pk, referral_label(r)) for r in referrals]
        else:
            # Nothing to choose: a template for an officer is refused by the service with a
            # message at the top of the form (an error cannot link to a missing radio).
            del self.fields["referral"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = self.templates.get(data.get("template") or "")
        if chosen is not None and chosen.audience != Audience.OFFICER:
            # A referral picked earlier for an officer's template means nothing to a letter
            # to the constituent; it would only mislabel the history.
            data["referral"] = None
        return data

    @property
    def template_options(self) -> list[tuple[Any, EffectiveTemplate]]:
        """Each radio with its template, to show who it is for and what it says."""
        return list(zip(self["template"], self.templates.values(), strict=True))

    @property
    def chosen(self) -> EffectiveTemplate | None:
        if not self.is_bound or not self.is_valid():
            return None
        return self.templates.get(self.cleaned_data["template"])


def referral_label(referral: Referral) -> str:
    officer = referral.officer
    service = f" ({officer.service})" if officer.service else ""
    sent = timezone.localdate(referral.sent_at)
    state = (
        f"replied {timezone.localdate(referral.replied_at):%-d %B %Y}"
        if referral.replied_at
        else f"reply due {referral.target_date:%-d %B %Y}"
    )
    return f"{officer.name}{service}: sent {sent:%-d %B %Y}, {state}"


class SendForm(WriteForm):
    """The preview's buttons: each posts the same choice with how to send it."""

    channel = forms.ChoiceField(
        choices=[
            ("email", "Email"),
            ("docx", "Letter (.docx)"),
            ("pdf", "Letter (PDF)"),
            ("both", "Letter (.docx and PDF)"),
        ],
        error_messages={"required": "Choose how to send it"},
    )


class TriageAssignForm(GovukForm):
    reference = forms.CharField(
        label="Case reference",
        max_length=40,
        help_text="The reference on the case page, for example ABC-2026-0012.",
        error_messages={"required": "Enter the reference of the case to file it on"},
    )


class TriageOpenCaseForm(GovukForm, OnceForm):
    title = forms.CharField(
        label="Case title (optional)",
        required=False,
        max_length=200,
        help_text="Leave it empty to use the email's subject.",
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = OwnerChoiceField(
            queryset=owners,
            required=True,
            empty_label="Choose a councillor",
            label="Councillor the case is for",
            error_messages={"required": "Choose the councillor the case is for"},
        )
        self.order_fields(["owner", "title"])


class TriageDismissForm(GovukForm):
    reason = forms.CharField(
        label="Why is it not casework?",
        max_length=200,
        help_text="For example: spam, a mailing list, a duplicate of a message already filed.",
        error_messages={"required": "Enter why you are discarding this message"},
    )


class BatchForm(CaseFilterForm):
    """Which cases (the case list's filters, kept to the councillors the sender acts for),
    which constituent template, and how: bound to the query string to preview and to the
    posted form to send."""

    template = forms.ChoiceField(
        label="What do you want to send?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you want to send"},
    )
    channel = forms.ChoiceField(
        label="How?",
        widget=forms.RadioSelect,
        choices=[
            ("email", "Email (constituents without an email address are skipped)"),
            ("pdf", "PDF letters, with one file of them all to print"),
            ("docx", "Word letters"),
        ],
        error_messages={"required": "Choose how to send it"},
    )

    def __init__(
        self, *args: Any, templates: Sequence[EffectiveTemplate] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(t.key, t.name) for t in templates if t.audience == Audience.CONSTITUENT]


class TemplateEditForm(GovukForm):
    name = forms.CharField(label="Name", max_length=120)
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    subject = forms.CharField(label="Subject", max_length=300, strip=False)
    body = forms.CharField(
        label="Text",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Merge fields go in double braces, for example {{ constituent.name }}.",
    )
