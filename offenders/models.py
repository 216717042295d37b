"""The register: risk tiers, teams, officers, offenders, assessments and imports."""

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now, Upper
from django.utils import timezone

from offenders.history import first_state_triggers, tracked, tracked_with_time_index


@tracked()
class RiskTier(models.Model):
    """A row of the tier table: the default visit interval and workload weight of a tier."""

    code = models.SlugField(max_length=30, unique=True, help_text="Used by import files and the API")
    name = models.CharField(max_length=60, unique=True)
    visit_interval_days = models.PositiveIntegerField(help_text="Default days between home visits")
    review_interval_days = models.PositiveIntegerField(
        default=365, help_text="Days from a risk assessment to the review of it that falls due (local policy)"
    )
    workload_weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    order = models.PositiveSmallIntegerField(default=0, help_text="Higher is more serious")

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(condition=Q(visit_interval_days__gt=0), name="tier_interval_positive"),
            models.CheckConstraint(condition=Q(review_interval_days__gt=0), name="tier_review_interval_positive"),
            models.CheckConstraint(condition=Q(workload_weight__gte=0), name="tier_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


@tracked()
class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    caseload_ceiling_per_fte = models.PositiveIntegerField(
        default=50, help_text="Offenders per full-time officer above which an officer is overloaded"
    )
    capacity_points_per_fte = models.PositiveIntegerField(
        default=100, help_text="Weighted workload points a full-time officer can carry (100% capacity)"
    )
    flag_weighted_capacity = models.BooleanField(
        default=False, help_text="Also flag officers whose weighted capacity is above 100%"
    )
    # A default in the database too: teams are also created by the officers import's SQL.
    full_time_hours = models.DecimalField(
        max_digits=4, decimal_places=1, default=Decimal(37), db_default=Decimal(37),
        help_text="Contracted hours a week of a full-time officer",
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="supervised_teams"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(caseload_ceiling_per_fte__gt=0), name="team_ceiling_positive"),
            models.CheckConstraint(condition=Q(capacity_points_per_fte__gt=0), name="team_points_positive"),
            models.CheckConstraint(condition=Q(full_time_hours__gt=0), name="team_full_time_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.name


@tracked()
class Officer(models.Model):
    """An offender manager. Inactive officers keep their history but get no new cases."""

    staff_id = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="officers")
    fte = models.DecimalField("FTE", max_digits=3, decimal_places=2, default=1)
    active = models.BooleanField(default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="officer"
    )
    import_run = models.ForeignKey("ImportRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["staff_id"]
        constraints = [
            models.CheckConstraint(condition=Q(fte__gt=0) & Q(fte__lte=1), name="officer_fte_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.staff_id})"


class OffenderStatus(models.TextChoices):
    COMMUNITY = "community", "In the community"
    CUSTODY = "custody", "In custody"
    HOSPITAL = "hospital", "In hospital"
    ABROAD = "abroad", "Abroad"
    MISSING = "missing", "Missing"
    DECEASED = "deceased", "Deceased"
    REMOVED = "removed", "Off the register"


# Offenders who count towards an officer's caseload: living in the community, missing ones included.
MANAGED_STATUSES = (OffenderStatus.COMMUNITY, OffenderStatus.MISSING)


@tracked_with_time_index("offenderevent_time_brin")
class Offender(models.Model):
    reference = models.CharField(max_length=40, help_text="Register reference, unique regardless of case")
    surname = models.CharField(max_length=150)
    forenames = models.CharField(max_length=150)
    date_of_birth = models.DateField()
    # No index of their own: offender_officer_status_idx leads with the officer, and a tier (one of four) is
    # never looked up alone but when a tier is deleted. Each index costs every write of the register.
    risk_tier = models.ForeignKey(RiskTier, on_delete=models.PROTECT, related_name="offenders", db_index=False)
    status = models.CharField(max_length=12, choices=OffenderStatus.choices, default=OffenderStatus.COMMUNITY)
    status_since = models.DateField(
        null=True, blank=True, help_text="The day the status last changed, where caseload saw it change"
    )
    officer = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="offenders",
        help_text="Blank means unallocated", db_index=False,
    )
    registered_on = models.DateField()
    registration_ends_on = models.DateField(null=True, blank=True)
    mappa_category = models.PositiveSmallIntegerField(null=True, blank=True)
    mappa_level = models.PositiveSmallIntegerField(null=True, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    visit_interval_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Override from the risk management plan; blank uses the tier's"
    )
    reactive = models.BooleanField(default=False, help_text="Reactive management: no scheduled home visits")
    first_notified_on = models.DateField(
        null=True, blank=True, help_text="The initial notification; blank: the day the notification period started"
    )
    last_notified_on = models.DateField(
        null=True, blank=True, help_text="The latest notification of any kind (the register's, or recorded here)"
    )
    no_fixed_abode = models.BooleanField(default=False, db_default=False, help_text="No fixed abode: notifies weekly")
    import_run = models.ForeignKey("ImportRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(Upper("reference"), name="offender_reference_unique_ci"),
            models.CheckConstraint(
                condition=Q(mappa_category__isnull=True) | Q(mappa_category__range=(1, 4)),
                name="offender_mappa_category_1_4",
            ),
            models.CheckConstraint(
                condition=Q(mappa_level__isnull=True) | Q(mappa_level__range=(1, 3)), name="offender_mappa_level_1_3"
            ),
            models.CheckConstraint(
                condition=Q(visit_interval_days__isnull=True) | Q(visit_interval_days__gt=0),
                name="offender_interval_positive",
            ),
            models.CheckConstraint(
                condition=Q(registration_ends_on__isnull=True) | Q(registration_ends_on__gte=models.F("registered_on")),
                name="offender_registration_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(status__in=OffenderStatus.values), name="offender_status_valid"),
        ]
        triggers = first_state_triggers()
        indexes = [
            models.Index(fields=["officer", "status"], name="offender_officer_status_idx"),
            models.Index(fields=["status", "risk_tier"], name="offender_status_tier_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def full_name(self) -> str:
        return f"{self.forenames} {self.surname}"


class ImportDigest(models.Model):
    """What the offender's row of the register file held when it was last imported (a hash of its cells,
    caseload/imports/register.py), so that a re-import passes over the rows that have not changed. Not part
    of the change history: it says nothing about the offender."""

    offender = models.OneToOneField(Offender, primary_key=True, on_delete=models.CASCADE, related_name="+")
    digest = models.BigIntegerField()

    def __str__(self) -> str:
        return f"Digest of offender {self.offender_id}'s last imported row"


@tracked()
class RiskAssessment(models.Model):
    """One dated tier decision; the newest is the offender's current tier."""

    class Tool(models.TextChoices):
        RM2000 = "rm2000", "Risk Matrix 2000"
        ARMS = "arms", "ARMS"
        OASYS = "oasys", "OASys"
        IMPORT = "import", "Imported"
        OTHER = "other", "Other"

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="assessments")
    risk_tier = models.ForeignKey(RiskTier, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField()
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    assessor_name = models.CharField(max_length=150, blank=True, help_text="The assessor as an import names them")
    tool = models.CharField(max_length=10, choices=Tool.choices, default=Tool.OTHER)
    notes = models.TextField(blank=True)
    import_run = models.ForeignKey("ImportRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["offender", "-assessed_on"], name="assessment_offender_idx")]
        triggers = first_state_triggers()  # a large load leaves its assessments out of the history until changed

    def __str__(self) -> str:
        return f"{self.risk_tier} on {self.assessed_on:%Y-%m-%d}"


class ImportRun(models.Model):
    """Every import, successful or not: who, when, which file, what it did."""

    class Kind(models.TextChoices):
        OFFICERS = "officers", "Officers"
        REGISTER = "register", "Register"
        VISITS = "visits", "Visit history"
        ASSESSMENTS = "assessments", "Risk assessment history"
        NOTIFICATIONS = "notifications", "Notifications"
        ORDERS = "orders", "Civil orders"
        ABSENCES = "absences", "Absences and reductions"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Validating"
        VALIDATED = "validated", "Validated, awaiting confirmation"
        RUNNING = "running", "Running"
        APPLIED = "applied", "Applied"
        UNCHANGED = "unchanged", "Applied: nothing changed"
        DRY_RUN = "dry_run", "Dry run"
        INVALID = "invalid", "Rejected: errors in file"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField(default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    dry_run = models.BooleanField(default=False)
    valid_rows_only = models.BooleanField(default=False)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now, help_text="When it was last handed to a worker")
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.DurationField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done while validating or applying")
    stage = models.CharField(max_length=60, blank=True)
    stored_file = models.CharField(max_length=255, blank=True, help_text="Uploaded file, relative to MEDIA_ROOT")
    errors_file = models.CharField(max_length=255, blank=True, help_text="Error list (CSV), relative to MEDIA_ROOT")
    history_left_out_at = models.DateTimeField(
        null=True, blank=True,
        help_text="Set when a large load left the rows it inserted out of the change history: each one's first"
        " state is recorded when it first changes (offenders/history.py)",
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="importrun_progress_percent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import of {self.file_name}"


class OffenderAccess(models.Model):
    """One read of offenders' records: who, when, which records, from where and how. A page or an API call
    names one offender (`offender`); an export names every offender in it (`offenders`, their ids in order),
    one entry for the whole export, so that logging a national export writes one row, not one per offender.

    Append-only: a trigger refuses updates and deletes, so the log cannot be edited to hide a read.
    """

    class Kind(models.TextChoices):
        DETAIL = "detail", "Record page"
        EXPORT = "export", "Export"
        API = "api", "API"
        ADMIN = "admin", "Administration page"

    # Checked once per statement by triggers (migrations 0007 and 0008), not row by row by foreign keys: a
    # key would look up and lock every offender, and cannot check the ids of an export. Indexed by
    # access_offender_idx, access_offenders_idx and access_user_idx.
    offender = models.ForeignKey(
        Offender, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False,
        db_index=False,
    )
    offenders = ArrayField(models.BigIntegerField(), null=True, blank=True,
                           help_text="The ids of the offenders an export held, in order")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_constraint=False, db_index=False,
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    accessed_at = models.DateTimeField(db_default=Now())
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True, help_text="Without the query string")
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name = "record access"
        verbose_name_plural = "record accesses"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["detail", "export", "api", "admin"]),
                                   name="offender_access_kind_valid"),
            models.CheckConstraint(
                condition=Q(offender__isnull=False, offenders__isnull=True)
                | Q(offender__isnull=True, offenders__isnull=False, offenders__len__gt=0),
                name="offender_access_one_or_many",
            ),
        ]
        indexes = [
            models.Index(fields=["offender", "-accessed_at"], name="access_offender_idx"),
            GinIndex(fields=["offenders"], name="access_offenders_idx"),
            models.Index(fields=["user", "-accessed_at"], name="access_user_idx"),
            models.Index(fields=["-accessed_at"], name="access_time_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="offender_access_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        read = self.offender_id if self.offenders is None else f"{len(self.offenders)} offenders"
        return f"{self.get_kind_display()} of {read} by {self.user_id} at {self.accessed_at:%Y-%m-%d %H:%M}"


# Who leads which team decides who sees which offenders, so it is history too.
tracked(model_name="TeamSupervisorsEvent")(Team.supervisors.through)


from offenders.availability_models import Absence, Cover, CoveredCase  # noqa: E402,F401 (availability, in its own file)
