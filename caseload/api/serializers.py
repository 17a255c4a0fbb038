"""Output shapes shared by the caseload API views (inputs are nested in each view)."""

from __future__ import annotations

from rest_framework import serializers


class RefSerializer(serializers.Serializer):
    """A related object as {id, name}."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()


class ConstituentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    postcode = serializers.CharField()


class WardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    is_current = serializers.BooleanField()


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    is_active = serializers.BooleanField()


class CaseListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.CharField()
    outcome = serializers.CharField()
    sharing = serializers.CharField()
    constituent = ConstituentRefSerializer()
    category = RefSerializer(allow_null=True)
    ward = RefSerializer(allow_null=True)
    owner = UserRefSerializer()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


# The columns a list row needs, fetched with `.values()`: a page of 25 cases then costs no
# model instances (five per row with the joined constituent, category, ward and owner), and
# no other column of those tables is read or converted.
CASE_LIST_COLUMNS = (
    "id",
    "reference",
    "title",
    "status",
    "priority",
    "outcome",
    "sharing",
    "constituent_id",
    "constituent__name",
    "constituent__postcode",
    "category_id",
    "category__name",
    "ward_id",
    "ward__name",
    "owner_id",
    "owner__name",
    "owner__email",
    "opened_at",
    "closed_at",
    "updated_at",
)

_datetime = serializers.DateTimeField()


def _ref(pk: int | None, name: str | None) -> dict | None:
    return None if pk is None else {"id": pk, "name": name}


def case_list_row(row: dict) -> dict:
    """One row of a case list (a `.values(*CASE_LIST_COLUMNS)` dict, plus `rank` when
    searching), as CaseListItemSerializer / CaseSearchItemSerializer describe it. Built by
    hand because lists are the hottest path: DRF's nested serializers cost more than the
    query for a page of 25 rows."""
    out = {
        "id": row["id"],
        "reference": row["reference"],
        "title": row["title"],
        "status": row["status"],
        "priority": row["priority"],
        "outcome": row["outcome"],
        "sharing": row["sharing"],
        "constituent": {
            "id": row["constituent_id"],
            "name": row["constituent__name"],
            "postcode": row["constituent__postcode"],
        },
        "category": _ref(row["category_id"], row["category__name"]),
        "ward": _ref(row["ward_id"], row["ward__name"]),
        "owner": {"id": row["owner_id"], "name": row["owner__name"], "email": row["owner__email"]},
        "opened_at": _datetime.to_representation(row["opened_at"]),
        "closed_at": _datetime.to_representation(row["closed_at"]) if row["closed_at"] else None,
        "updated_at": _datetime.to_representation(row["updated_at"]),
    }
    if row.get("rank") is not None:
        out["rank"] = row["rank"]
    return out


class CaseSearchItemSerializer(CaseListItemSerializer):
    rank = serializers.FloatField(required=False, allow_null=True)


class CaseDetailSerializer(CaseListItemSerializer):
    description = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = UserRefSerializer()
    can_change = serializers.BooleanField()
    shared_with = serializers.ListField(child=serializers.IntegerField())


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    author = UserRefSerializer()
    on_behalf_of = UserRefSerializer(allow_null=True)
    officer = RefSerializer(
        allow_null=True,
        help_text="The officer whose own entry this is (their reply or request for more "
        "time); `author` is then the owner of the case it was recorded on.",
    )
    occurred_at = serializers.DateTimeField()
    time_spent_minutes = serializers.IntegerField(allow_null=True)
    data = serializers.JSONField()  # type: ignore[assignment]
    created_at = serializers.DateTimeField()


class OfficerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    job_title = serializers.CharField()
    service = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    topics = RefSerializer(many=True, source="topics.all")
    wards = RefSerializer(many=True, source="wards.all")
    is_active = serializers.BooleanField()
    left_on = serializers.DateField(allow_null=True)


class OfficerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    service = serializers.CharField()
    email = serializers.EmailField()


class ReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    officer = OfficerRefSerializer()
    note = serializers.CharField()
    sent_at = serializers.DateTimeField()
    working_days = serializers.IntegerField()
    target_date = serializers.DateField(help_text="The date the reply is now due by.")
    original_target_date = serializers.DateField(
        help_text="The target set when sent; on time is judged against it."
    )
    is_extended = serializers.BooleanField(help_text="More time was agreed.")
    replied_at = serializers.DateTimeField(allow_null=True)
    target_met = serializers.BooleanField(
        allow_null=True, help_text="Replied by the original target."
    )
    created_by = UserRefSerializer()


class ConstituentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    postcode = serializers.CharField()
    ward = RefSerializer(allow_null=True)
    phone = serializers.CharField()
    email = serializers.CharField()
    preferred_contact = serializers.CharField()
    consent_to_share = serializers.BooleanField()
    consent_date = serializers.DateField(allow_null=True)
    notes = serializers.CharField()
    owner_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_by = UserRefSerializer()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, obj) -> str:
        return f"/api/v1/attachments/{obj.pk}/download/"


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    postcode = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class AccessLogSerializer(serializers.Serializer):
    """One audit entry naming a case (the case's access log): `id` is the entry's."""

    id = serializers.IntegerField()
    user_id = serializers.IntegerField(allow_null=True)
    user_email = serializers.CharField()
    user_name = serializers.CharField()
    on_behalf_of_id = serializers.IntegerField(allow_null=True)
    case_id = serializers.IntegerField(allow_null=True)
    case_reference = serializers.CharField(allow_blank=True)
    what = serializers.CharField(help_text="The audit entry's kind, e.g. case_viewed.")
    what_label = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()
