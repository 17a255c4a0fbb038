"""A new council starts with the standard case categories (which its admins edit); councils
that already exist are left as they are."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from caseload.models import Category
from caseload.services import category_create, category_update
from console.categories import NEW_COUNCIL_CATEGORIES, category_code
from console.services import council_provision
from tests.conftest import in_council

pytestmark = pytest.mark.django_db


def test_standard_categories_each_map_to_a_platform_code() -> None:
    # So a new council's cases show in the comparison under their own heading from day one.
    assert [n for n in NEW_COUNCIL_CATEGORIES if category_code(n) == "other"] == ["Other"]
    assert len({n.lower() for n in NEW_COUNCIL_CATEGORIES}) == len(NEW_COUNCIL_CATEGORIES)


def test_a_new_council_starts_with_the_standard_categories_which_admins_edit() -> None:
    result = council_provision(
        slug="east-lothian",
        name="East Lothian Council",
        admin_email="admin@eastlothian.gov.uk",
        admin_password="A-long-passphrase-1",
    )
    with schema_context(result.council.schema_name):
        names = list(Category.objects.order_by("id").values_list("name", flat=True))
        assert names == list(NEW_COUNCIL_CATEGORIES)
        assert Category.objects.filter(is_active=True).count() == len(NEW_COUNCIL_CATEGORIES)
        admin = result.admin
        assert admin is not None
        lighting = Category.objects.get(name="Street lighting")
        category_update(actor=admin, category=lighting, name="Street lighting and signs")
        category_update(
            actor=admin, category=Category.objects.get(name="Education"), is_active=False
        )
        category_create(actor=admin, name="Cemeteries")
        assert Category.objects.filter(is_active=True).count() == len(NEW_COUNCIL_CATEGORIES)


def test_existing_councils_are_untouched(council_a) -> None:
    # council_a was made before (by the session fixture, without them); nothing adds them later.
    with in_council(council_a):
        assert not Category.objects.filter(name="Street lighting").exists()
