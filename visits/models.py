"""Home visits: one open visit per offender, and the history of every one completed or cancelled."""

import datetime as dt

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from offenders.history import first_state_triggers, tracked, tracked_with_time_index
from offenders.models import ImportRun, Offender, Officer, RiskAssessment, Team


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ATTEMPTED = "attempted", "Attempted (no access)"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (VisitStatus.SCHEDULED, VisitStatus.ATTEMPTED)


# closed_on is generated from the other columns, so the history leaves it out.
@tracked_with_time_index("visitevent_time_brin", exclude=["closed_on"])
class Visit(models.Model):
    class Kind(models.TextChoices):
        HOME_UNANNOUNCED = "home_unannounced", "Home, unannounced"
        HOME_ANNOUNCED = "home_announced", "Home, announced"

    class Outcome(models.TextChoices):
        SEEN = "seen", "Seen"
        NO_ACCESS = "no_access", "No access"
        MOVED = "moved", "No longer at address"

    # Indexed by visit_offender_due_idx and the unique constraints, which all lead with offender.
    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="visits", db_index=False)
    officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="visits")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED)
    completed_on = models.DateField(null=True, blank=True)
    cancelled_on = models.DateField(null=True, blank=True)
    # The day the visit stopped being open; "overdue on day D" is due_on < D and (closed_on is null or >= D).
    closed_on = models.GeneratedField(
        expression=Coalesce("completed_on", "cancelled_on"), output_field=models.DateField(), db_persist=True
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    notes = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    import_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["offender"], condition=Q(status__in=OPEN_STATUSES), name="visit_one_open_per_offender"
            ),
            models.UniqueConstraint(
                fields=["offender", "completed_on"], condition=Q(status=VisitStatus.COMPLETED),
                name="visit_one_completion_per_day",
            ),
            models.UniqueConstraint(
                fields=["offender", "due_on"], condition=Q(status=VisitStatus.CANCELLED),
                name="visit_one_cancellation_per_due_date",
            ),
            models.CheckConstraint(condition=Q(status__in=VisitStatus.values), name="visit_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=VisitStatus.COMPLETED) | Q(completed_on__isnull=False),
                name="visit_completed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=VisitStatus.CANCELLED)
                | (Q(cancelled_on__isnull=False) & ~Q(cancel_reason="")),
                name="visit_cancelled_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=OPEN_STATUSES) | Q(completed_on__isnull=True, cancelled_on__isnull=True),
                name="visit_open_has_no_closing_date",
            ),
        ]
        # A visit is to one offender's home for good (one logged against the wrong offender is cancelled and
        # logged again): its flags, its history and the flag job's reading of that history rely on it.
        triggers = [
            pgtrigger.Protect(name="visit_offender_kept", operation=pgtrigger.Update,
                              condition=pgtrigger.AnyChange("offender")),
            *first_state_triggers(),
        ]
        indexes = [
            # "Which open visits are due before D?" is a range scan (healthchecks' alert_after).
            models.Index(fields=["due_on"], condition=Q(status__in=OPEN_STATUSES), name="visit_open_due_idx"),
            models.Index(fields=["due_on", "closed_on"], name="visit_due_closed_idx"),
            models.Index(
                fields=["offender", "-completed_on"], condition=Q(status=VisitStatus.COMPLETED),
                name="visit_last_completed_idx",
            ),
            # A team's overdue visits and trend: found per offender from the index alone, no heap visits.
            models.Index(fields=["offender", "due_on"], include=["closed_on", "id"], name="visit_offender_due_idx"),
            # Most visits have no canceller and imported ones no recorder: index only the rows that do.
            models.Index(
                fields=["cancelled_by"], condition=Q(cancelled_by__isnull=False), name="visit_cancelled_by_idx"
            ),
            models.Index(fields=["recorded_by"], condition=Q(recorded_by__isnull=False), name="visit_recorded_by_idx"),
        ]

    def __str__(self) -> str:
        return f"Visit to {self.offender.reference} due {self.due_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class VisitAttempt(models.Model):
    """A call at the address that found nobody: the visit stays open."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="attempts")
    attempted_on = models.DateField()
    officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-attempted_on", "-id"]

    def __str__(self) -> str:
        return f"No access on {self.attempted_on:%Y-%m-%d}"


class CaseAction(models.Model):
    """Who did what to a case, when and why: one row per action, never updated or deleted."""

    class Kind(models.TextChoices):
        VISIT_CANCELLED = "visit_cancelled", "Visit cancelled"
        TIER_CHANGED = "tier_changed", "Tier changed"
        STATUS_CHANGED = "status_changed", "Status changed"
        REACTIVE_CHANGED = "reactive_changed", "Reactive management changed"
        REASSIGNED = "reassigned", "Reassigned"
        ADDRESS_LEFT = "address_left", "No longer at address"
        MAPPA_LEVEL_CHANGED = "mappa_level_changed", "MAPPA level changed"
        NOTIFICATION_ENDED = "notification_ended", "Notification requirement ended"
        VISIT_DEFERRED = "visit_deferred", "Visit deferred"
        REQUEST_MADE = "request_made", "Cancellation or deferral asked for"
        REQUEST_REJECTED = "request_rejected", "Cancellation or deferral rejected"

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="case_actions")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="case_actions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    needs_review = models.BooleanField(default=False, help_text="Raised for the supervisor's attention")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="case_action_has_reason"),
        ]
        indexes = [
            models.Index(fields=["offender", "-at"], name="case_action_offender_idx"),
            models.Index(fields=["at"], condition=Q(needs_review=True), name="case_action_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.at:%Y-%m-%d}"

    @property
    def change(self) -> str:
        """What changed, in a line: "risk tier: low → very_high; due on: 2017-03-02 → 2016-10-01"."""
        keys = [key for key in self.after if self.before.get(key) != self.after.get(key)]
        return "; ".join(
            f"{key.replace('_', ' ')}: {self.before.get(key, '—')} → {self.after[key]}" for key in keys
        )


class ReviewKind(models.TextChoices):
    ASSESSMENT = "assessment", "Risk assessment review"
    MAPPA = "mappa", "MAPPA review"
    NOTIFICATION = "notification", "Notification due"


# The MAPPA levels whose cases are reviewed at multi-agency meetings (level 1: the lead agency alone).
MAPPA_REVIEWED_LEVELS = (2, 3)


@tracked()
class MappaMeeting(models.Model):
    """A multi-agency meeting on a level 2 or 3 case: the level it decided and the date of the next review."""

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="mappa_meetings")
    held_on = models.DateField()
    level = models.PositiveSmallIntegerField(help_text="The MAPPA level decided (1-3)")
    next_review_on = models.DateField(null=True, blank=True, help_text="Blank: none set (the case is overdue)")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(level__range=(1, 3)), name="mappa_meeting_level_1_3"),
            models.CheckConstraint(condition=Q(next_review_on__isnull=True) | Q(next_review_on__gt=F("held_on")),
                                   name="mappa_meeting_next_review_after_it"),
        ]

    def __str__(self) -> str:
        return f"MAPPA meeting on {self.held_on:%Y-%m-%d}: level {self.level}"


@tracked_with_time_index("reviewevent_time_brin")
class Review(models.Model):
    """A due item of the case other than a visit, due on a date and closed the day it is done: the review of the risk
    assessment, due one review interval after the last assessment; for a level 2 or 3 case, the MAPPA review, due on
    the date its last meeting set; and the offender's next notification, due a year (a week with no fixed abode)
    after the last one (rules.py). Shaped like a visit, so that "overdue on day D" is the one rule,
    rules.overdue_on, and any past day is recounted from these rows."""

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="reviews", db_index=False)
    kind = models.CharField(max_length=12, choices=ReviewKind.choices, default=ReviewKind.ASSESSMENT)
    due_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True, help_text="The day it was held; blank while open")
    assessment = models.ForeignKey(
        RiskAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False,
        help_text="The assessment that closed it",
    )
    meeting = models.ForeignKey(
        MappaMeeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False,
        help_text="The MAPPA meeting that held it",
    )
    notification = models.ForeignKey(
        "notifications.Notification", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False, help_text="The notification that closed it",
    )
    brought_forward_because = models.CharField(
        max_length=80, blank=True, help_text="The event that moved its due date (a return, a move), if one did"
    )
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-due_on"]
        constraints = [
            models.UniqueConstraint(fields=["offender", "kind"], condition=Q(closed_on__isnull=True),
                                    name="review_one_open_per_offender_and_kind"),
            models.CheckConstraint(condition=Q(kind__in=ReviewKind.values), name="review_kind_valid"),
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(assessment__isnull=False)
                                   | ~Q(kind=ReviewKind.ASSESSMENT), name="review_closed_by_an_assessment"),
        ]
        indexes = [
            # "Which reviews are open and due before D?" (the flags), and an offender's reviews over time.
            models.Index(fields=["due_on"], condition=Q(closed_on__isnull=True), name="review_open_due_idx"),
            models.Index(fields=["offender", "due_on"], include=["closed_on"], name="review_offender_due_idx"),
        ]
        # A large load leaves the reviews it opens out of the history until they change (offenders/history.py).
        triggers = first_state_triggers()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class FlagKind(models.TextChoices):
    OVERDUE_VISIT = "overdue_visit", "Overdue visit"
    UNSEEN_OFFENDER = "unseen_offender", "Unseen offender"
    OVERLOADED_OFFICER = "overloaded_officer", "Overloaded officer"
    UNALLOCATED_OFFENDER = "unallocated_offender", "Unallocated offender"
    MISSING_OFFENDER = "missing_offender", "Missing offender"
    ASSESSMENT_OVERDUE = "assessment_overdue", "Assessment review overdue"
    MAPPA_OVERDUE = "mappa_overdue", "MAPPA review overdue"
    NON_COMPLIANT = "non_compliant", "Non-compliant: notification overdue"
    DIP_REVIEW_OVERDUE = "dip_review_overdue", "Dip-sample reviews overdue"


OFFENDER_FLAG_KINDS = (FlagKind.UNSEEN_OFFENDER, FlagKind.UNALLOCATED_OFFENDER, FlagKind.MISSING_OFFENDER,
                       FlagKind.ASSESSMENT_OVERDUE, FlagKind.MAPPA_OVERDUE, FlagKind.NON_COMPLIANT)
OFFICER_FLAG_KINDS = (FlagKind.OVERLOADED_OFFICER, FlagKind.DIP_REVIEW_OVERDUE)


# What the flags on an overdue due item call it, in a line.
DUE_ITEM_WORDS = {FlagKind.ASSESSMENT_OVERDUE: "assessment review", FlagKind.MAPPA_OVERDUE: "MAPPA review",
                  FlagKind.NON_COMPLIANT: "notification"}


class Flag(models.Model):
    """Something a supervisor must act on, open from `raised_at` until the job finds it resolved.

    Severity runs from 1 (least urgent) to 5 (most): see visits/flagging.py for the scale.
    """

    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    # The subject's existence is checked by statement triggers, once per statement over every row written,
    # instead of a foreign key's check per row (a first run writes a flag for a fifth of the register):
    # see the migration flag_subjects_checked_per_statement. Flags are found through the open-flag index.
    offender = models.ForeignKey(
        Offender, null=True, blank=True, on_delete=models.PROTECT, related_name="flags", db_index=False,
        db_constraint=False,
    )
    officer = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="flags", db_index=False,
        db_constraint=False,
    )
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="flags", db_index=False,
        db_constraint=False,
    )
    severity = models.PositiveSmallIntegerField()
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    worsened_at = models.DateTimeField(null=True, blank=True, help_text="When the severity last rose")
    details = models.JSONField(default=dict, blank=True)
    # The work queue (visits/flag_queue.py): who has seen the flag and who is to act on it. On the open flag's row,
    # which stays the same row while the flag is open, so a flag cleared and raised again starts afresh. No key
    # constraints, as for the subject: a key's trigger fires for every row the job inserts, NULL or not.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False,
        db_constraint=False,
    )
    assigned_to = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_flags", db_index=False,
        db_constraint=False,
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-severity", "raised_at"]
        constraints = [
            # One open flag per kind and subject.
            models.UniqueConstraint(
                fields=["offender", "kind", "officer", "visit"], condition=Q(cleared_at__isnull=True),
                nulls_distinct=False, name="flag_one_open_per_kind_and_subject",
            ),
            models.CheckConstraint(condition=Q(kind__in=FlagKind.values), name="flag_kind_valid"),
            models.CheckConstraint(condition=Q(severity__range=(1, 5)), name="flag_severity_1_5"),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True) | Q(cleared_at__gte=models.F("raised_at")),
                name="flag_cleared_after_raised",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=FlagKind.OVERDUE_VISIT, visit__isnull=False, offender__isnull=False, officer__isnull=True)
                    | Q(kind__in=OFFENDER_FLAG_KINDS, offender__isnull=False, visit__isnull=True,
                        officer__isnull=True)
                    | Q(kind__in=OFFICER_FLAG_KINDS, officer__isnull=False, offender__isnull=True,
                        visit__isnull=True)
                ),
                name="flag_subject_fits_kind",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__gte=models.F("raised_at"), acknowledged_by__isnull=False),
                name="flag_acknowledged_by_someone",
            ),
            models.CheckConstraint(  # assigning a flag acknowledges it
                condition=Q(assigned_to__isnull=True, assigned_at__isnull=True)
                | Q(assigned_to__isnull=False, assigned_at__isnull=False, acknowledged_at__isnull=False),
                name="flag_assigned_when_acknowledged",
            ),
        ]
        # Few indexes, since the first run on a large register inserts every flag at once: the open-flag
        # constraint's, led by the offender, also finds an offender's open flags; this one an officer's (the
        # overload flags, a few thousand at most).
        indexes = [
            models.Index(fields=["officer"], condition=Q(cleared_at__isnull=True, officer__isnull=False),
                         name="flag_open_officer_idx"),
            models.Index(fields=["assigned_to"], condition=Q(cleared_at__isnull=True, assigned_to__isnull=False),
                         name="flag_open_assigned_idx"),
        ]

    def __str__(self) -> str:
        subject = self.officer.staff_id if self.officer_id else self.offender.reference
        return f"{self.get_kind_display()}: {subject}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None

    def what(self, today) -> str:
        """What the flag is about, in a line without names: for the flags page and the digest."""
        details = self.details
        if self.kind == FlagKind.OVERLOADED_OFFICER:
            return (f"caseload {details.get('caseload')}, {details.get('caseload_per_fte')} per FTE against a "
                    f"ceiling of {details.get('ceiling')}, weighted capacity {details.get('capacity_pct')}%")
        if self.kind == FlagKind.DIP_REVIEW_OVERDUE:
            overdue = details.get("overdue")
            return (f"{overdue} dip-sample review{'s' if overdue != 1 else ''} of their visits overdue, the oldest "
                    f"due {details.get('due_on')}")
        if self.kind == FlagKind.OVERDUE_VISIT:
            due = dt.date.fromisoformat(details["due_on"])
            return f"visit due {due}, {(today - due).days} days late"
        if self.kind in DUE_ITEM_WORDS:
            due = dt.date.fromisoformat(details["due_on"])
            what = DUE_ITEM_WORDS[self.kind]
            return f"{what} due {due}, {(today - due).days} days late"
        if self.kind == FlagKind.UNSEEN_OFFENDER:
            return f"last seen {details.get('last_seen_on') or 'never (not visited since registration)'}"
        return self.get_kind_display().lower()


class OfficerSnapshot(models.Model):
    """One officer's figures at the start of a day, for trends."""

    day = models.DateField()
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="snapshots")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    in_community = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    caseload = models.PositiveIntegerField(default=0)
    fte = models.DecimalField("FTE", max_digits=3, decimal_places=2)
    caseload_per_fte = models.DecimalField(max_digits=10, decimal_places=1)
    weighted_points = models.DecimalField(max_digits=12, decimal_places=2)
    capacity_pct = models.DecimalField(max_digits=10, decimal_places=1)
    overdue = models.PositiveIntegerField(default=0)
    overdue_by_tier = models.JSONField(default=dict)
    unseen = models.PositiveIntegerField(default=0)
    overloaded = models.BooleanField(default=False)
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "officer"]
        constraints = [models.UniqueConstraint(fields=["day", "officer"], name="officer_snapshot_one_per_day")]

    def __str__(self) -> str:
        return f"{self.officer.staff_id} on {self.day:%Y-%m-%d}"


class TeamSnapshot(models.Model):
    """One team's figures at the start of a day. The row without a team holds the unallocated offenders."""

    day = models.DateField()
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="snapshots")
    in_community = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    caseload = models.PositiveIntegerField(default=0)
    fte = models.DecimalField("FTE", max_digits=8, decimal_places=2, default=0)
    caseload_per_fte = models.DecimalField(max_digits=10, decimal_places=1, null=True, blank=True)
    capacity_pct = models.DecimalField(max_digits=10, decimal_places=1, null=True, blank=True)
    overdue = models.PositiveIntegerField(default=0)
    overdue_by_tier = models.JSONField(default=dict)
    unseen = models.PositiveIntegerField(default=0)
    unallocated = models.PositiveIntegerField(default=0)
    overloaded_officers = models.PositiveIntegerField(default=0)
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "team"]
        constraints = [
            models.UniqueConstraint(fields=["day", "team"], nulls_distinct=False, name="team_snapshot_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.team or 'Unallocated'} on {self.day:%Y-%m-%d}"


class SupervisorDigest(models.Model):
    """A digest e-mail sent to a team's supervisors; the next one lists what changed since."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="digests")
    sent_at = models.DateTimeField()
    recipients = models.PositiveSmallIntegerField(default=0)
    new_flags = models.PositiveIntegerField(default=0)
    worsened_flags = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["team", "-sent_at"], name="digest_team_sent_idx")]

    def __str__(self) -> str:
        return f"Digest to {self.team} at {self.sent_at:%Y-%m-%d %H:%M}"


class FlagRun(models.Model):
    """A run of the flag job: the day it flagged as of, over what, and what it did."""

    class Scope(models.TextChoices):
        REGISTER = "register", "The whole register"
        CHANGES = "changes", "What changed since the last run"

    as_of = models.DateField()
    policy = models.CharField(max_length=400, help_text="Settings and flag kinds the flags depend on")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.REGISTER)
    offenders_looked_at = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: every offender")
    watermark = models.DateTimeField(
        null=True, blank=True,
        help_text="Writes begun at or after this instant may postdate the run: the next run reads them from the "
                  "change history. Blank: not known, so the next run is over the whole register.",
    )
    raised = models.PositiveIntegerField(default=0)
    cleared = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Flag run as of {self.as_of:%Y-%m-%d} at {self.started_at:%Y-%m-%d %H:%M}"


from visits.flag_models import FlagAction  # noqa: E402,F401 (the flags' work queue, in a file of its own)
