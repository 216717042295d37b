"""Home visits: one open visit per offender, and the history of every one completed or cancelled."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from offenders.history import tracked
from offenders.models import ImportRun, Offender, Officer


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ATTEMPTED = "attempted", "Attempted (no access)"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (VisitStatus.SCHEDULED, VisitStatus.ATTEMPTED)


# closed_on is generated from the other columns, so the history leaves it out.
@tracked(exclude=["closed_on"])
class Visit(models.Model):
    class Kind(models.TextChoices):
        HOME_UNANNOUNCED = "home_unannounced", "Home, unannounced"
        HOME_ANNOUNCED = "home_announced", "Home, announced"

    class Outcome(models.TextChoices):
        SEEN = "seen", "Seen"
        NO_ACCESS = "no_access", "No access"
        MOVED = "moved", "No longer at address"

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="visits")
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
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
