"""Forms whose error messages name their field, as GOV.UK's error summary needs.

Django's defaults ("This field is required.", "Enter a whole number.") say nothing about
which field is wrong: an error summary of five identical lines helps nobody. `GovukForm`
words each field's messages from its label, unless the field sets its own.
"""

from __future__ import annotations

from typing import Any

from django import forms


def _named_messages(field: forms.Field, label: str) -> dict[str, str]:
    what = label[:1].lower() + label[1:]
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.BooleanField):
        messages = {
            "required": f"Choose the {what}",
            "invalid_choice": f"Choose the {what} from the list",
        }
    else:
        messages = {"required": f"Enter the {what}"}
    if isinstance(field, forms.EmailField):
        messages["invalid"] = f"Enter {what} in the correct format, like name@example.gov.uk"
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{label} must be a whole number"
        messages["min_value"] = f"{label} must be %(limit_value)s or more"
        messages["max_value"] = f"{label} must be %(limit_value)s or less"
    if isinstance(field, forms.CharField):
        messages["max_length"] = f"{label} must be %(limit_value)d characters or fewer"
    return messages


def _defaults(field: forms.Field) -> dict[str, str]:
    messages: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


class GovukForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label or name.replace("_", " ").capitalize())
            defaults = _defaults(field)
            for key, message in _named_messages(field, label).items():
                # A message the field's declaration chose itself stays.
                if field.error_messages.get(key, defaults.get(key)) == defaults.get(key):
                    field.error_messages[key] = message
