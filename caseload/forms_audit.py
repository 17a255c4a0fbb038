"""The audit log's search form (GET; every field optional), for /audit/ and its CSV."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from audit.models import AuditAction
from audit.selectors import AuditFilters
from caseload.forms import GovukDateField
from core.forms import GovukForm


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        inactive = "" if obj.is_active else ", deactivated"
        return f"{obj.name} ({obj.get_role_display().lower()}{inactive})"


class AuditFilterForm(GovukForm):
    person = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Anyone",
        label="Person",
        help_text="Who acted, or who was acted upon",
    )
    case = forms.CharField(
        required=False,
        max_length=40,
        label="Case",
        help_text="A case reference, like FIFE-2026-00042, or a case number",
    )
    constituent = forms.IntegerField(
        required=False,
        min_value=1,
        label="Constituent number",
        help_text="As in the constituent's page address, /constituents/123/",
    )
    kind = forms.ChoiceField(
        required=False,
        label="Kind of entry",
        choices=[("", "Any kind"), *AuditAction.choices],
    )
    date_from = GovukDateField(required=False, label="From")
    date_to = GovukDateField(required=False, label="To")

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people if people is not None else User.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "To must be the same as or after from")
        return data

    def filters(self) -> AuditFilters:
        d = self.cleaned_data
        return AuditFilters(
            person_id=d["person"].pk if d.get("person") else None,
            case=(d.get("case") or "").strip(),
            constituent_id=d.get("constituent"),
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            actions=[d["kind"]] if d.get("kind") else [],
        )
