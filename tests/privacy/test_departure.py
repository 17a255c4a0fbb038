"""A councillor's departure: every case handed over, closed or exported; afterwards no case
is readable by no one, no constituent record or BF is orphaned."""

from __future__ import annotations

import pytest

from caseload.models import Case, Constituent
from caseload.selectors import case_get_for_user
from caseload.services import case_open, constituent_create, member_deactivate
from core.errors import PermissionDenied, ValidationFailed
from mailer.models import OutboundEmail
from privacy.models import AnonymisedCase
from privacy.services import departure, legal_hold_place
from privacy.services.departure import CLOSE, EXPORT, HANDOVER, Decision
from reminders.models import BF
from tests.conftest import in_council
from tests.privacy.test_retention import _closed_case

pytestmark = pytest.mark.django_db


def _open_case(cast, name: str) -> Case:
    person = constituent_create(actor=cast.owner, name=name, allow_duplicate=True)
    case = case_open(
        actor=cast.owner,
        constituent=person,
        title=f"{name}'s pothole",
        ward=cast.north,
        category=cast.roads,
    )
    BF.objects.create(case=case, due_date=case.opened_at.date(), reason="Chase", owner=cast.staff)
    return case


def _orphans(councillor) -> dict[str, list[int]]:
    return {
        "cases": departure.nobody_can_read(),
        "constituents": list(
            Constituent.objects.filter(owner=councillor)
            .exclude(name="[anonymised]")
            .values_list("pk", flat=True)
        ),
        "bfs": list(
            BF.objects.filter(done=False, owner__is_active=False).values_list("pk", flat=True)
        ),
    }


def test_each_case_gets_its_outcome_and_nothing_is_orphaned(cast, council_a):
    with in_council(council_a):
        keep = _open_case(cast, "Isla Keep")
        close = _open_case(cast, "Jock Close")
        export = _closed_case(cast)  # closed long ago, with an attachment
        old = _closed_case(cast, name="Old Handed")
        result = departure.councillor_departure(
            actor=cast.admin,
            councillor=cast.owner,
            decisions=[
                Decision(keep.pk, HANDOVER, cast.ward_colleague, consent_recorded=True),
                Decision(old.pk, HANDOVER, cast.ward_colleague, consent_recorded=True),
                Decision(close.pk, CLOSE),
                Decision(export.pk, EXPORT),
            ],
        )
        assert (result.handed_over, result.closed, result.exported, result.anonymised) == (
            2,
            1,
            1,
            2,
        )
        member_deactivate(actor=cast.admin, user=cast.owner)
        # The colleague reads the handed-over cases (open and closed) and their people.
        for case in (keep, old):
            seen = case_get_for_user(user=cast.ward_colleague, case_id=case.pk)
            assert seen.owner_id == cast.ward_colleague.pk
            assert Constituent.objects.get(pk=case.constituent_id).owner_id == (
                cast.ward_colleague.pk
            )
        assert set(BF.objects.filter(case=keep, done=False).values_list("owner_id", flat=True)) == {
            cast.ward_colleague.pk
        }
        assert AnonymisedCase.objects.filter(case_id__in=[close.pk, export.pk]).count() == 2
        close.refresh_from_db()
        assert close.status == "closed" and close.title == "[anonymised]"
        mail = OutboundEmail.objects.get(kind="departure_export")
        assert mail.to == [cast.owner.email] and mail.attachments.count() == 1
        assert _orphans(cast.owner) == {"cases": [], "constituents": [], "bfs": []}


def test_rules_of_a_handover(cast, council_a):
    with in_council(council_a):
        case = _open_case(cast, "Rule Person")
        held = _closed_case(cast, name="Held Person")
        legal_hold_place(actor=cast.admin, case=held, reason="Complaint")
        for decisions in (
            [Decision(case.pk, HANDOVER, cast.ward_colleague)],  # no consent recorded
            [Decision(case.pk, HANDOVER, cast.other_councillor, consent_recorded=True)],
            [Decision(held.pk, CLOSE)],
            [Decision(case.pk, "delete")],
        ):
            with pytest.raises(ValidationFailed):
                departure.councillor_departure(
                    actor=cast.admin, councillor=cast.owner, decisions=decisions
                )
        with pytest.raises(PermissionDenied):
            departure.councillor_departure(
                actor=cast.staff,
                councillor=cast.owner,
                decisions=[Decision(case.pk, CLOSE)],
            )
        case.refresh_from_db()
        assert case.owner_id == cast.owner.pk and case.status == "open"


def test_a_whole_ward_after_an_election(cast, council_a, make_user):
    with in_council(council_a):
        first = _open_case(cast, "Ward One")
        second = case_open(
            actor=cast.ward_colleague,
            constituent=constituent_create(
                actor=cast.ward_colleague, name="Ward Two", allow_duplicate=True
            ),
            title="Bins",
            ward=cast.north,
        )
    newcomer = make_user(council_a, role="councillor", ward="North", email="new@a.gov.uk")
    with in_council(council_a):
        total = departure.ward_departure(
            actor=cast.admin,
            councillors=[cast.owner, cast.ward_colleague],
            decision=HANDOVER,
            to_user=newcomer,
            consent_recorded=True,
        )
        assert total.handed_over == 2
        assert set(
            Case.objects.filter(pk__in=[first.pk, second.pk]).values_list("owner_id", flat=True)
        ) == {newcomer.pk}
