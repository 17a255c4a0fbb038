"""Writes for the officer directory, and its CSV import (Members' Services staff and admins)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from caseload.models import (
    Category,
    Officer,
    Ward,
)
from caseload.normalise import normalise_email
from caseload.services.permissions import (
    assert_council_writable,
    require_directory_keeper,
)
from caseload.uploads import csv_column, csv_text
from core.errors import Conflict, ValidationFailed

_OFFICER_FIELDS = ("name", "job_title", "service", "email", "phone")


def _clean_officer(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out = {k: " ".join(str(data.get(k) or "").split()) for k in _OFFICER_FIELDS}
    out["email"] = normalise_email(out["email"])
    if not out["name"]:
        errors["name"] = ["An officer needs a name."]
    if not out["email"]:
        errors["email"] = ["An officer needs an email address."]
    else:
        try:
            validate_email(out["email"])
        except DjangoValidationError:
            errors["email"] = [f"'{out['email']}' is not a valid email address."]
    for key, limit in (("name", 200), ("job_title", 200), ("service", 200), ("phone", 40)):
        if len(out[key]) > limit:
            errors[key] = [f"At most {limit} characters."]
    if errors:
        raise ValidationFailed("The officer's details have errors; see fields.", extra=errors)
    return out


def _set_active(officer: Officer, is_active: bool, left_on: date | None) -> None:
    officer.is_active = is_active
    officer.left_on = None if is_active else (left_on or officer.left_on or timezone.localdate())


@transaction.atomic
def officer_create(
    *,
    actor: User,
    name: str,
    email: str,
    job_title: str = "",
    service: str = "",
    phone: str = "",
    topics: list[Category] | None = None,
    wards: list[Ward] | None = None,
    is_active: bool = True,
    left_on: date | None = None,
) -> Officer:
    """Add an officer to the directory (Members' Services staff and admins)."""
    assert_council_writable()
    require_directory_keeper(actor)
    data = _clean_officer(
        {"name": name, "email": email, "job_title": job_title, "service": service, "phone": phone}
    )
    if Officer.objects.filter(email__iexact=data["email"]).exists():
        raise Conflict(f"An officer with email {data['email']} is already in the directory.")
    officer = Officer(**data)
    _set_active(officer, is_active, left_on)
    officer.save()
    officer.topics.set(topics or [])
    officer.wards.set(wards or [])
    return officer


@transaction.atomic
def officer_update(*, actor: User, officer: Officer, **changes: Any) -> Officer:
    """Change an officer's details, topics, wards, or mark them left (is_active=False)."""
    assert_council_writable()
    require_directory_keeper(actor)
    unknown = set(changes) - {*_OFFICER_FIELDS, "topics", "wards", "is_active", "left_on"}
    if unknown:
        raise ValidationFailed(f"Cannot change: {', '.join(sorted(unknown))}.")
    current = {k: getattr(officer, k) for k in _OFFICER_FIELDS}
    data = _clean_officer({**current, **{k: v for k, v in changes.items() if k in current}})
    if Officer.objects.filter(email__iexact=data["email"]).exclude(pk=officer.pk).exists():
        raise Conflict(f"An officer with email {data['email']} is already in the directory.")
    for key, value in data.items():
        setattr(officer, key, value)
    if "is_active" in changes or "left_on" in changes:
        _set_active(
            officer, bool(changes.get("is_active", officer.is_active)), changes.get("left_on")
        )
    officer.save()
    if "topics" in changes:
        officer.topics.set(changes["topics"] or [])
    if "wards" in changes:
        officer.wards.set(changes["wards"] or [])
    return officer


@dataclass
class OfficerImportResult:
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)


OFFICER_CSV_COLUMNS = {
    "name": ("name", "officer", "full_name"),
    "job_title": ("job_title", "title", "role"),
    "service": ("service", "department"),
    "email": ("email", "email_address"),
    "phone": ("phone", "telephone", "tel"),
    "topics": ("topics", "categories", "category"),
    "wards": ("wards", "ward"),
    "status": ("status", "active"),
}


@transaction.atomic
def officer_import_csv(*, actor: User, file: IO[bytes] | IO[str]) -> OfficerImportResult:
    """Import officers from CSV; good rows are saved, each bad row is reported.

    Columns (header names, any case): name, email (both required), job_title (or title),
    service (or department), phone, topics (category names separated by ';'), wards (ward
    names or ONS codes separated by ';'), status ('active' or 'left'; also yes/no).
    A row whose email is already in the directory updates that officer. Topics must be
    existing categories: the import never invents categories.
    """
    assert_council_writable()
    require_directory_keeper(actor)
    try:
        reader = csv.reader(csv_text(file))
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationFailed(f"The file is not a readable UTF-8 CSV: {exc}.") from exc
    if not header:
        raise ValidationFailed("The file is empty.", extra={"file": ["Empty."]})
    cols = {key: csv_column(header, names) for key, names in OFFICER_CSV_COLUMNS.items()}
    if cols["name"] is None or cols["email"] is None:
        raise ValidationFailed(
            "The CSV needs at least the columns name and email.",
            extra={"file": [f"Columns found: {', '.join(header[:20])}"]},
        )
    categories = {c.name.lower(): c for c in Category.objects.all()}
    wards: dict[str, Ward] = {}
    for ward in Ward.objects.all():
        wards[ward.name.lower()] = ward
        if ward.code:
            wards[ward.code.lower()] = ward
    existing = {o.email: o for o in Officer.objects.all()}
    result = OfficerImportResult()
    seen: set[str] = set()
    try:
        rows = list(enumerate(reader, start=2))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationFailed(f"The file is not a readable UTF-8 CSV: {exc}.") from exc
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue

        def cell(key: str, row: list[str] = row) -> str:
            index = cols[key]
            return row[index].strip() if index is not None and index < len(row) else ""

        problems: list[str] = []
        try:
            data = _clean_officer({k: cell(k) for k in _OFFICER_FIELDS})
        except ValidationFailed as exc:
            problems += [f"{k}: {' '.join(v)}" for k, v in exc.extra.items()]
            data = {}
        topic_objs, ward_objs = [], []
        for item in filter(None, (t.strip() for t in cell("topics").split(";"))):
            if item.lower() in categories:
                topic_objs.append(categories[item.lower()])
            else:
                problems.append(f"topics: no category called '{item}'")
        for item in filter(None, (w.strip() for w in cell("wards").split(";"))):
            if item.lower() in wards:
                ward_objs.append(wards[item.lower()])
            else:
                problems.append(f"wards: no ward called '{item}'")
        status = cell("status").lower()
        if status not in ("", "active", "left", "yes", "no", "true", "false", "1", "0"):
            problems.append(f"status: '{status}' is not active or left")
        if data and data["email"] in seen:
            problems.append(f"email: {data['email']} appears twice in the file")
        if problems:
            result.errors.append({"row": line, "email": cell("email"), "messages": problems})
            continue
        seen.add(data["email"])
        is_active = status not in ("left", "no", "false", "0")
        officer = existing.get(data["email"])
        try:
            with transaction.atomic():
                if officer is None:
                    officer = Officer(**data)
                    _set_active(officer, is_active, None)
                    officer.save()
                    result.created += 1
                else:
                    for key, value in data.items():
                        setattr(officer, key, value)
                    _set_active(officer, is_active, None)
                    officer.save()
                    result.updated += 1
                officer.topics.set(topic_objs)
                officer.wards.set(ward_objs)
        except IntegrityError as exc:
            result.errors.append({"row": line, "email": data["email"], "messages": [str(exc)]})
    return result
