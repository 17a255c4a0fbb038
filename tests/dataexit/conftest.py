"""Data exit fixtures: caseload's cast (council A's people, an outsider in B), attachments
and archives in a temporary media folder, a second admin, and a council with some of
everything to export."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from caseload.models import Attachment, Case, Referral
from caseload.services import action_add, attachment_add, referral_create
from mailer.services import outbox_enqueue
from tests.caseload.conftest import (  # noqa: F401  (fixtures used by these tests)
    _fast_password_hasher,
    cast,
    make_case,
    make_constituent,
    make_officer,
    media_root,
)
from tests.conftest import in_council

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Seeded:
    case: Case
    other_case: Case
    attachment: Attachment
    referral: Referral
    second_admin: User


@pytest.fixture
def seeded(cast, council_a, make_user) -> Seeded:  # noqa: F811  (the imported fixture)
    second_admin = make_user(council_a, role="admin", email="admin2@a.gov.uk", name="Second Admin")
    with in_council(council_a):
        person = make_constituent(cast.owner, name="Agnes Example", postcode="KY1 1AA")
        case = make_case(
            cast.owner, person, title="Damp in the bedroom", category=cast.housing, ward=cast.north
        )
        other = make_case(cast.other_councillor, title="Pothole on the High Street")
        action_add(actor=cast.owner, case=case, kind="call", text="Rang Agnes; =1+2 damp")
        attachment = attachment_add(
            actor=cast.owner,
            case=case,
            file=SimpleUploadedFile("survey.pdf", PDF, content_type="application/pdf"),
        )
        officer = make_officer(cast.admin, name="Olive Officer", email="olive@council.gov.uk")
        referral = referral_create(actor=cast.owner, case=case, officer=officer, note="Please look")
        # An email carrying an officer-reply link: the link must never leave in an archive.
        outbox_enqueue(
            to=["olive@council.gov.uk"],
            subject="Referral",
            body_text="Reply here: http://a.localhost/officer-reply/abc.def-ghi/ thanks",
            case=case,
            kind="test",
        )
    return Seeded(case, other, attachment, referral, second_admin)
