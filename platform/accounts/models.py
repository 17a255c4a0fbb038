from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower

from core.tenancy import in_public_schema


class UserManager(BaseUserManager["User"]):
    """Kept minimal on purpose: users are made by accounts.services.user_create."""

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        from accounts.services import user_create

        return user_create(email=email, password=password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        from accounts.services import user_create

        role = User.Role.CENTRAL if in_public_schema() else User.Role.ADMIN
        return user_create(email=email, password=password, role=role, is_superuser=True)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. The table exists in every council's schema and in public.

    A council's users live in that council's schema, so they exist nowhere else; the central
    body's staff live in the public schema and are the only users of the platform site.
    """

    class Role(models.TextChoices):
        COUNCILLOR = "councillor", "Councillor"
        STAFF = "staff", "Members' Services staff"
        ADMIN = "admin", "Council administrator"
        CENTRAL = "central", "Central body staff"

    email = models.EmailField(max_length=254, unique=True)  # stored lower-cased
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=Role.choices)
    ward = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["name"]

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="user_email_lower"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["councillor", "staff", "admin", "central"]),
                name="user_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_staff(self) -> bool:  # Django admin's gate
        return self.role in (self.Role.ADMIN, self.Role.CENTRAL)

    @property
    def is_councillor(self) -> bool:
        return self.role == self.Role.COUNCILLOR

    @property
    def is_central(self) -> bool:
        return self.role == self.Role.CENTRAL


class LoginEvent(models.Model):
    """One sign-in (web session or new API token). `last_login` keeps only the latest, and
    adoption figures need how often people sign in (logins per councillor per week)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_events")
    at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} signed in at {self.at:%Y-%m-%d %H:%M}"
