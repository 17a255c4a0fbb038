from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac

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
    # The council's data protection officer (granted by a council admin, to staff or an
    # admin): may search the council's audit log. Not a role: it adds to one.
    is_data_protection_officer = models.BooleanField(default=False)
    # Raised to end every session of the user at once (sign out everywhere, deactivation,
    # a second factor reset): it is part of the hash each session is checked against.
    session_generation = models.PositiveIntegerField(default=0)
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

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django checks every request's session against this hash (and against it under
        each SECRET_KEY_FALLBACKS key). Django's own covers the password, so a new password
        ends other sessions; ours adds `session_generation`. Generation 0 keeps Django's
        value, so sessions made before this field existed stay valid."""
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        return salted_hmac(
            "accounts.User.session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

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


class SignInPolicy(models.Model):
    """How this schema's users sign in: one row per council (and one in public, unused:
    central staff always need a second factor). Council admins and central staff always
    need one; `require_two_factor` extends that to everyone in the council."""

    require_two_factor = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # One row: the policy of the schema it lives in.
            models.CheckConstraint(condition=models.Q(id=1), name="signinpolicy_single_row"),
        ]

    def __str__(self) -> str:
        return "two-factor for everyone" if self.require_two_factor else "two-factor for admins"
