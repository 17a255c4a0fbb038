"""The council's letterhead for generated letters: its name, address and contacts, and a
logo (PNG or JPEG, checked by its bytes and decoded before it is kept) placed top left,
centre or right."""

from __future__ import annotations

import io
import warnings
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import User
from caseload.selectors import user_keeps_directory
from caseload.services import assert_council_writable
from core.errors import PermissionDenied, ValidationFailed
from correspondence.models import CorrespondenceSettings

_LIMITS = {"letterhead_name": 200, "phone": 40, "website": 200, "footer": 300, "address": 1000}

LOGO_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG"}
# A letterhead logo is printed about 4 cm wide: beyond this it is a photograph, not a logo
# (and a decompression bomb is refused before it is decoded in full).
LOGO_MAX_PIXELS = 4000


def logo_max_bytes() -> int:
    return int(getattr(settings, "CORRESPONDENCE_LOGO_MAX_BYTES", 1024 * 1024))


def _size_text(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def _assert_keeper(actor: User) -> None:
    if not user_keeps_directory(actor):
        raise PermissionDenied(
            "Only Members' Services staff and administrators set the letterhead."
        )


@transaction.atomic
def letterhead_update(*, actor: User, **changes: Any) -> CorrespondenceSettings:
    """Members' Services and admins set the name, address and contacts printed on letters."""
    assert_council_writable()
    _assert_keeper(actor)
    unknown = set(changes) - {*_LIMITS, "email", "logo_position"}
    if unknown:
        raise ValidationFailed(f"Unknown letterhead fields: {', '.join(sorted(unknown))}.")
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for name, value in changes.items():
        value = (value or "").replace("\r\n", "\n").strip()
        if name == "logo_position":
            if value not in CorrespondenceSettings.LogoPosition.values:
                errors[name] = ["Choose top left, top centre or top right."]
        elif name == "email" and value:
            try:
                validate_email(value)
            except DjangoValidationError:
                errors[name] = [f"'{value}' is not a valid email address."]
        elif len(value) > _LIMITS.get(name, 254):
            errors[name] = [f"At most {_LIMITS[name]} characters."]
        clean[name] = value
    if errors:
        raise ValidationFailed("The letterhead has errors; see fields.", extra=errors)
    row, _ = CorrespondenceSettings.objects.select_for_update().get_or_create(pk=1)
    changed = [n for n, v in clean.items() if getattr(row, n) != v]
    for name in changed:
        setattr(row, name, clean[name])
    if changed:
        row.save(update_fields=[*changed, "updated_at"])
    return row


def letterhead_logo_check(*, content: bytes) -> tuple[str, int, int]:
    """(content type, width, height) of a logo upload, or ValidationFailed saying why not:
    too large, not a PNG or JPEG by its bytes (whatever its name says), or not an image
    that decodes."""
    from PIL import Image, UnidentifiedImageError

    limit = logo_max_bytes()
    if not content:
        raise ValidationFailed(
            "Choose a PNG or JPEG file for the logo.", extra={"logo": ["Choose a file."]}
        )
    if len(content) > limit:
        message = (
            f"The logo is {_size_text(len(content))}; the largest we accept is "
            f"{_size_text(limit)}. Save it smaller (a logo prints about 4 cm wide)."
        )
        raise ValidationFailed(message, extra={"logo": [message]})
    kind = filetype.guess(content[:8192])
    if kind is None or kind.mime not in LOGO_TYPES:
        found = f"a {kind.extension.upper()} file" if kind is not None else "not an image we know"
        message = f"The logo must be a PNG or JPEG image; this file is {found}."
        raise ValidationFailed(message, extra={"logo": [message]})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
                if max(width, height) > LOGO_MAX_PIXELS:
                    raise _TooBig(width, height)
                image.verify()  # reads the whole file: a truncated or corrupt one fails
    except _TooBig as exc:
        message = (
            f"The logo is {exc.width} x {exc.height} pixels; at most {LOGO_MAX_PIXELS} pixels "
            "on its longer side, please."
        )
        raise ValidationFailed(message, extra={"logo": [message]}) from None
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        message = "The logo file is damaged or incomplete; save it again as PNG or JPEG."
        raise ValidationFailed(message, extra={"logo": [message]}) from exc
    return str(kind.mime), width, height


class _TooBig(Exception):
    def __init__(self, width: int, height: int) -> None:
        super().__init__(f"{width}x{height}")
        self.width, self.height = width, height


@transaction.atomic
def letterhead_logo_set(
    *, actor: User, file: IO[bytes], position: str | None = None
) -> CorrespondenceSettings:
    """Put a logo on the council's letterhead (replacing any), optionally with where."""
    assert_council_writable()
    _assert_keeper(actor)
    content = file.read(logo_max_bytes() + 1)
    content_type, width, height = letterhead_logo_check(content=content)
    row, _ = CorrespondenceSettings.objects.select_for_update().get_or_create(pk=1)
    row.logo, row.logo_content_type = content, content_type
    row.logo_width, row.logo_height = width, height
    fields = ["logo", "logo_content_type", "logo_width", "logo_height", "updated_at"]
    if position:
        if position not in CorrespondenceSettings.LogoPosition.values:
            raise ValidationFailed(
                "Choose where the logo goes.",
                extra={"logo_position": ["Choose top left, top centre or top right."]},
            )
        row.logo_position = position
        fields.append("logo_position")
    row.save(update_fields=fields)
    return row


@transaction.atomic
def letterhead_logo_remove(*, actor: User) -> CorrespondenceSettings:
    """Letters go back to the letterhead without a logo. Idempotent."""
    assert_council_writable()
    _assert_keeper(actor)
    row, _ = CorrespondenceSettings.objects.select_for_update().get_or_create(pk=1)
    if row.logo_content_type:
        row.logo, row.logo_content_type, row.logo_width, row.logo_height = b"", "", 0, 0
        row.save(
            update_fields=["logo", "logo_content_type", "logo_width", "logo_height", "updated_at"]
        )
    return row
