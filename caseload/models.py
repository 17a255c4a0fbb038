"""Casework of one council: constituents, cases, their history, officers and referrals.

Every table here lives in the council's own schema (caseload is a TENANT_APP), so nothing in
this module needs a council foreign key. Writes go through `caseload.services`, reads through
`caseload.selectors` (which apply "who sees what"); nothing here enforces business rules
beyond database constraints.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django_tenants.files.storage import TenantFileSystemStorage

from caseload.references import reference_prefix_for_slug
from core.links import council_slug_for_schema
from core.models import TimeStamped
from core.tenancy import current_schema


class CaseloadSettingsManager(models.Manager["CaseloadSettings"]):
    def current(self) -> CaseloadSettings:
        """The council's one row, made on first use with the prefix its slug gives."""
        row = self.filter(pk=1).first()
        if row is None:
            prefix = reference_prefix_for_slug(council_slug_for_schema(current_schema()))
            row, _ = self.get_or_create(pk=1, defaults={"reference_prefix": prefix})
        return row


class CaseloadSettings(TimeStamped):
    """The council's own caseload settings: one row (id=1), created on first use.

    `reference_prefix` starts every case reference (FIFE-2026-00042). It is derived from the
    council's slug when the row is first made and an admin may change it; references already
    issued keep the prefix they were issued with.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    reference_prefix = models.CharField(max_length=12)
    referral_target_days = models.PositiveSmallIntegerField(default=10)
    # An officer's request for more time waits for the councillor unless the council has
    # chosen to accept such requests without asking.
    auto_accept_extensions = models.BooleanField(default=False)

    objects: ClassVar[CaseloadSettingsManager] = CaseloadSettingsManager()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "caseload settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="caseload_settings_singleton"),
            models.CheckConstraint(
                condition=Q(reference_prefix__regex=r"^[A-Z0-9]{2,12}$"),
                name="caseload_settings_prefix_format",
            ),
            models.CheckConstraint(
                condition=Q(referral_target_days__gte=1) & Q(referral_target_days__lte=60),
                name="caseload_settings_target_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Caseload settings ({self.reference_prefix})"


class Ward(TimeStamped):
    """An electoral ward. `code` is the ONS ward code (e.g. S13002887) when known.

    Councillors are tied to wards by name (accounts.User.ward holds the ward's name), so
    names are unique. `is_current` turns False when a postcode upload no longer uses the ward
    (boundary change); old wards stay because closed cases keep pointing at them.
    """

    name = models.CharField(max_length=200)
    code = models.CharField(max_length=9, null=True, blank=True, unique=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="ward_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class PostcodeWard(models.Model):
    """One row of the council's postcode-to-ward table (from the ONS Postcode Directory).

    `postcode` is normalised: upper case, no spaces ("KY11XX"). The whole table is replaced by
    each upload (services.postcode_table_upload).
    """

    postcode = models.CharField(max_length=8, primary_key=True)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="postcodes")

    class Meta:
        ordering = ["postcode"]
        constraints = [
            models.CheckConstraint(
                condition=Q(postcode__regex=r"^[A-Z0-9]{5,8}$"), name="postcodeward_normalised"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.postcode} → {self.ward_id}"


class PostcodeUpload(models.Model):
    """Audit record of one postcode-table upload and what it changed."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    rows_loaded = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    wards_created = models.PositiveIntegerField(default=0)
    open_cases_rederived = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Postcode upload {self.created_at:%Y-%m-%d} ({self.rows_loaded} rows)"


class Category(TimeStamped):
    """A case category from the council's managed list (no free tagging, so no tag sprawl).

    Categories are retired (is_active=False), never deleted while cases use them.
    """

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="category_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class CouncilHoliday(TimeStamped):
    """A non-working day for target dates.

    Scottish defaults (source=DEFAULT) are seeded per year from the `holidays` package; the
    council adds its own local days (source=LOCAL). Removing a default keeps the row with
    is_removed=True so the yearly seeding does not bring it back.
    """

    class Source(models.TextChoices):
        DEFAULT = "default", "Scottish default"
        LOCAL = "local", "Council's own"

    date = models.DateField(unique=True)
    name = models.CharField(max_length=120)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.LOCAL)
    is_removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class HolidayYear(models.Model):
    """Marks a year whose Scottish default holidays were seeded into CouncilHoliday."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    seeded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class DelegationQuerySet(models.QuerySet["Delegation"]):
    def confirmed(self) -> DelegationQuerySet:
        """Delegations in force: confirmed by the councillor. A proposal grants nothing."""
        return self.filter(confirmed_at__isnull=False)

    def pending(self) -> DelegationQuerySet:
        return self.filter(confirmed_at__isnull=True)


class Delegation(models.Model):
    """Members' Services staff member `staff` may act for councillor `councillor`, once the
    councillor has confirmed it (`confirmed_at`).

    Proposed by an admin or the staff member, or granted directly by the councillor
    (services.delegations); until the councillor confirms, it gives no access
    (caseload.selectors.access reads `confirmed()` rows only).
    """

    # Indexed by delegation_unique, which leads with it (so are all the FK columns below
    # marked db_index=False: tests/tenants/test_council_relations.py holds the rule).
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegations_held",
        db_index=False,
    )
    councillor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_given"
    )
    # Who proposed it (an admin, the staff member) or, granted directly, the councillor.
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the councillor confirms (or grants it themselves); None = a proposal.
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["staff_id", "councillor_id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "councillor"], name="delegation_unique"),
            models.CheckConstraint(condition=~Q(staff=F("councillor")), name="delegation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} acts for {self.councillor_id}"


class Constituent(TimeStamped):
    """A person who raised an enquiry. Personal (sometimes special-category) data.

    `owner` is the councillor whose record this is (staff create on a councillor's behalf).
    Search/match keys are stored normalised alongside the displayed values.
    """

    class PreferredContact(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        LETTER = "letter", "Letter"
        ANY = "any", "No preference"

    # Indexed by constituent_owner_name_idx.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="constituents",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    postcode_normalised = models.CharField(max_length=8, blank=True, db_index=True)
    ward = models.ForeignKey(
        Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="constituents"
    )
    phone = models.CharField(max_length=40, blank=True)
    phone_normalised = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)  # stored lower-cased
    preferred_contact = models.CharField(
        max_length=10, choices=PreferredContact.choices, default=PreferredContact.ANY
    )
    consent_to_share = models.BooleanField(default=False)
    consent_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["email"], name="constituent_email_idx"),
            models.Index(fields=["phone_normalised"], name="constituent_phone_idx"),
            models.Index(Lower("name"), "postcode_normalised", name="constituent_name_pc_idx"),
            models.Index(fields=["owner", "name"], name="constituent_owner_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_to_share=False) | Q(consent_date__isnull=False),
                name="constituent_consent_has_date",
            ),
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="constituent_email_lower"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CaseSequence(models.Model):
    """The last reference number issued in `year`. Locked row per year → gap-free numbers."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(TimeStamped):
    """One enquiry from a constituent, owned by a councillor.

    `search_vector` is maintained by services (title, description, constituent name and the
    text of its actions), so it is refreshed whenever any of those change.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REFERRED = "referred", "Referred"
        AWAITING_REPLY = "awaiting_reply", "Awaiting reply"
        REPLY_RECEIVED = "reply_received", "Reply received"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        NOT_RESOLVED = "not_resolved", "Not resolved"
        NOT_COUNCIL_BUSINESS = "not_council_business", "Not council business"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    class Sharing(models.TextChoices):
        PRIVATE = "private", "Private"
        WARD = "ward", "My ward's members"
        NAMED = "named", "Named colleagues"

    reference = models.CharField(max_length=32, unique=True)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    constituent = models.ForeignKey(Constituent, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Indexed by case_category_updated_idx and case_ward_updated_idx.
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", db_index=False
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    # Indexed by case_owner_sharing_idx and case_owner_updated_idx, which both lead with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sharing = models.CharField(max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # fastupdate off: every write lands in the index at once, so searches never pay
            # for scanning a pending list (caseload reads far outnumber writes).
            GinIndex(fields=["search_vector"], name="case_search_gin", fastupdate=False),
            models.Index(fields=["-updated_at", "-id"], name="case_updated_idx"),
            models.Index(fields=["owner", "-updated_at", "-id"], name="case_owner_updated_idx"),
            # Who-sees-what in a search: "owned by me" and "ward-shared by a colleague" are
            # each one exact range of this index, combined with the full-text GIN index.
            # On (owner) alone, the ward arm read all of a colleague's cases from the table
            # to keep the ward-shared ones (100,000-case council: 17.5 -> 10 ms a search).
            models.Index(fields=["owner", "sharing"], name="case_owner_sharing_idx"),
            models.Index(fields=["status", "-updated_at"], name="case_status_updated_idx"),
            models.Index(fields=["ward", "-updated_at"], name="case_ward_updated_idx"),
            models.Index(fields=["category", "-updated_at"], name="case_category_updated_idx"),
            models.Index(fields=["opened_at"], name="case_opened_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="case_year_number_unique"),
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(closed_at__isnull=False) & ~Q(outcome=""))
                | (~Q(status="closed") & Q(closed_at__isnull=True) & Q(outcome="")),
                name="case_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "open",
                        "referred",
                        "awaiting_reply",
                        "reply_received",
                        "closed",
                        "reopened",
                    ]
                ),
                name="case_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class CaseShare(models.Model):
    """A named colleague the owner shared the case with (used when sharing=NAMED)."""

    # Indexed by caseshare_unique and caseshare_user_idx.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="case_shares",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="caseshare_unique"),
        ]
        indexes = [models.Index(fields=["user", "case"], name="caseshare_user_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} shared with {self.user_id}"


class Action(models.Model):
    """One entry of a case's history. Append-only: no service updates or deletes actions.

    `author` is who typed it; `on_behalf_of` is the councillor when staff acted for them.
    `officer` is set when the entry is an officer's own (their reply or request for more
    time through their link or by email): the officer, who has no account, is its author
    and `author` is then only the case's owner, whose case it was recorded on.
    `data` holds machine-readable detail for system entries (status from/to, changed fields).
    """

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        CALL = "call", "Phone call"
        EMAIL_IN = "email_in", "Email in"
        EMAIL_OUT = "email_out", "Email out"
        LETTER = "letter", "Letter"
        MEETING = "meeting", "Meeting"
        SURGERY = "surgery", "Surgery"
        REFERRAL = "referral", "Referral"
        OFFICER_REPLY = "officer_reply", "Officer reply"
        STATUS_CHANGE = "status_change", "Status change"
        UPDATE = "update", "Case details changed"
        REMINDER = "reminder", "Reminder (BF)"

    # Kinds a person may add by hand; the others are written by the service that makes the
    # change they describe.
    MANUAL_KINDS = (
        Kind.NOTE,
        Kind.CALL,
        Kind.EMAIL_IN,
        Kind.EMAIL_OUT,
        Kind.LETTER,
        Kind.MEETING,
        Kind.SURGERY,
    )

    # Indexed by action_case_idx.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions", db_index=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    officer = models.ForeignKey(
        "Officer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    time_spent_minutes = models.PositiveIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["case", "-occurred_at", "-id"], name="action_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(time_spent_minutes__isnull=True)
                | (Q(time_spent_minutes__gte=1) & Q(time_spent_minutes__lte=24 * 60)),
                name="action_time_spent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.case_id}"


class Officer(TimeStamped):
    """A council officer who can resolve matters, kept by Members' Services."""

    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    service = models.CharField(max_length=200, blank=True)
    email = models.EmailField()  # stored lower-cased
    phone = models.CharField(max_length=40, blank=True)
    topics = models.ManyToManyField(Category, blank=True, related_name="officers")
    wards = models.ManyToManyField(Ward, blank=True, related_name="officers")
    is_active = models.BooleanField(default=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="officer_email_unique_ci"),
            models.CheckConstraint(
                condition=Q(is_active=True, left_on__isnull=True) | Q(is_active=False),
                name="officer_active_not_left",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Referral(TimeStamped):
    """A case passed to an officer, who owes a reply by `target_date` (in working days).

    `original_target_date` is the target set when the referral was sent and never moves:
    "on time" is judged against it (caseload.targets). `target_date` is the date now agreed,
    moved only when the councillor accepts an officer's request for more time (or the
    council accepts them automatically); `ReferralExtension` keeps each request.
    """

    # Indexed by referral_case_idx.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="referrals", db_index=False
    )
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="referrals")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    working_days = models.PositiveSmallIntegerField()
    target_date = models.DateField()
    original_target_date = models.DateField()
    replied_at = models.DateTimeField(null=True, blank=True)
    target_met = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(
                fields=["target_date"],
                condition=Q(replied_at__isnull=True),
                name="referral_awaiting_idx",
            ),
            models.Index(fields=["case", "-sent_at"], name="referral_case_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True, target_met__isnull=True)
                | Q(replied_at__isnull=False, target_met__isnull=False),
                name="referral_target_met_when_replied",
            ),
            models.CheckConstraint(
                condition=Q(target_date__gte=models.F("original_target_date")),
                name="referral_target_not_before_original",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral of {self.case_id} to {self.officer_id}"

    @property
    def is_extended(self) -> bool:
        return self.target_date != self.original_target_date


class ReferralExtension(TimeStamped):
    """An officer's request for more time on a referral, and the councillor's answer."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for the councillor"
        ACCEPTED = "accepted", "Accepted"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Overtaken by a later request or the reply"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="extensions")
    requested_date = models.DateField()
    previous_target_date = models.DateField()
    reason = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Accepted by the council's setting, without asking anyone.
    automatic = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(state="pending"),
                name="referralextension_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(requested_date__gt=models.F("previous_target_date")),
                name="referralextension_later_date",
            ),
            models.CheckConstraint(
                condition=Q(state="pending", decided_at__isnull=True)
                | (~Q(state="pending") & Q(decided_at__isnull=False)),
                name="referralextension_decided_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"More time on referral {self.referral_id} to {self.requested_date}"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    # The storage already puts files under MEDIA_ROOT/<schema>/; the random part keeps
    # names unguessable and lets two uploads share an original name.
    import uuid

    return f"cases/{instance.case_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file attached to a case, stored per council by TenantFileSystemStorage."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        upload_to=attachment_upload_to, storage=TenantFileSystemStorage(), max_length=255
    )
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class FormSubmission(models.Model):
    """A create form's one-time token, used: what it made, so that the same form sent again
    (Back, then Submit; a double click; a retry after a timeout) shows what was already made
    instead of making a duplicate. Written in the same transaction as the object."""

    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    label = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="formsubmission_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(token__regex=r"^[0-9a-f]{32}$"),  # noqa: S106 (not a password)
                name="formsubmission_token_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.label}"
