"""Web forms of the caseload pages. They check types and shapes only; every rule about the
data (duplicates, who may act, status changes, limits) is the services' and comes back as a
service error that the view shows on the form."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from caseload.models import Action, Case, Category, Constituent, Officer, Ward
from caseload.selectors import CaseFilters
from caseload.services.constituents import CONSTITUENT_DETAILS


def new_form_token() -> str:
    return uuid.uuid4().hex


class OnceForm(forms.Form):
    """A create form. It carries a one-time token, fresh on every page load and kept when the
    form comes back with errors, so that sending it again after it worked (Back, then Submit)
    shows what was made instead of a duplicate (caseload.services.submit_once). Render
    `{{ form.form_token }}` inside the <form>."""

    form_token = forms.CharField(
        required=False, max_length=32, widget=forms.HiddenInput, initial=new_form_token
    )


class GovukDateInput(forms.MultiWidget):
    """GOV.UK's date input: day, month and year boxes (named <name>_day etc.)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        text = {"inputmode": "numeric"}
        super().__init__(
            {
                "day": forms.TextInput(text),
                "month": forms.TextInput(text),
                "year": forms.TextInput(text),
            },
            attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    widget = GovukDateInput

    def __init__(self, **kwargs: Any) -> None:
        parts = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        super().__init__(parts, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> date | None:
        if not data_list or not any(part for part in data_list):
            return None
        label = (self.label or "The date").capitalize()
        missing = [
            name
            for name, part in zip(("day", "month", "year"), data_list, strict=False)
            if not part
        ]
        if missing:
            raise ValidationError(f"{label} must include a {' and '.join(missing)}")
        try:
            day, month, year = (int(str(part).strip()) for part in data_list)
            if year < 1900:
                raise ValueError
            return date(year, month, day)
        except ValueError:
            raise ValidationError(f"{label} must be a real date, like 27 3 2026") from None


def _numeric(**attrs: str) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", **attrs})


class TimeSpentField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Time spent in minutes (optional)")
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 24 * 60)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": "Enter time spent as a whole number of minutes, like 15",
                "min_value": "Time spent must be at least 1 minute",
                "max_value": "Time spent must be 1440 minutes (a day) or less",
            },
        )
        super().__init__(widget=_numeric(), **kwargs)


def _category_field(
    *, required: bool = False, include_inactive: bool = False, empty_label: str = "Not chosen"
) -> forms.ModelChoiceField:
    qs = Category.objects.all() if include_inactive else Category.objects.filter(is_active=True)
    return forms.ModelChoiceField(
        queryset=qs.order_by("name"),
        required=required,
        empty_label=empty_label,
        label="Category",
    )


def _ward_field(
    *, required: bool = False, empty_label: str = "Not chosen"
) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Ward.objects.order_by("-is_current", "name"),
        required=required,
        empty_label=empty_label,
        label="Ward",
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name}{f' ({obj.ward})' if obj.ward else ''}"


class ColleaguesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name}{f' ({obj.ward})' if obj.ward else ''}"


def _owner_field(owners: Any, *, label: str = "Councillor") -> OwnerChoiceField:
    return OwnerChoiceField(
        queryset=owners,
        required=True,
        empty_label="Choose a councillor",
        label=label,
        error_messages={"required": "Choose the councillor this is for"},
    )


# --- Cases ----------------------------------------------------------------------------------
class CaseFilterForm(forms.Form):
    """The case list's search and filters (GET). Every field is optional."""

    q = forms.CharField(
        required=False,
        label="Search",
        max_length=200,
        help_text="Words from the title, description, history or the "
        "constituent's name, or a case reference",
    )
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "Any status"), ("not_closed", "Not closed"), *Case.Status.choices],
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.order_by("name"),
        required=False,
        empty_label="Any category",
        label="Category",
    )
    ward = forms.ModelChoiceField(
        queryset=Ward.objects.order_by("name"), required=False, empty_label="Any ward", label="Ward"
    )
    owner = OwnerChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Anyone", label="Councillor"
    )
    opened_from = GovukDateField(required=False, label="Opened on or after")
    opened_to = GovukDateField(required=False, label="Opened on or before")

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners if owners is not None else User.objects.none()

    def filters(self, *, owner_ids: list[int] | None = None) -> CaseFilters:
        """The valid form's choices as the selectors' CaseFilters (`owner_ids`: the owners
        to keep to when none is chosen, for a page that may only touch some)."""
        d = self.cleaned_data
        status = d.get("status") or ""
        return CaseFilters(
            statuses=[status] if status and status != "not_closed" else [],
            open_only=status == "not_closed",
            category_ids=[d["category"].pk] if d.get("category") else [],
            ward_ids=[d["ward"].pk] if d.get("ward") else [],
            owner_ids=[d["owner"].pk] if d.get("owner") else list(owner_ids or []),
            opened_from=d.get("opened_from"),
            opened_to=d.get("opened_to"),
            q=d.get("q") or "",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("opened_from"), data.get("opened_to")
        if start and end and start > end:
            self.add_error(
                "opened_to", "Opened on or before must be the same as or after opened on or after"
            )
        return data


class CaseForm(OnceForm):
    title = forms.CharField(
        max_length=200,
        label="What is the enquiry about?",
        help_text='A short title, like "Broken streetlight on Main Street"',
        error_messages={"required": "Enter what the enquiry is about"},
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea, max_length=20000, label="Details (optional)"
    )
    category = _category_field()
    ward = _ward_field(empty_label="The constituent's ward")
    priority = forms.ChoiceField(
        choices=Case.Priority.choices,
        initial=Case.Priority.NORMAL,
        widget=forms.RadioSelect,
        label="Priority",
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"] = _owner_field(owners)


class CaseEditForm(forms.Form):
    title = forms.CharField(
        max_length=200, label="Title", error_messages={"required": "Enter a title"}
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea, max_length=20000, label="Details (optional)"
    )
    category = _category_field(include_inactive=True)
    ward = _ward_field()
    priority = forms.ChoiceField(
        choices=Case.Priority.choices, widget=forms.RadioSelect, label="Priority"
    )


MANUAL_KIND_CHOICES = [(k.value, k.label) for k in Action.MANUAL_KINDS]


class ActionForm(OnceForm):
    kind = forms.ChoiceField(
        choices=MANUAL_KIND_CHOICES,
        widget=forms.RadioSelect,
        label="What happened?",
        error_messages={"required": "Choose what happened"},
    )
    text = forms.CharField(
        widget=forms.Textarea,
        max_length=20000,
        label="Details",
        error_messages={"required": "Enter the details"},
    )
    occurred_on = GovukDateField(
        required=False,
        label="When (optional)",
        help_text="Leave blank for now. For example, 27 3 2026",
    )
    time_spent_minutes = TimeSpentField()


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=Case.Outcome.choices,
        widget=forms.RadioSelect,
        label="Outcome",
        error_messages={"required": "Choose the outcome"},
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea, max_length=5000, label="Note (optional)"
    )
    time_spent_minutes = TimeSpentField()


class ReopenForm(forms.Form):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        label="Why is it being reopened? (optional)",
    )


class SharingForm(forms.Form):
    sharing = forms.ChoiceField(
        choices=Case.Sharing.choices,
        widget=forms.RadioSelect,
        label="Who can see this case?",
        error_messages={"required": "Choose who can see this case"},
    )
    user_ids = ColleaguesField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Named colleagues",
        help_text="Only used when sharing with named colleagues",
    )

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user_ids"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = candidates if candidates is not None else User.objects.none()


class OfficerChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, suggested_ids: set[int] | None = None, **kwargs: Any) -> None:
        self.suggested_ids = suggested_ids or set()
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Officer) -> str:
        parts = [obj.name]
        if obj.job_title or obj.service:
            parts.append(", ".join(p for p in (obj.job_title, obj.service) if p))
        label = ": ".join(parts)
        return f"{label} (suggested)" if obj.pk in self.suggested_ids else label


class ReferForm(OnceForm):
    officer = OfficerChoiceField(
        queryset=Officer.objects.none(),
        empty_label="Choose an officer",
        label="Officer",
        error_messages={
            "required": "Choose the officer to refer the case to",
            "invalid_choice": "Choose an officer from the list",
        },
    )
    working_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=120,
        label="Reply due within (working days)",
        help_text="Weekends and the council's holidays are not counted",
        widget=_numeric(),
        error_messages={
            "required": "Enter the number of working days for the reply",
            "invalid": "Enter working days as a whole number, like 10",
            "min_value": "Working days must be at least 1",
            "max_value": "Working days must be 120 or fewer",
        },
    )
    target_date = GovukDateField(
        required=False,
        label="Or the date the reply is due by",
        help_text="A date, if you give one, is used instead of the working days. "
        "For example, 27 3 2026",
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        label="Note to go with the referral (optional)",
    )
    time_spent_minutes = TimeSpentField()

    def __init__(self, *args: Any, suggested: list[Officer] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        suggested = suggested or []
        ids = [o.pk for o in suggested]
        field = self.fields["officer"]
        assert isinstance(field, OfficerChoiceField)
        field.suggested_ids = set(ids)
        # Suggested officers first (in the suggestion's order), then everyone else by name.
        from django.db.models import Case as When_
        from django.db.models import IntegerField, Value, When

        order = When_(
            *[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)],
            default=Value(len(ids)),
            output_field=IntegerField(),
        )
        field.queryset = (
            Officer.objects.filter(is_active=True)
            .annotate(_order=order)
            .order_by("_order", "name", "id")
        )

    def clean(self) -> dict[str, Any]:
        """The target is a date or, without one, a number of working days; the service
        takes exactly one of them."""
        data = super().clean() or {}
        if data.get("target_date"):
            data["working_days"] = None
        elif not data.get("working_days") and "working_days" not in self.errors:
            self.add_error(
                "working_days", "Enter the number of working days for the reply, or a date"
            )
        return data


class ReplyForm(OnceForm):
    text = forms.CharField(
        required=False,
        widget=forms.Textarea,
        max_length=20000,
        label="What did the officer say? (optional)",
    )
    replied_on = GovukDateField(
        required=False,
        label="Date of the reply (optional)",
        help_text="Leave blank for today. For example, 27 3 2026",
    )
    time_spent_minutes = TimeSpentField()


class AttachmentForm(OnceForm):
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word, image or text; up to the council's size limit",
        error_messages={"required": "Choose a file to upload", "empty": "The file is empty"},
    )


# --- Constituents ---------------------------------------------------------------------------
class ConstituentForm(OnceForm):
    name = forms.CharField(
        max_length=200,
        label="Full name",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the constituent's name"},
    )
    address = forms.CharField(required=False, widget=forms.Textarea, label="Address (optional)")
    postcode = forms.CharField(
        required=False,
        max_length=10,
        label="Postcode (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        required=False,
        max_length=40,
        label="Phone (optional)",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        required=False,
        max_length=254,
        label="Email (optional)",
        widget=forms.TextInput(
            attrs={"type": "email", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    preferred_contact = forms.ChoiceField(
        choices=Constituent.PreferredContact.choices,
        initial=Constituent.PreferredContact.ANY,
        widget=forms.RadioSelect,
        label="Preferred contact",
    )
    consent_to_share = forms.BooleanField(
        required=False,
        label="They agree to their details being shared with council officers",
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea,
        label="Notes (optional)",
        help_text="Do not record health or care details unless the case needs them",
    )
    allow_duplicate = forms.BooleanField(
        required=False,
        label="This is a different person: save anyway",
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"] = _owner_field(owners)

    def service_fields(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in CONSTITUENT_DETAILS}


class ConstituentSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search constituents",
        help_text="Name, postcode, email or phone number",
    )


# --- Officers -------------------------------------------------------------------------------
class OfficerFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search officers",
        help_text="Name, job title, service or email",
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label="Any topic",
        label="Topic",
    )
    ward = forms.ModelChoiceField(
        queryset=Ward.objects.filter(is_current=True).order_by("name"),
        required=False,
        empty_label="Any ward",
        label="Ward",
    )
    left = forms.BooleanField(required=False, label="Show officers who have left")


class OfficerForm(OnceForm):
    name = forms.CharField(
        max_length=200, label="Name", error_messages={"required": "Enter the officer's name"}
    )
    job_title = forms.CharField(required=False, max_length=200, label="Job title (optional)")
    service = forms.CharField(
        required=False, max_length=200, label="Service or department (optional)"
    )
    email = forms.CharField(
        max_length=254,
        label="Email",
        widget=forms.TextInput(attrs={"type": "email", "spellcheck": "false"}),
        error_messages={"required": "Enter the officer's email address"},
    )
    phone = forms.CharField(
        required=False,
        max_length=40,
        label="Phone (optional)",
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Category.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Topics they cover",
    )
    wards = forms.ModelMultipleChoiceField(
        queryset=Ward.objects.filter(is_current=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Wards they cover",
    )
    is_active = forms.BooleanField(
        required=False,
        initial=True,
        label="Works for the council now",
        help_text="Untick when they leave: their past referrals stay",
    )


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        error_messages={"required": "Choose a CSV file to upload", "empty": "The file is empty"},
    )


# --- Surgery --------------------------------------------------------------------------------
class SurgeryCaseForm(OnceForm):
    """One enquiry at a surgery: the person (unless already chosen) and the case."""

    name = ConstituentForm.base_fields["name"]
    postcode = ConstituentForm.base_fields["postcode"]
    phone = ConstituentForm.base_fields["phone"]
    email = ConstituentForm.base_fields["email"]
    address = ConstituentForm.base_fields["address"]
    consent_to_share = ConstituentForm.base_fields["consent_to_share"]
    allow_duplicate = ConstituentForm.base_fields["allow_duplicate"]
    title = CaseForm.base_fields["title"]
    category = _category_field()
    description = forms.CharField(
        required=False,
        widget=forms.Textarea,
        max_length=20000,
        label="What they told you (optional)",
    )
    time_spent_minutes = TimeSpentField()

    PERSON_FIELDS = (
        "name",
        "postcode",
        "phone",
        "email",
        "address",
        "consent_to_share",
        "allow_duplicate",
    )

    def __init__(
        self, *args: Any, known_person: bool = False, owners: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if known_person:
            for name in self.PERSON_FIELDS:
                del self.fields[name]
        if owners is not None:
            self.fields["owner"] = _owner_field(owners)

    def person_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "postcode": d["postcode"],
            "phone": d["phone"],
            "email": d["email"],
            "address": d["address"],
            "consent_to_share": d["consent_to_share"],
        }


# --- Admin area -----------------------------------------------------------------------------
class MemberForm(OnceForm):
    """A new user of this council (the seat cap for councillors is the licence's rule)."""

    name = forms.CharField(
        max_length=200, label="Full name", error_messages={"required": "Enter the person's name"}
    )
    email = forms.CharField(
        max_length=254,
        label="Email address",
        widget=forms.TextInput(
            attrs={"type": "email", "spellcheck": "false", "autocomplete": "off"}
        ),
        error_messages={"required": "Enter their email address"},
    )
    role = forms.ChoiceField(
        choices=[
            (r.value, r.label) for r in (User.Role.COUNCILLOR, User.Role.STAFF, User.Role.ADMIN)
        ],
        widget=forms.RadioSelect,
        label="Role",
        error_messages={"required": "Choose their role"},
    )
    ward = forms.ModelChoiceField(
        queryset=Ward.objects.filter(is_current=True).order_by("name"),
        required=False,
        empty_label="No ward",
        label="Ward",
        help_text="Councillors only: the ward they represent",
    )
    password = forms.CharField(
        label="First password",
        strip=False,
        widget=forms.TextInput(attrs={"type": "password", "autocomplete": "new-password"}),
        help_text="Give it to them securely; at least 8 characters, not a common password",
        error_messages={"required": "Enter a first password"},
    )


class MemberEditForm(forms.Form):
    """A user's name, email, role and ward, as an admin changes them (a by-election, a new
    job, a new name). The seat cap and the ward rule are the services'."""

    name = MemberForm.base_fields["name"]
    email = MemberForm.base_fields["email"]
    role = MemberForm.base_fields["role"]
    ward = forms.ModelChoiceField(
        queryset=Ward.objects.filter(is_current=True).order_by("name"),
        required=False,
        empty_label="No ward",
        label="Ward",
        help_text="Councillors only, and every councillor: the ward they represent",
    )


class CategoryForm(OnceForm):
    name = forms.CharField(
        max_length=100, label="Name", error_messages={"required": "Enter the category's name"}
    )
    description = forms.CharField(required=False, max_length=300, label="Description (optional)")


class WardForm(OnceForm):
    name = forms.CharField(
        max_length=200, label="Ward name", error_messages={"required": "Enter the ward's name"}
    )
    code = forms.CharField(
        required=False,
        max_length=9,
        label="ONS ward code (optional)",
        help_text="A letter and 8 digits, like S13002887",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )


class HolidayForm(OnceForm):
    day = GovukDateField(
        label="Date",
        help_text="For example, 26 12 2026",
        error_messages={"required": "Enter the date of the holiday"},
    )
    name = forms.CharField(
        max_length=120,
        label="Name",
        help_text='Like "Local holiday (Fife)"',
        error_messages={"required": "Enter the holiday's name"},
    )


class DelegationForm(OnceForm):
    staff = OwnerChoiceField(
        queryset=User.objects.filter(role=User.Role.STAFF, is_active=True).order_by("name"),
        empty_label="Choose a staff member",
        label="Members' Services staff member",
        error_messages={"required": "Choose the staff member"},
    )
    councillor = OwnerChoiceField(
        queryset=User.objects.filter(role=User.Role.COUNCILLOR, is_active=True).order_by("name"),
        empty_label="Choose a councillor",
        label="Acts for councillor",
        error_messages={"required": "Choose the councillor"},
    )


class DelegationGrantForm(OnceForm):
    """A councillor lets a staff member act for them (their own consent, so in force at once)."""

    staff = OwnerChoiceField(
        queryset=User.objects.filter(role=User.Role.STAFF, is_active=True).order_by("name"),
        empty_label="Choose a staff member",
        label="Members' Services staff member",
        error_messages={"required": "Choose the staff member"},
    )


class SettingsForm(forms.Form):
    reference_prefix = forms.CharField(
        max_length=12,
        label="Case reference prefix",
        help_text="2 to 12 letters or digits. New cases only; old references keep theirs",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={"required": "Enter the reference prefix"},
    )
    referral_target_days = forms.IntegerField(
        min_value=1,
        max_value=60,
        widget=_numeric(),
        label="Default referral target (working days)",
        error_messages={
            "required": "Enter the default referral target",
            "invalid": "Enter the target as a whole number of days, like 10",
            "min_value": "The target must be at least 1 working day",
            "max_value": "The target must be 60 working days or fewer",
        },
    )
    auto_accept_extensions = forms.BooleanField(
        required=False,
        label="Accept officers' requests for more time automatically",
        help_text="Otherwise the councillor accepts or refuses each request on the case page. "
        "Either way, whether a reply is on time is judged against the original target",
    )
