"""Correspondence figures: merging a template, a .docx and a PDF letter, and filing one
forwarded email (parse, match, new case, attachment), each the median of several runs."""

from __future__ import annotations

import statistics
import time

from django.db import transaction
from django_tenants.utils import schema_context

from tests.bench.conftest import bench

RUNS = 7


class _Rollback(Exception):
    pass


def _timed(fn) -> float:
    """Median milliseconds of `fn` run inside a transaction that is rolled back."""
    samples = []
    for _ in range(RUNS):
        try:
            with transaction.atomic():
                start = time.perf_counter()
                fn()
                samples.append((time.perf_counter() - start) * 1000)
                raise _Rollback
        except _Rollback:
            pass
    return statistics.median(samples)


def test_correspondence(committed, settings, tmp_path) -> None:
    from accounts.services import user_create
    from caseload.services import case_open, constituent_create, delegation_propose
    from console.services import council_provision
    from correspondence.rendering.sandbox import render_checked
    from correspondence.selectors import merge_context
    from correspondence.services import correspondence_make_letter, inbound_receive
    from correspondence.shared.standard import STANDARD_TEMPLATES
    from tenants.models import Council
    from tests.correspondence.inbound_support import eml
    from tests.dkim_support import signed

    settings.INBOUND_EMAIL_DOMAIN = "inbound.localhost"
    settings.MEDIA_ROOT = str(tmp_path)
    council = (
        Council.objects.filter(slug="bench-corr").first()
        or council_provision(slug="bench-corr", name="Bench Correspondence", actor="bench").council
    )
    with schema_context(council.schema_name):
        owner = user_create(email="cllr@bench.example", role="councillor", name="Cllr Bench")
        user_create(email="admin@bench.example", role="admin", name="Admin")
        staff = user_create(email="staff@bench.example", role="staff", name="Staff")
        delegation_propose(actor=owner, staff=staff, councillor=owner)
        person = constituent_create(
            actor=owner, name="Jane Bench", email="jane@bench.example", address="1 Road"
        )
        case = case_open(actor=owner, constituent=person, title="Bench case")
        ack = STANDARD_TEMPLATES[0]
        context = merge_context(case=case, audience="constituent")
        bench(
            "template_merge_ms",
            _timed(
                lambda: render_checked(subject=ack["subject"], body=ack["body"], context=context)
            ),
            "ms",
        )
        for fmt in ("docx", "pdf"):
            correspondence_make_letter(actor=owner, key="outcome", case=case, fmt=fmt)  # warm
            bench(
                f"letter_{fmt}_ms",
                _timed(
                    lambda fmt=fmt: correspondence_make_letter(
                        actor=owner, key="outcome", case=case, fmt=fmt
                    )
                ),
                "ms",
            )
    # Signed after the edits, as the sending provider would: a message changed after
    # signing fails DKIM and waits in triage instead of opening a case.
    raw = eml(
        "gmail_forward", sign=False, forwarder="cllr@bench.example", constituent="new@bench.example"
    )
    raw = raw.replace(b"council-a@", b"bench-corr@")
    counter = iter(range(1000))

    def file_forward() -> None:
        unique = signed(raw.replace(b"CAH8c=Fwd0GmailXk2", f"bench-{next(counter)}".encode()))
        [result] = inbound_receive(raw=unique)
        assert result.status == "new_case", result

    bench("inbound_forward_to_new_case_ms", _timed(file_forward), "ms")
