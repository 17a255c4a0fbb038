"""The old per-case access log moves into the audit log (caseload 0005): one log, not two.

The table is gone from the migrated test database, so the test builds it again as it was
(from the migration state before 0005), fills it, runs the migration's copy, and reads the
audit log. All inside the test's transaction: PostgreSQL rolls the table back with it."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.models import AuditEntry
from tests.caseload.conftest import make_case
from tests.conftest import in_council

pytestmark = pytest.mark.django_db

migration = importlib.import_module("caseload.migrations.0005_access_log_into_audit_log")


def test_access_log_rows_become_audit_entries(cast, council_a) -> None:
    with in_council(council_a):
        old_apps = (
            MigrationExecutor(connection)
            .loader.project_state(
                [("caseload", "0004_action_kind_reminder"), ("audit", "0001_initial")]
            )
            .apps
        )
        AccessLog = old_apps.get_model("caseload", "AccessLog")
        with connection.schema_editor() as editor:
            editor.create_model(AccessLog)
        case = make_case(cast.owner)
        when = timezone.now() - timedelta(days=30)
        rows = [
            ("view", cast.staff.pk, cast.staff.email),
            ("history", cast.owner.pk, cast.owner.email),
            ("attachment", cast.owner.pk, cast.owner.email),
            ("edit", cast.ward_colleague.pk, cast.ward_colleague.email),  # a refused write
            ("view", None, "gone@a.gov.uk"),  # a user since removed
        ]
        for i, (what, user_id, email) in enumerate(rows):
            AccessLog.objects.create(
                user_id=user_id,
                user_email=email,
                case_id=case.pk,
                case_reference=case.reference,
                what=what,
                at=when + timedelta(minutes=i),
            )
        before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

        migration.copy_access_log(old_apps, None)

        copied = list(AuditEntry.objects.filter(pk__gt=before).order_by("at", "id"))
        assert [(e.action, e.actor_id, e.actor_email) for e in copied] == [
            ("case_viewed", cast.staff.pk, cast.staff.email),
            ("case_history_viewed", cast.owner.pk, cast.owner.email),
            ("attachment_downloaded", cast.owner.pk, cast.owner.email),
            ("case_viewed", cast.ward_colleague.pk, cast.ward_colleague.email),
            ("case_viewed", None, "gone@a.gov.uk"),
        ]
        for i, entry in enumerate(copied):
            assert entry.at == when + timedelta(minutes=i)  # when it happened, not today
            assert entry.case_ids == [case.pk] and entry.case_references == [case.reference]
            assert entry.constituent_ids == [case.constituent_id]
            assert entry.detail["migrated_from"] == "access_log"
        assert copied[0].actor_name == cast.staff.name and copied[0].actor_role == "staff"
        # The old "edit" row never meant a change happened: it is a read to change.
        assert copied[3].detail["to_change"] is True and "Viewed a case" in copied[3].summary
        assert copied[4].actor_name == ""
        # And the case's "who read this" API now reads these entries.
        from caseload.selectors import access_log_for_case

        listed = list(access_log_for_case(user=cast.owner, case_id=case.pk))
        assert {e.pk for e in copied} <= {e.pk for e in listed}


def test_the_access_log_table_is_gone(council_a) -> None:
    with in_council(council_a), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('caseload_accesslog')")
        assert cursor.fetchone()[0] is None
