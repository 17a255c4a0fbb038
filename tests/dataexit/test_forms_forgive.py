"""Forms that forgive: the data exit request sent twice (Back, then Submit) makes one
request and says it was already made, not "a request is already open"."""

from __future__ import annotations

import pytest

from dataexit.models import DataExit
from tests.caseload.forgive_support import OnceForm, sent_twice
from tests.caseload.pages_support import client_for

pytestmark = pytest.mark.django_db


def test_data_exit_request_sent_twice_makes_one(cast, council_a, seeded) -> None:
    form = OnceForm(
        page="/data-exit/",
        post="/data-exit/",
        data=lambda: {"reason": "Moving supplier"},
        count=lambda: DataExit.objects.count(),
        said="This request was already created: the data exit of ",
    )
    sent_twice(council_a, client_for(council_a, cast.admin), form)
