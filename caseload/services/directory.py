"""Writes for the council's reference data: categories, wards and the postcode table,
officers (and their CSV import), holidays, and delegations."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from caseload.calendar import holiday_ensure_defaults
from caseload.models import (
    Action,
    Category,
    CouncilHoliday,
    Delegation,
    Officer,
    PostcodeUpload,
    PostcodeWard,
    Ward,
)
from caseload.normalise import is_valid_postcode, normalise_email, normalise_postcode
from caseload.services.permissions import (
    assert_council_writable,
    require_admin,
    require_directory_keeper,
)
from core.errors import Conflict, NotFound, ValidationFailed

_WARD_CODE_RE = re.compile(r"^[A-Z]\d{8}$")


# --- Categories -------------------------------------------------------------------------------
@transaction.atomic
def category_create(*, actor: User, name: str, description: str = "") -> Category:
    """Add a category to the council's managed list (admins only; names unique, any case)."""
    assert_council_writable()
    require_admin(actor)
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ValidationFailed("A category name is 1-100 characters.", extra={"name": ["1-100."]})
    if Category.objects.filter(name__iexact=name).exists():
        raise Conflict(f"There is already a category called '{name}'.")
    return Category.objects.create(name=name, description=(description or "").strip()[:300])


@transaction.atomic
def category_update(
    *,
    actor: User,
    category: Category,
    name: str | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> Category:
    """Rename, describe, retire (is_active=False) or restore a category. Categories in use
    are never deleted, so old cases keep theirs."""
    assert_council_writable()
    require_admin(actor)
    fields = []
    if name is not None:
        name = " ".join(name.split())
        if not name or len(name) > 100:
            raise ValidationFailed(
                "A category name is 1-100 characters.", extra={"name": ["1-100."]}
            )
        if Category.objects.filter(name__iexact=name).exclude(pk=category.pk).exists():
            raise Conflict(f"There is already a category called '{name}'.")
        category.name = name
        fields.append("name")
    if description is not None:
        category.description = description.strip()[:300]
        fields.append("description")
    if is_active is not None:
        category.is_active = is_active
        fields.append("is_active")
    if fields:
        category.save(update_fields=[*fields, "updated_at"])
    return category


# --- Wards ------------------------------------------------------------------------------------
def _clean_ward(name: str, code: str | None) -> tuple[str, str | None]:
    name = " ".join((name or "").split())
    errors = {}
    if not name or len(name) > 200:
        errors["name"] = ["A ward name is 1-200 characters."]
    code = (code or "").strip().upper() or None
    if code and not _WARD_CODE_RE.match(code):
        errors["code"] = ["An ONS ward code is a letter and 8 digits, e.g. S13002887."]
    if errors:
        raise ValidationFailed("The ward has errors; see fields.", extra=errors)
    return name, code


@transaction.atomic
def ward_create(*, actor: User, name: str, code: str | None = None) -> Ward:
    """Add a ward (admins). Councillors are matched to wards by name."""
    assert_council_writable()
    require_admin(actor)
    name, code = _clean_ward(name, code)
    if Ward.objects.filter(name__iexact=name).exists():
        raise Conflict(f"There is already a ward called '{name}'.")
    if code and Ward.objects.filter(code=code).exists():
        raise Conflict(f"Ward code {code} is already used.")
    return Ward.objects.create(name=name, code=code)


@transaction.atomic
def ward_update(
    *,
    actor: User,
    ward: Ward,
    name: str | None = None,
    code: str | None = None,
    is_current: bool | None = None,
) -> Ward:
    assert_council_writable()
    require_admin(actor)
    new_name, new_code = _clean_ward(
        ward.name if name is None else name, ward.code if code is None else code
    )
    if Ward.objects.filter(name__iexact=new_name).exclude(pk=ward.pk).exists():
        raise Conflict(f"There is already a ward called '{new_name}'.")
    if new_code and Ward.objects.filter(code=new_code).exclude(pk=ward.pk).exists():
        raise Conflict(f"Ward code {new_code} is already used.")
    ward.name, ward.code = new_name, new_code
    if is_current is not None:
        ward.is_current = is_current
    ward.save(update_fields=["name", "code", "is_current", "updated_at"])
    return ward


# --- Postcode table ---------------------------------------------------------------------------
# Accepted columns (header names, any case). The ONS Postcode Directory's own names come
# first; `wdNNcd`/`wdNNnm` are the ONS ward names-and-codes file's (e.g. WD24CD, WD24NM).
POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "postcode")
WARD_CODE_COLUMNS = ("osward", "ward_code", "wardcode", "wdcd")
WARD_NAME_COLUMNS = ("wardnm", "osward_name", "osward_nm", "ward_name", "wardname", "wdnm")
_MAX_REPORTED_ERRORS = 100


@dataclass
class PostcodeUploadResult:
    upload: PostcodeUpload
    rows_loaded: int
    rows_rejected: int
    wards_created: int
    open_cases_rederived: int
    errors: list[dict[str, Any]] = field(default_factory=list)


def _pick(header: list[str], names: tuple[str, ...], pattern: str | None = None) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    if pattern:
        for index, h in enumerate(lowered):
            if re.fullmatch(pattern, h):
                return index
    return None


def _text_stream(file: IO[bytes] | IO[str]) -> IO[str]:
    if hasattr(file, "seek"):
        file.seek(0)
    sample = file.read(0)
    if isinstance(sample, str):
        return file  # type: ignore[return-value]
    return io.TextIOWrapper(cast(IO[bytes], file), encoding="utf-8-sig", newline="")


@transaction.atomic
def postcode_table_upload(
    *, actor: User, file: IO[bytes] | IO[str], filename: str = ""
) -> PostcodeUploadResult:
    """Replace the council's postcode-to-ward table from an ONS Postcode Directory CSV.

    Columns: a postcode (`pcds`, or pcd/pcd7/pcd8/postcode), the ward code (`osward`, or
    ward_code/wdNNcd) and optionally the ward name (`wardnm`, ward_name or wdNNnm). Other
    columns are ignored, so the ONS file can be uploaded as published (cut to the council's
    area). Rows without a valid postcode or ward code are reported and skipped; a file with
    no valid row changes nothing.

    Wards are matched by code, then by name; new codes become new wards. Wards no longer in
    the table are marked not current. Constituents and every case that is not closed take
    the ward of their postcode; each changed case gets an action. Closed cases keep theirs.
    """
    assert_council_writable()
    require_admin(actor)
    try:
        reader = csv.reader(_text_stream(file))
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationFailed(f"The file is not a readable UTF-8 CSV: {exc}.") from exc
    if not header:
        raise ValidationFailed("The file is empty.", extra={"file": ["Empty."]})
    pc_col = _pick(header, POSTCODE_COLUMNS)
    code_col = _pick(header, WARD_CODE_COLUMNS, r"wd\d{2}cd")
    name_col = _pick(header, WARD_NAME_COLUMNS, r"wd\d{2}nm")
    if pc_col is None or code_col is None:
        raise ValidationFailed(
            "The CSV needs a postcode column (pcds) and a ward code column (osward); a ward "
            "name column (wardnm) is optional.",
            extra={"file": [f"Columns found: {', '.join(header[:20])}"]},
        )
    rows: dict[str, str] = {}
    names: dict[str, str] = {}
    errors: list[dict[str, Any]] = []
    rejected = 0
    try:
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            postcode = row[pc_col].strip() if len(row) > pc_col else ""
            code = row[code_col].strip().upper() if len(row) > code_col else ""
            problem = None
            if not is_valid_postcode(postcode):
                problem = f"'{postcode}' is not a postcode"
            elif not _WARD_CODE_RE.match(code):
                problem = f"'{code}' is not an ONS ward code"
            if problem:
                rejected += 1
                if len(errors) < _MAX_REPORTED_ERRORS:
                    errors.append({"row": line, "message": problem})
                continue
            rows[normalise_postcode(postcode)] = code
            if name_col is not None and len(row) > name_col and row[name_col].strip():
                names[code] = " ".join(row[name_col].split())[:200]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationFailed(f"The file is not a readable UTF-8 CSV: {exc}.") from exc
    if not rows:
        raise ValidationFailed(
            "No valid rows: the table was left as it was.", extra={"rows": errors[:20]}
        )

    wards_by_code: dict[str, Ward] = {
        str(w.code): w for w in Ward.objects.filter(code__in=set(rows.values()))
    }
    created = 0
    for code in sorted(set(rows.values()) - set(wards_by_code)):
        name = names.get(code) or code
        same_name = Ward.objects.filter(name__iexact=name).first()
        if same_name is not None and same_name.code is None:
            same_name.code = code  # a ward made by hand (or by name) gets its ONS code
            same_name.is_current = True
            same_name.save(update_fields=["code", "is_current", "updated_at"])
            wards_by_code[code] = same_name
            continue
        if same_name is not None:
            # Boundary change reusing a name: the old ward keeps its cases under a
            # distinguishing name; councillors (matched by name) move to the new one.
            same_name.name = f"{same_name.name} (to {timezone.localdate():%Y}, {same_name.code})"[
                :200
            ]
            same_name.is_current = False
            same_name.save(update_fields=["name", "is_current", "updated_at"])
        wards_by_code[code] = Ward.objects.create(name=name, code=code)
        created += 1
    for code, ward in wards_by_code.items():
        if (
            code in names
            and names[code] != ward.name
            and not Ward.objects.filter(name__iexact=names[code]).exclude(pk=ward.pk).exists()
        ):
            ward.name = names[code]
            ward.save(update_fields=["name", "updated_at"])
    used_ids = {w.pk for w in wards_by_code.values()}
    Ward.objects.filter(code__isnull=False).exclude(pk__in=used_ids).update(is_current=False)
    Ward.objects.filter(pk__in=used_ids).update(is_current=True)

    PostcodeWard.objects.all().delete()
    PostcodeWard.objects.bulk_create(
        [PostcodeWard(postcode=pc, ward_id=wards_by_code[code].pk) for pc, code in rows.items()],
        batch_size=5000,
    )
    rederived = _rederive_wards(actor=actor)
    upload = PostcodeUpload.objects.create(
        uploaded_by=actor,
        filename=(filename or "")[:255],
        rows_loaded=len(rows),
        rows_rejected=rejected,
        wards_created=created,
        open_cases_rederived=rederived,
    )
    return PostcodeUploadResult(
        upload=upload,
        rows_loaded=len(rows),
        rows_rejected=rejected,
        wards_created=created,
        open_cases_rederived=rederived,
        errors=errors,
    )


def _rederive_wards(*, actor: User) -> int:
    """Point constituents and open cases at the ward of their postcode; one action per
    changed case. Closed cases are left as they were."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE caseload_constituent k SET ward_id = pw.ward_id, updated_at = now()
            FROM caseload_postcodeward pw
            WHERE pw.postcode = k.postcode_normalised AND k.ward_id IS DISTINCT FROM pw.ward_id
            """
        )
        cursor.execute(
            """
            WITH derived AS (
                SELECT c.id AS case_id, c.ward_id AS old_ward, pw.ward_id AS new_ward
                FROM caseload_case c
                JOIN caseload_constituent k ON k.id = c.constituent_id
                JOIN caseload_postcodeward pw ON pw.postcode = k.postcode_normalised
                WHERE c.status <> 'closed' AND c.ward_id IS DISTINCT FROM pw.ward_id
                FOR UPDATE OF c
            )
            UPDATE caseload_case c SET ward_id = d.new_ward, updated_at = now()
            FROM derived d WHERE c.id = d.case_id
            RETURNING c.id, c.owner_id, d.old_ward, d.new_ward
            """
        )
        changed = cursor.fetchall()
    if not changed:
        return 0
    ward_names = dict(Ward.objects.values_list("pk", "name"))
    now = timezone.now()
    Action.objects.bulk_create(
        [
            Action(
                case_id=case_id,
                kind=Action.Kind.UPDATE,
                text=(
                    f"Ward re-derived from the new postcode table: "
                    f"{ward_names.get(old, '—')} → {ward_names.get(new, '—')}"
                ),
                author=actor,
                on_behalf_of_id=owner_id,
                occurred_at=now,
                data={"changes": {"ward": [old, new]}, "via": "postcode_upload"},
            )
            for case_id, owner_id, old, new in changed
        ],
        batch_size=2000,
    )
    return len(changed)


# --- Officers ---------------------------------------------------------------------------------
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
        reader = csv.reader(_text_stream(file))
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationFailed(f"The file is not a readable UTF-8 CSV: {exc}.") from exc
    if not header:
        raise ValidationFailed("The file is empty.", extra={"file": ["Empty."]})
    cols = {key: _pick(header, names) for key, names in OFFICER_CSV_COLUMNS.items()}
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


# --- Holidays ---------------------------------------------------------------------------------
@transaction.atomic
def holiday_add(*, actor: User, day: date, name: str) -> CouncilHoliday:
    """Add a local holiday (or restore a removed Scottish default on that date)."""
    assert_council_writable()
    require_admin(actor)
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise ValidationFailed("A holiday needs a name (up to 120 characters).")
    holiday_ensure_defaults([day.year])
    holiday = CouncilHoliday.objects.select_for_update().filter(date=day).first()
    if holiday is None:
        return CouncilHoliday.objects.create(
            date=day, name=name, source=CouncilHoliday.Source.LOCAL
        )
    if not holiday.is_removed:
        raise Conflict(f"{day:%d %b %Y} is already a holiday ({holiday.name}).")
    holiday.is_removed = False
    holiday.name = name
    holiday.save(update_fields=["is_removed", "name", "updated_at"])
    return holiday


@transaction.atomic
def holiday_remove(*, actor: User, holiday: CouncilHoliday) -> None:
    """Make a day a working day again. Defaults are kept as removed so they stay removed."""
    assert_council_writable()
    require_admin(actor)
    if holiday.source == CouncilHoliday.Source.LOCAL:
        holiday.delete()
        return
    holiday.is_removed = True
    holiday.save(update_fields=["is_removed", "updated_at"])


# --- Delegations ------------------------------------------------------------------------------
@transaction.atomic
def delegation_grant(*, actor: User, staff: User, councillor: User) -> Delegation:
    """Let a Members' Services staff member act for a councillor (admins only)."""
    assert_council_writable()
    require_admin(actor)
    if staff.role != User.Role.STAFF or not staff.is_active:
        raise ValidationFailed(
            "Delegation is granted to active Members' Services staff.",
            extra={"staff": ["Not an active staff member."]},
        )
    if councillor.role != User.Role.COUNCILLOR or not councillor.is_active:
        raise ValidationFailed(
            "Delegation is given by an active councillor.",
            extra={"councillor": ["Not an active councillor."]},
        )
    if Delegation.objects.filter(staff=staff, councillor=councillor).exists():
        raise Conflict(f"{staff.name} already acts for {councillor.name}.")
    return Delegation.objects.create(staff=staff, councillor=councillor, granted_by=actor)


@transaction.atomic
def delegation_revoke(*, actor: User, delegation: Delegation) -> None:
    assert_council_writable()
    require_admin(actor)
    if not Delegation.objects.filter(pk=delegation.pk).delete()[0]:
        raise NotFound(f"No delegation with id {delegation.pk}.")
