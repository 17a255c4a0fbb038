"""The audit log: append-only in the database, kept for the configured period, readable by
filters, and never lost with the user or case it names."""

from __future__ import annotations

import importlib
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditAction, AuditEntry
from audit.selectors import AuditFilters, audit_entries_matching
from audit.services import audit_purge, audit_record
from caseload.models import Case
from core.errors import ValidationFailed
from tests.caseload.conftest import make_case
from tests.conftest import in_council

pytestmark = pytest.mark.django_db


def _entry(**fields) -> AuditEntry:
    return audit_record(action=AuditAction.CASE_VIEWED, actor=None, **fields)


def _refused(sql: str, params: list | None = None) -> str:
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params or [])
    return str(excinfo.value)


@pytest.mark.parametrize("schema", ["council", "public"])
def test_the_database_refuses_update_delete_and_truncate(council_a, schema) -> None:
    with schema_context(council_a.schema_name if schema == "council" else "public"):
        entry = _entry(summary="Viewed FIFE-2026-00001", case_ids=[1])
        assert "append-only: UPDATE refused" in _refused(
            "UPDATE audit_auditentry SET summary = 'nothing to see' WHERE id = %s", [entry.pk]
        )
        assert "append-only: DELETE refused" in _refused(
            "DELETE FROM audit_auditentry WHERE id = %s", [entry.pk]
        )
        assert "append-only: TRUNCATE refused" in _refused("TRUNCATE audit_auditentry")
        # Through the ORM too: save() of an existing row is an UPDATE, delete() a DELETE.
        entry.summary = "changed"
        with pytest.raises(IntegrityError), transaction.atomic():
            entry.save()
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
        assert AuditEntry.objects.get(pk=entry.pk).summary == "Viewed FIFE-2026-00001"


def test_an_old_entry_is_refused_without_the_purge_announcement(council_a) -> None:
    with in_council(council_a):
        old = _entry(at=timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS + 30))
        assert "DELETE refused" in _refused("DELETE FROM audit_auditentry WHERE id = %s", [old.pk])


def test_the_purge_cannot_reach_below_the_floor(council_a) -> None:
    """Even a transaction announcing a cut-off in the future cannot remove a young entry."""
    with in_council(council_a):
        young = _entry(at=timezone.now() - timedelta(days=settings.AUDIT_RETENTION_FLOOR_DAYS - 1))
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
            c.execute("SELECT set_config('audit.purge_before', '2999-01-01', true)")
            c.execute("DELETE FROM audit_auditentry WHERE id = %s", [young.pk])
        assert AuditEntry.objects.filter(pk=young.pk).exists()


def test_the_floor_in_the_database_matches_the_setting() -> None:
    migration = importlib.import_module("audit.migrations.0001_initial")
    assert f"interval '{settings.AUDIT_RETENTION_FLOOR_DAYS} days'" in migration.GUARD_FUNCTION


def test_purge_removes_only_entries_past_the_retention_period_and_records_itself(
    council_a, council_b
) -> None:
    now = timezone.now()
    retention = timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with in_council(council_a):
        expired = _entry(at=now - retention - timedelta(days=1))
        kept = _entry(at=now - retention + timedelta(days=1))
    with in_council(council_b):
        other = _entry(at=now - retention - timedelta(days=1))
    with in_council(council_a):
        assert audit_purge() == 1
        left = set(AuditEntry.objects.values_list("pk", flat=True))
        assert expired.pk not in left and kept.pk in left
        record = AuditEntry.objects.get(action=AuditAction.AUDIT_PURGED)
        assert record.detail["removed"] == 1
        assert audit_purge() == 0  # idempotent: nothing more to remove, nothing recorded
        assert AuditEntry.objects.filter(action=AuditAction.AUDIT_PURGED).count() == 1
        # The announcement ended with the purge: an ordinary DELETE is refused again.
        assert "DELETE refused" in _refused("DELETE FROM audit_auditentry WHERE id = %s", [kept.pk])
    with in_council(council_b):
        assert AuditEntry.objects.filter(pk=other.pk).exists()  # another council's log


def test_entries_outlive_the_user_and_case_they_name(council_a, make_user) -> None:
    councillor = make_user(council_a, role="councillor", name="Cllr Ada Brown")
    with in_council(council_a):
        case = make_case(councillor)
        entry = audit_record(
            action=AuditAction.CASE_VIEWED,
            actor=councillor,
            case_ids=[case.pk],
            case_references=[case.reference],
            constituent_ids=[case.constituent_id],
        )
        reference, case_pk = case.reference, case.pk
        Case.objects.filter(pk=case_pk).delete()
        entry.refresh_from_db()
        assert entry.case_ids == [case_pk] and entry.case_references == [reference]
        assert entry.actor_name == "Cllr Ada Brown" and entry.actor_role == "councillor"
        found = audit_entries_matching(filters=AuditFilters(case=reference.lower()))
        assert list(found) == [entry]


def test_filters_by_person_case_constituent_date_and_kind(council_a, make_user) -> None:
    alice = make_user(council_a, role="councillor", name="Alice")
    bob = make_user(council_a, role="staff", name="Bob")
    with in_council(council_a):
        yesterday = timezone.now() - timedelta(days=1)
        a = audit_record(
            action=AuditAction.CASES_LISTED, actor=alice, case_ids=[1, 2, 3], at=yesterday
        )
        b = audit_record(
            action=AuditAction.CASE_VIEWED, actor=bob, case_ids=[2], constituent_ids=[9]
        )
        c = audit_record(action=AuditAction.ROLE_CHANGED, actor=bob, subject=alice)

        made = {a.pk, b.pk, c.pk}

        def ids(**filters) -> list[int]:
            # Only this test's three entries: adding Alice and Bob wrote entries too, and
            # other tests' committed ones may be in the log.
            found = audit_entries_matching(filters=AuditFilters(**filters))
            return [e.pk for e in found if e.pk in made]

        assert ids(person_id=alice.pk) == [c.pk, a.pk]  # as actor and as the one acted upon
        assert ids(case="2") == [b.pk, a.pk]  # the list page that showed it counts
        assert ids(constituent_id=9) == [b.pk]
        today = timezone.localdate()
        assert ids(date_from=today) == [c.pk, b.pk]
        assert ids(date_to=today - timedelta(days=1)) == [a.pk]
        assert ids(actions=[AuditAction.ROLE_CHANGED]) == [c.pk]
        with pytest.raises(ValidationFailed):
            ids(case="smith")
        with pytest.raises(ValidationFailed):
            ids(date_from=date(2026, 2, 1), date_to=date(2026, 1, 1))
        with pytest.raises(ValidationFailed):
            ids(actions=["made_up"])


def test_unknown_actions_are_a_programming_error(council_a) -> None:
    with in_council(council_a), pytest.raises(ValueError, match="Unknown audit action"):
        audit_record(action="coffee_made", actor=None)
