"""Dip samples: each month a reproducible random sample of the cases each officer visited goes to a supervisor of
their team for a quality review (../shared/domain.md, "Supervision"). A sample is a due item like a visit: due 28
days after it was drawn, closed on the day it was reviewed, so that visits/rules.py's `overdue_on` applies as it is."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from offenders.history import tracked
from offenders.models import Offender, Officer, Team
from visits.models import Visit

DEFAULT_PERCENT = 5
DEFAULT_MINIMUM = 2
REVIEW_DAYS = 28  # a review not done this many days after the draw is overdue


@tracked()
class DipSamplePolicy(models.Model):
    """A team's dip-sample policy (local policy); a team without one samples DEFAULT_PERCENT, at least
    DEFAULT_MINIMUM. Kept beside the team rather than on it, so that the register's table is not migrated for it."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="dip_sample_policy")
    percent = models.PositiveSmallIntegerField(default=DEFAULT_PERCENT,
                                               help_text="Share of each officer's visited cases sampled, in %")
    minimum = models.PositiveSmallIntegerField(default=DEFAULT_MINIMUM,
                                               help_text="Cases sampled per officer at least (all, if fewer)")

    class Meta:
        verbose_name = "dip-sample policy"
        verbose_name_plural = "dip-sample policies"
        constraints = [
            models.CheckConstraint(condition=Q(percent__range=(1, 100)), name="dip_policy_percent_1_100"),
            models.CheckConstraint(condition=Q(minimum__gte=1), name="dip_policy_minimum_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.percent}%, at least {self.minimum}"


class DipOutcome(models.TextChoices):
    SATISFACTORY = "satisfactory", "Satisfactory"
    ACTION_NEEDED = "action_needed", "Action needed"


@tracked()
class DipSample(models.Model):
    """One case of an officer's monthly dip sample, with its review. `month` is the month whose visits were sampled
    (its first day); `due_on` is 28 days after the draw and `closed_on` the day of the review, the due item's two
    columns (rules.overdue_on)."""

    month = models.DateField(help_text="The month sampled: its first day")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="dip_samples")
    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="dip_samples")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")
    drawn_on = models.DateField()
    due_on = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True, help_text="The day of the review")
    outcome = models.CharField(max_length=20, choices=DipOutcome.choices, blank=True)
    note = models.TextField(blank=True)
    follow_up_on = models.DateField(null=True, blank=True, help_text="When action is needed: when to follow it up")

    class Meta:
        ordering = ["-month", "officer_id", "id"]
        constraints = [
            # "Never samples a case twice in one month", whoever visited it.
            models.UniqueConstraint(fields=["month", "offender"], name="dip_sample_case_once_a_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="dip_sample_month_first_day"),
            models.CheckConstraint(condition=Q(outcome="") | Q(outcome__in=DipOutcome.values),
                                   name="dip_sample_outcome_valid"),
            models.CheckConstraint(  # reviewed: by whom, when, with what and why; waiting: none of it
                condition=Q(reviewer__isnull=True, reviewed_at__isnull=True, closed_on__isnull=True, outcome="",
                            note="")
                | (Q(reviewer__isnull=False, reviewed_at__isnull=False, closed_on__isnull=False) & ~Q(outcome="")
                   & ~Q(note="")),
                name="dip_sample_review_complete"),
            models.CheckConstraint(  # a follow-up date when, and only when, action is needed
                condition=Q(outcome=DipOutcome.ACTION_NEEDED, follow_up_on__isnull=False)
                | (~Q(outcome=DipOutcome.ACTION_NEEDED) & Q(follow_up_on__isnull=True)),
                name="dip_sample_follow_up_iff_action_needed"),
        ]
        indexes = [
            # The reviews still to do, by due date: "which are overdue?" is a range scan.
            models.Index(fields=["due_on"], condition=Q(closed_on__isnull=True), name="dip_sample_open_due_idx"),
            models.Index(fields=["team", "month"], name="dip_sample_team_month_idx"),
            models.Index(fields=["officer", "month"], name="dip_sample_officer_month_idx"),
        ]

    def __str__(self) -> str:
        return f"Dip sample {self.month:%Y-%m}, {self.offender_id}"

    @property
    def reviewed(self) -> bool:
        return self.closed_on is not None
