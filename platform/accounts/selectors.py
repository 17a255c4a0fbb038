from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db.models import Max, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts.models import SignInPolicy, User
from core.errors import NotFound, PermissionDenied
from core.links import council_url
from core.tenancy import in_public_schema


def user_list_councillors() -> QuerySet[User]:
    return User.objects.filter(role=User.Role.COUNCILLOR, is_active=True)


def user_count_councillors() -> int:
    return user_list_councillors().count()


def is_council_admin(user: Any) -> bool:
    """An active admin of the council whose schema the connection is in (never on the
    platform site, whose users are central staff). The one check of who administers a
    council: pages, both APIs and services all ask it. Anyone else (an anonymous visitor
    too) is not."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and bool(user.is_active)
        and getattr(user, "role", None) == User.Role.ADMIN
        and not in_public_schema()
    )


def member_list_for_admin(*, user: User) -> QuerySet[User]:
    """Everyone who can (or could) sign in to this council, for its admins only."""
    if not is_council_admin(user):
        raise PermissionDenied("Only the council's admins can manage its users.")
    return User.objects.exclude(role=User.Role.CENTRAL).order_by("role", "name", "id")


def member_get_for_admin(*, user: User, user_id: int) -> User:
    """One of this council's users, active or not, for its admins: PermissionDenied for
    anyone else (before any lookup), NotFound for an unknown id."""
    member = member_list_for_admin(user=user).filter(pk=user_id).first()
    if member is None:
        raise NotFound(f"No user with id {user_id}.")
    return member


def deactivated_user_for_credentials(*, email: str, password: str) -> User | None:
    """The deactivated account these credentials open, if the password is right: then (and
    only then) the sign-in may say the account is deactivated. Without the right password
    nobody learns the account exists: the hasher runs either way, so the answer takes as long
    for an unknown email as for a known one."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=False).first()
    if user is None:
        User().set_password(password)  # the same hashing cost as a real check
        return None
    return user if user.check_password(password) else None


def deactivated_account_message() -> str:
    """What a deactivated user is told once their password is verified: whom to ask."""
    if in_public_schema():
        return (
            "Your account has been deactivated, so you cannot sign in. Ask another member of "
            "the central body's staff to reactivate it."
        )
    admins = User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("name", "id")
    names = [f"{a.name} ({a.email})" for a in admins[:5]]
    who = (
        "your council's administrators: " + ", ".join(names)
        if names
        else "your council's Members' Services team"
    )
    return (
        "Your account has been deactivated, so you cannot sign in. If you still need it "
        f"(for example after an election), ask {who}."
    )


# --- Sign-in security ----------------------------------------------------------------------
# Council admins and central staff always sign in with a second factor.
ALWAYS_TWO_FACTOR: frozenset[str] = frozenset({User.Role.ADMIN, User.Role.CENTRAL})


def sign_in_policy_get() -> SignInPolicy:
    """This schema's policy (a default one, unsaved, until an admin changes it)."""
    return SignInPolicy.objects.filter(pk=1).first() or SignInPolicy(pk=1)


def two_factor_required(user: User) -> bool:
    """Must this user have a second factor? Always for admins and central staff; for
    everyone when the council's admin has made it mandatory."""
    if user.role in ALWAYS_TWO_FACTOR:
        return True
    return sign_in_policy_get().require_two_factor


def totp_device_get(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def has_second_factor(user: User) -> bool:
    """Whether the user has enrolled an authenticator app (recovery codes come with it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class LockoutStatus:
    locked: bool
    failures: int
    limit: int
    until: datetime | None


def lockout_status(*, email: str) -> LockoutStatus:
    """Failed sign-ins recorded against this account (from any address) within the
    cool-off period, and whether they lock it."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    totals = AccessAttempt.objects.filter(
        username=email.strip().lower(), attempt_time__gte=since
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    failures = int(totals["failures"] or 0)
    limit = int(settings.AXES_FAILURE_LIMIT)
    locked = failures >= limit
    until = totals["last"] + settings.AXES_COOLOFF_TIME if locked and totals["last"] else None
    return LockoutStatus(locked=locked, failures=failures, limit=limit, until=until)


def api_tokens_live(user: User) -> int:
    now = timezone.now()
    return AuthToken.objects.filter(user=user).exclude(expiry__lt=now).count()


def set_password_url(*, user: User, council_slug: str) -> str:
    """The link with which `user` (invited without a password) chooses one, on their
    council's own host, where their account lives. It works once, for PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "accounts:set-password",
        urlconf=settings.ROOT_URLCONF,
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return council_url(slug=council_slug, path=path)


# --- Figures for the central body's comparison (numbers only) ---------------------------------
def councillor_joined_dates() -> list[date]:
    """The local date each active councillor's account was made (councillors per month)."""
    return [
        timezone.localtime(created).date()
        for created in user_list_councillors().values_list("created_at", flat=True)
    ]


def user_count_active() -> int:
    return User.objects.filter(is_active=True).count()


def last_login_at() -> datetime | None:
    return User.objects.aggregate(last=Max("last_login"))["last"]
