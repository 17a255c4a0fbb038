"""Reading what an API request sends: id lists and ids that must name an existing row."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.errors import ValidationFailed


def id_list(value: str, field: str) -> list[int]:
    """'3,5, 8' -> [3, 5, 8]; a clear 400 for anything else."""
    out = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        if not part.isdigit():
            raise ValidationFailed(
                f"'{part}' is not an id; give ids separated by commas.",
                extra={field: ["Ids separated by commas."]},
            )
        out.append(int(part))
    return out


def get_or_400(model: type[Any], pk: int | None, field: str, **filters: Any) -> Any:
    """Resolve an id sent in a request body; a missing object is a 400 on that field."""
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, **filters).first()
    if obj is None:
        raise ValidationFailed(
            f"No {model._meta.verbose_name} with id {pk}.", extra={field: ["Not found."]}
        )
    return obj


class IdListField(serializers.ListField):
    child = serializers.IntegerField(min_value=1)
