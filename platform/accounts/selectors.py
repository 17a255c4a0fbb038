from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User


def user_list_councillors() -> QuerySet[User]:
    return User.objects.filter(role=User.Role.COUNCILLOR, is_active=True)


def user_count_councillors() -> int:
    return user_list_councillors().count()
