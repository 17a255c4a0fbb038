"""Web forms of the BF pages. They check types and shapes only; every rule (who may own a BF,
dates in the past or too far ahead, working-day ranges, duplicate rules) is the services'
and comes back as a service error shown on the form."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from caseload.forms import GovukDateField, OnceForm
from reminders.models import BFRule
from reminders.services import MAX_SNOOZE_WORKING_DAYS


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        role = "councillor" if obj.role == User.Role.COUNCILLOR else "Members' Services"
        return f"{obj.name or obj.email} ({role})"


def _numeric() -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})


REASON_HELP = "What to do when it comes up, like 'Chase the housing officer'"


class BFAddForm(OnceForm):
    due_date = GovukDateField(
        label="Bring the case forward on",
        help_text="A working day from today on; a weekend or holiday moves to the next one. "
        "For example, 27 3 2027",
        error_messages={"required": "Enter the date to bring the case forward"},
    )
    reason = forms.CharField(
        max_length=300,
        label="What for",
        help_text=REASON_HELP,
        error_messages={
            "required": "Say what the case is brought forward for",
            "max_length": "Keep it to 300 characters or fewer",
        },
    )
    owner = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,  # none given: the person adding it (the service's default)
        empty_label=None,
        label="Whose reminder",
        help_text="The case's councillor or Members' Services staff acting for them",
        error_messages={"invalid_choice": "Choose someone from the list"},
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners if owners is not None else User.objects.none()


class BFSnoozeForm(forms.Form):
    working_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_SNOOZE_WORKING_DAYS,
        label="Working days from today",
        help_text=f"1 to {MAX_SNOOZE_WORKING_DAYS}; weekends and the council's holidays are "
        "not counted",
        widget=_numeric(),
        error_messages={
            "invalid": "Enter working days as a whole number, like 5",
            "min_value": "Snooze for at least 1 working day",
            "max_value": f"Snooze for {MAX_SNOOZE_WORKING_DAYS} working days or fewer",
        },
    )
    until = GovukDateField(
        required=False,
        label="Or a new date",
        help_text="For example, 27 3 2027",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_days = data.get("working_days") is not None
        has_date = data.get("until") is not None
        if not self.errors:
            if has_days and has_date:
                self.add_error("until", "Give a date or a number of working days, not both")
            elif not has_days and not has_date:
                self.add_error("working_days", "Enter a number of working days or a new date")
        return data


class BFReassignForm(forms.Form):
    owner = PersonChoiceField(
        queryset=User.objects.none(),
        empty_label="Choose who",
        label="Give the reminder to",
        help_text="The case's councillor or Members' Services staff acting for them",
        error_messages={
            "required": "Choose who to give the reminder to",
            "invalid_choice": "Choose someone from the list",
        },
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners if owners is not None else User.objects.none()


class BFCompleteForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=300,
        label="Note (optional)",
        help_text="What was done, like 'Officer phoned back'",
        error_messages={"max_length": "Keep the note to 300 characters or fewer"},
    )


_RULE_DAYS_ERRORS = {
    "required": "Enter the number of working days",
    "invalid": "Enter working days as a whole number, like 5",
}


class BFRuleForm(OnceForm):
    trigger = forms.ChoiceField(
        choices=BFRule.Trigger.choices,
        widget=forms.RadioSelect,
        label="When",
        error_messages={"required": "Choose when the rule brings a case forward"},
    )
    working_days = forms.IntegerField(
        label="How many working days later",
        help_text="0 to 60 (from 1 for a new case with no action). For a referral, counted "
        "from the officer's target date; for a reply, from the day it arrived",
        widget=_numeric(),
        error_messages=_RULE_DAYS_ERRORS,
    )
    reason = forms.CharField(
        max_length=300,
        label="What the reminder says",
        help_text=REASON_HELP,
        error_messages={
            "required": "Say what the reminder is for",
            "max_length": "Keep it to 300 characters or fewer",
        },
    )


class BFRuleEditForm(forms.Form):
    working_days = forms.IntegerField(
        label="How many working days later",
        widget=_numeric(),
        error_messages=_RULE_DAYS_ERRORS,
    )
    reason = forms.CharField(
        max_length=300,
        label="What the reminder says",
        error_messages={
            "required": "Say what the reminder is for",
            "max_length": "Keep it to 300 characters or fewer",
        },
    )
    is_active = forms.BooleanField(
        required=False,
        label="In use",
        help_text="Untick to stop the rule creating reminders; the ones it made stay",
    )
