"""factory_boy factories. They create through the services, so the rules apply in tests too."""

from __future__ import annotations

from typing import Any

import factory

from accounts.models import User
from accounts.services import user_create
from caseload.services import member_add

DEFAULT_PASSWORD = "Test-password-123"


class UserFactory(factory.Factory):
    """Creates a user in whatever schema the connection is in (use `in_council`)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.gov.uk")
    name = factory.Faker("name", locale="en_GB")
    role = User.Role.COUNCILLOR
    password = DEFAULT_PASSWORD
    ward = ""

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        if kwargs.get("role") == User.Role.CENTRAL:
            return user_create(**kwargs)
        # A council's users come in through caseload, with the licence's rules.
        return member_add(actor=None, **kwargs)
