"""Sandboxed rendering: a template reaches its merge fields and nothing else."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import ValidationFailed
from correspondence.rendering.sandbox import render_checked, template_check
from correspondence.shared.standard import STANDARD_TEMPLATES


def refused(body: str) -> list[str]:
    with pytest.raises(ValidationFailed) as exc:
        template_check(subject="Subject", body=body)
    return exc.value.extra["body"]


def test_secret_key_is_refused_naming_the_field():
    assert refused("{{ settings.SECRET_KEY }}") == ["Unknown merge field 'settings.SECRET_KEY'."]


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("{{ case.title.upper() }}", "cannot call methods or functions: 'case.title.upper()'"),
        ("{{ case.owner.set_password('x') }}", "cannot call"),
        ("{{ constituent.name.__class__.__mro__ }}", "'constituent.name.__class__.__mro__'"),
        ("{{ case.items }}", "Unknown merge field 'case.items'"),
        ("{{ case }}", "'case' is a group of merge fields"),
        ("{{ case['reference'] }}", "not with brackets"),
        ("{{ lipsum() }}", "cannot call"),
        ("{{ range(10) }}", "cannot call"),
        ("{% for x in case %}{{ x }}{% endfor %}", "{% for %} is not allowed"),
        ("{% set x = case.title %}", "{% set %} is not allowed"),
        ("{% include 'base.html' %}", "{% include %} is not allowed"),
        ("{{ case.title|attr('upper') }}", "filter '|attr' is not allowed"),
        ("{{ case.title|format(1) }}", "filter '|format' is not allowed"),
        ("{{ dates.today|date('%s') }}", "date format '%s' is not allowed"),
        ("{{ request.user }}", "Unknown merge field 'request.user'"),
        ("{{ case.reference", "Line 1"),
    ],
)
def test_dangerous_or_unknown_constructs_are_refused(body, fragment):
    problems = refused(body)
    assert any(fragment in p for p in problems), problems


def test_every_unknown_field_is_reported_together():
    problems = refused("{{ case.colour }} and {{ officer.salary }}")
    assert problems == [
        "Unknown merge field 'case.colour'.",
        "Unknown merge field 'officer.salary'.",
    ]


def test_subject_is_checked_too():
    with pytest.raises(ValidationFailed) as exc:
        template_check(subject="{{ settings.DATABASES }}", body="Fine")
    assert exc.value.extra == {"subject": ["Unknown merge field 'settings.DATABASES'."]}


@pytest.mark.parametrize("spec", STANDARD_TEMPLATES, ids=lambda s: s["key"])
def test_standard_templates_pass_the_check(spec):
    checked = template_check(subject=spec["subject"], body=spec["body"])
    assert "case.reference" in checked.fields


def test_render_uses_only_plain_values_and_formats_dates():
    rendered = render_checked(
        subject="Re {{ case.reference }}",
        body=(
            "Dear {{ constituent.name|default('Sir or Madam') }},\n\n\n\n"
            "Due {{ referral.target_date }} ({{ referral.target_date|date('%A') }}).\n"
            "{% if constituent.consent_to_share %}Shared{% else %}Withheld{% endif %}"
            " {{ officer.name|upper }}"
        ),
        context={
            "case": {"reference": "FIFE-2026-00042"},
            "constituent": {"name": "", "consent_to_share": False},
            "referral": {"target_date": date(2026, 5, 5)},
            "officer": {"name": "Jo Bloggs"},
            # Anything outside the declared fields never reaches the template.
            "settings": {"SECRET_KEY": "leak"},
        },
    )
    assert rendered.subject == "Re FIFE-2026-00042"
    assert rendered.body == ("Dear Sir or Madam,\n\nDue 5 May 2026 (Tuesday).\nWithheld JO BLOGGS")
