"""One log, not two: the old per-case access log's rows move into the council's audit log
(platform/audit), and the access log's table goes.

Each AccessLog row becomes one AuditEntry at the same moment, by the same person (id and
email as recorded; name and role from the user while they exist), naming the case by id,
reference and constituent. "edit" rows (the case opened to change it, written before the
change was allowed or done) become reads marked `to_change`: they never said an edit
happened. The copy is INSERTs only, which the audit log's trigger allows.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

ACTION_FOR_WHAT = {
    "view": "case_viewed",
    "history": "case_history_viewed",
    "referrals": "case_referrals_viewed",
    "attachment": "attachment_downloaded",
    "edit": "case_viewed",
}

SUMMARY_FOR_WHAT = {
    "view": "Viewed a case",
    "history": "Viewed a case's history",
    "referrals": "Viewed a case's referrals",
    "attachment": "Downloaded a file",
    "edit": "Viewed a case",
}


def copy_access_log(apps: Any, schema_editor: Any) -> None:
    AccessLog = apps.get_model("caseload", "AccessLog")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    User = apps.get_model("accounts", "User")
    Case = apps.get_model("caseload", "Case")
    users = {u.pk: u for u in User.objects.only("id", "name", "role")}
    constituent_of = dict(Case.objects.values_list("id", "constituent_id"))
    batch = []
    for row in AccessLog.objects.order_by("at", "id").iterator(chunk_size=2000):
        user = users.get(row.user_id)
        what = row.what if row.what in ACTION_FOR_WHAT else "view"
        summary = f"{SUMMARY_FOR_WHAT[what]}: {row.case_reference}"
        detail: dict[str, Any] = {"migrated_from": "access_log", "access_log_id": row.pk}
        if what == "edit":
            summary += " (to change it)"
            detail["to_change"] = True
        constituent_id = constituent_of.get(row.case_id)
        batch.append(
            AuditEntry(
                at=row.at,
                action=ACTION_FOR_WHAT[what],
                actor_id=row.user_id,
                actor_name=(user.name if user else "")[:200],
                actor_email=row.user_email[:254],
                actor_role=(user.role if user else "")[:20],
                case_ids=[row.case_id] if row.case_id is not None else [],
                case_references=[row.case_reference] if row.case_reference else [],
                constituent_ids=[constituent_id] if constituent_id is not None else [],
                summary=summary[:500],
                detail=detail,
            )
        )
        if len(batch) >= 2000:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0004_action_kind_reminder"),
        ("audit", "0001_initial"),
        ("accounts", "0003_sign_in_security"),
    ]

    operations = [
        # Not reversible: the audit log refuses DELETE, so the copy cannot be taken back.
        migrations.RunPython(copy_access_log, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(name="AccessLog"),
    ]
