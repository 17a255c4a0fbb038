"""Cases: references, statuses and outcomes, history, sharing, search, access log."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from caseload.models import Action, Case, CaseSequence, Constituent
from caseload.references import reference_prefix_for_slug
from caseload.selectors import (
    CaseFilters,
    case_get_for_user,
    case_list_for_user,
    case_rows_for_user,
)
from caseload.services import (
    action_add,
    case_change_status,
    case_close,
    case_open,
    case_reopen,
    case_set_sharing,
    case_update,
    caseload_settings_update,
    constituent_update,
)
from core.errors import NotFound, PermissionDenied, StateError, ValidationFailed
from reminders.selectors import dashboard_due_items
from tests.caseload.conftest import make_case, make_constituent
from tests.conftest import in_council


def test_reference_prefix_from_slug() -> None:
    assert reference_prefix_for_slug("fife") == "FIFE"
    assert reference_prefix_for_slug("inverclyde") == "INVERCLYDE"
    assert reference_prefix_for_slug("north-lanarkshire") == "NL"
    assert reference_prefix_for_slug("dumfries-and-galloway") == "DG"
    assert reference_prefix_for_slug("east-dunbartonshire") == "ED"


@pytest.mark.django_db
def test_references_count_per_year_and_restart(cast, council_a) -> None:
    with in_council(council_a):
        caseload_settings_update(actor=cast.admin, reference_prefix="fife")
        first = make_case(cast.owner)
        second = make_case(cast.owner)
        year = timezone.localdate().year
        assert first.reference == f"FIFE-{year}-00001"
        assert second.reference == f"FIFE-{year}-00002"
        last_year = timezone.make_aware(datetime(year - 1, 6, 1, 10, 0))
        old = make_case(cast.owner, opened_at=last_year)
        assert old.reference == f"FIFE-{year - 1}-00001"
        assert make_case(cast.owner).reference == f"FIFE-{year}-00003"


@pytest.mark.django_db
def test_failed_opening_leaves_no_gap(cast, council_a) -> None:
    with in_council(council_a):
        constituent = make_constituent(cast.owner)
        make_case(cast.owner, constituent=constituent)
        with pytest.raises(ValidationFailed):
            case_open(actor=cast.owner, constituent=constituent, title="", priority="normal")
        assert make_case(cast.owner, constituent=constituent).number == 2


def test_references_are_gap_free_under_concurrency(councils, django_db_blocker) -> None:
    """Eight threads open cases at once, on committed data: numbers 1..N, no gap, no dup."""
    from accounts.services import user_create

    council = councils["a"]
    threads, per_thread = 8, 5
    errors: list[Exception] = []
    with django_db_blocker.unblock(), schema_context(council.schema_name):
        owner = user_create(email="concurrency@a.gov.uk", role="councillor", ward="North")
        constituent = Constituent.objects.create(owner=owner, created_by=owner, name="Race Person")
        year = timezone.localdate().year
        CaseSequence.objects.filter(year=year).delete()
    barrier = threading.Barrier(threads)

    def work() -> None:
        try:
            with django_db_blocker.unblock(), schema_context(council.schema_name):
                barrier.wait()
                for _ in range(per_thread):
                    case_open(actor=owner, constituent=constituent, title="Race")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    try:
        for t in pool:
            t.start()
        for t in pool:
            t.join(60)
        with django_db_blocker.unblock(), schema_context(council.schema_name):
            numbers = sorted(
                Case.objects.filter(constituent=constituent).values_list("number", flat=True)
            )
    finally:
        with django_db_blocker.unblock(), schema_context(council.schema_name):
            Action.objects.filter(case__constituent=constituent).delete()
            Case.objects.filter(constituent=constituent).delete()
            constituent.delete()
            CaseSequence.objects.filter(year=year).delete()
            from caseload.models import CaseloadSettings

            CaseloadSettings.objects.all().delete()
            owner.delete()
    assert errors == []
    assert numbers == list(range(1, threads * per_thread + 1))


@pytest.mark.django_db
def test_status_flow_close_with_outcome_and_reopen(cast, council_a) -> None:
    with in_council(council_a):
        case = make_case(cast.owner)
        case = case_change_status(actor=cast.owner, case=case, status="awaiting_reply")
        case = case_change_status(actor=cast.staff, case=case, status="reply_received")
        with pytest.raises(ValidationFailed):
            case_close(actor=cast.owner, case=case, outcome="fixed-ish")
        case = case_close(actor=cast.owner, case=case, outcome="not_council_business", note="DWP")
        assert (case.status, case.outcome) == ("closed", "not_council_business")
        assert case.closed_at is not None
        with pytest.raises(StateError):
            case_change_status(actor=cast.owner, case=case, status="awaiting_reply")
        with pytest.raises(StateError):
            case_close(actor=cast.owner, case=case, outcome="resolved")
        case = case_reopen(actor=cast.owner, case=case, note="Came back")
        assert (case.status, case.outcome, case.closed_at) == ("reopened", "", None)
        kinds = list(
            Action.objects.filter(case=case).order_by("id").values_list("kind", "data__to")
        )
        assert kinds == [
            ("status_change", "open"),
            ("status_change", "awaiting_reply"),
            ("status_change", "reply_received"),
            ("status_change", "closed"),
            ("status_change", "reopened"),
        ]
        staff_action = Action.objects.get(case=case, data__to="reply_received")
        assert staff_action.author == cast.staff
        assert staff_action.on_behalf_of == cast.owner


@pytest.mark.django_db
def test_every_edit_is_an_action(cast, council_a) -> None:
    with in_council(council_a):
        case = make_case(cast.owner, category=cast.housing)
        before = Action.objects.filter(case=case).count()
        case = case_update(actor=cast.owner, case=case, title="New title", category=cast.roads)
        case_update(actor=cast.owner, case=case, title="New title")  # no change, no action
        update = Action.objects.filter(case=case, kind="update").get()
        assert set(update.data["changes"]) == {"title", "category"}
        assert "Housing → Roads" in update.text
        action_add(actor=cast.owner, case=case, kind="letter", text="Wrote", time_spent_minutes=20)
        assert Action.objects.filter(case=case).count() == before + 2
        with pytest.raises(ValidationFailed):
            action_add(actor=cast.owner, case=case, kind="status_change", text="sneaky")
        with pytest.raises(ValidationFailed):
            action_add(actor=cast.owner, case=case, kind="note", text="x", time_spent_minutes=0)


def test_history_has_no_edit_or_delete_service() -> None:
    import caseload.services as services

    names = set(services.__all__)
    # Only ways to add history: by hand, and the reminders app's record of BF changes.
    assert {n for n in names if n.startswith("action_")} == {"action_add", "action_record_reminder"}
    assert {n for n in names if any(w in n for w in ("edit", "delete", "remove"))} == {
        "holiday_remove"
    }


@pytest.mark.django_db
def test_shared_colleague_reads_but_cannot_change(cast, council_a) -> None:
    with in_council(council_a):
        case = make_case(cast.owner)
        with pytest.raises(NotFound):
            case_get_for_user(user=cast.ward_colleague, case_id=case.pk)
        case_set_sharing(actor=cast.owner, case=case, sharing="ward")
        assert case_get_for_user(user=cast.ward_colleague, case_id=case.pk).pk == case.pk
        with pytest.raises(NotFound):  # other ward
            case_get_for_user(user=cast.other_councillor, case_id=case.pk)
        with pytest.raises(PermissionDenied):
            action_add(actor=cast.ward_colleague, case=case, kind="note", text="hi")
        case_set_sharing(
            actor=cast.owner, case=case, sharing="named", user_ids=[cast.other_councillor.pk]
        )
        assert case_get_for_user(user=cast.other_councillor, case_id=case.pk)
        with pytest.raises(NotFound):
            case_get_for_user(user=cast.ward_colleague, case_id=case.pk)
        with pytest.raises(ValidationFailed):  # staff are not councillors
            case_set_sharing(actor=cast.owner, case=case, sharing="named", user_ids=[cast.staff.pk])
        with pytest.raises(NotFound):
            case_get_for_user(user=cast.admin, case_id=case.pk)


@pytest.mark.django_db
def test_every_case_read_is_logged(cast, council_a) -> None:
    with in_council(council_a):
        case = make_case(cast.owner)
        case_get_for_user(user=cast.staff, case_id=case.pk)
        case_get_for_user(user=cast.owner, case_id=case.pk, what="case_history_viewed")
        with pytest.raises(NotFound):
            case_get_for_user(user=cast.other_councillor, case_id=case.pk)
        log = list(
            AuditEntry.objects.filter(case_ids__contains=[case.pk])
            .order_by("id")
            .values_list("actor_email", "action", "on_behalf_of_id")
        )
        # Staff read for the councillor who owns the case; the refused read left nothing.
        assert log == [
            (cast.staff.email, "case_viewed", cast.owner.pk),
            (cast.owner.email, "case_history_viewed", None),
        ]


@pytest.mark.django_db
def test_search_covers_title_description_actions_and_name(cast, council_a) -> None:
    with in_council(council_a):
        damp = make_case(
            cast.owner,
            constituent=make_constituent(cast.owner, name="Morag Henderson"),
            title="Damp in bedroom",
            description="Black mould behind the wardrobe",
            category=cast.housing,
        )
        bins = make_case(cast.owner, title="Missed bin collection", category=cast.roads)
        action_add(actor=cast.owner, case=bins, kind="call", text="Caller mentioned fly-tipping")
        closed = make_case(cast.owner, title="Mould again in the flat")
        case_close(actor=cast.owner, case=closed, outcome="resolved")

        def ids(**kw):
            return [c.pk for c in case_list_for_user(user=cast.owner, filters=CaseFilters(**kw))]

        assert ids(q="mould") == [damp.pk, closed.pk] or set(ids(q="mould")) == {
            damp.pk,
            closed.pk,
        }
        assert ids(q="henders") == [damp.pk]  # prefix match on the constituent's name
        assert ids(q="fly tipping") == [bins.pk]  # action text
        assert ids(q="mould", statuses=["closed"]) == [closed.pk]
        assert ids(q="mould", category_ids=[cast.housing.pk]) == [damp.pk]
        assert ids(q=damp.reference) == [damp.pk]
        assert ids(q="!!!") == []
        assert ids(q="mould", open_only=True) == [damp.pk]
        # Title words rank above description words.
        ranked = list(case_list_for_user(user=cast.owner, filters=CaseFilters(q="mould")))
        assert ranked[0].pk == closed.pk and ranked[0].rank > ranked[1].rank
        assert ids(q="mould", owner_ids=[cast.ward_colleague.pk]) == []
        assert (
            case_list_for_user(user=cast.other_councillor, filters=CaseFilters(q="mould")).count()
            == 0
        )


@pytest.mark.django_db
def test_search_page_rows_are_fetched_for_readable_cases_only(cast, council_a) -> None:
    with in_council(council_a):
        mine = make_case(cast.owner, title="Blocked drain")
        theirs = make_case(cast.other_councillor, title="Blocked drain too")
        hits = list(
            case_list_for_user(user=cast.owner, filters=CaseFilters(q="drain")).values("pk", "rank")
        )
        assert [hit["pk"] for hit in hits] == [mine.pk]
        rows = case_rows_for_user(
            user=cast.owner,
            case_ids=[mine.pk, theirs.pk],
            columns=("id", "title", "constituent__name"),
        )
        assert set(rows) == {mine.pk}
        assert rows[mine.pk]["constituent__name"] == mine.constituent.name
        assert case_rows_for_user(user=cast.owner, case_ids=[], columns=("id",)) == {}


@pytest.mark.django_db
def test_constituent_rename_updates_search(cast, council_a) -> None:
    with in_council(council_a):
        constituent = make_constituent(cast.owner, name="Jean Brodie")
        case = make_case(cast.owner, constituent=constituent)
        constituent_update(actor=cast.owner, constituent=constituent, name="Jean Lloyd")
        found = case_list_for_user(user=cast.owner, filters=CaseFilters(q="lloyd"))
        assert [c.pk for c in found] == [case.pk]


@pytest.mark.django_db
def test_dashboard_due_items_lists_referrals_past_target(cast, council_a) -> None:
    from datetime import timedelta

    from caseload.services import referral_create
    from tests.caseload.conftest import make_officer

    with in_council(council_a):
        case = make_case(cast.owner)
        officer = make_officer(cast.admin)
        referral = referral_create(actor=cast.owner, case=case, officer=officer, working_days=5)
        assert dashboard_due_items(user=cast.owner).referrals_past_target == []
        later = referral.target_date + timedelta(days=1)
        due = dashboard_due_items(user=cast.owner, today=later)
        assert [r.pk for r in due.referrals_past_target] == [referral.pk]
        assert dashboard_due_items(user=cast.staff, today=later).count == 1
        assert dashboard_due_items(user=cast.ward_colleague, today=later).count == 0


@pytest.mark.django_db
def test_read_only_licence_blocks_writes(cast, council_a) -> None:
    billing = pytest.importorskip("billing.services")
    if not hasattr(billing, "licence_assert_writable"):
        pytest.skip("billing has no read-only guard yet")
    from billing.models import Licence

    with in_council(council_a):
        case = make_case(cast.owner)
    Licence.objects.filter(council=council_a).update(state="lapsed")
    with in_council(council_a), pytest.raises(Exception) as caught:
        action_add(actor=cast.owner, case=case, kind="note", text="blocked")
    assert getattr(caught.value, "status_code", None) in (402, 403, 409, 422, 423)
    with in_council(council_a):
        assert case_get_for_user(user=cast.owner, case_id=case.pk)  # reads still work


@pytest.mark.django_db
def test_nothing_half_saved_when_open_fails(cast, council_a) -> None:
    from caseload.services import case_open_with_constituent

    with in_council(council_a):
        before = Constituent.objects.count()
        with pytest.raises(ValidationFailed), transaction.atomic():
            case_open_with_constituent(
                actor=cast.owner,
                constituent_fields={"name": "Half Saved", "postcode": "KY1 1AA"},
                title="",
            )
        assert Constituent.objects.count() == before
