"""Officers' availability: absences (leave, sickness, training, court, other) and reductions (hours a week taken out
for other duties), and the cover a supervisor assigns for an absent officer's cases. Beside the officers list, since
who is at work, like who leads which team, decides who sees which cases: a covering officer sees the cases covered
until the cover ends (offenders/selectors.py)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from offenders.history import tracked


class AbsenceKind(models.TextChoices):
    ANNUAL_LEAVE = "annual_leave", "Annual leave"
    SICKNESS = "sickness", "Sickness"
    TRAINING = "training", "Training"
    COURT = "court", "Court"
    OTHER = "other", "Other"
    REDUCTION = "reduction", "Reduction (hours a week)"


# Kinds that take the officer away for whole days; a reduction takes hours out of each week instead.
AWAY = [kind for kind in AbsenceKind.values if kind != AbsenceKind.REDUCTION]


@tracked()
class Absence(models.Model):
    """An officer away from `starts_on` to `ends_on` (both included), or, for a reduction, with `hours_per_week` taken
    out of their contracted hours over those dates."""

    officer = models.ForeignKey("offenders.Officer", on_delete=models.PROTECT, related_name="absences")
    kind = models.CharField(max_length=20, choices=AbsenceKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last day, included")
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True,
                                         help_text="A reduction: hours a week taken out")
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    import_run = models.ForeignKey("offenders.ImportRun", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AbsenceKind.values), name="absence_kind_valid"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="absence_ends_after_it_starts"),
            models.CheckConstraint(
                condition=Q(kind=AbsenceKind.REDUCTION, hours_per_week__gt=0, hours_per_week__lte=168)
                | (~Q(kind=AbsenceKind.REDUCTION) & Q(hours_per_week__isnull=True)),
                name="absence_hours_for_a_reduction_only"),
            models.UniqueConstraint(fields=["officer", "kind", "starts_on"], name="absence_once",
                                    violation_error_message="This officer already has an absence of this kind "
                                                            "starting that day."),
        ]
        indexes = [models.Index(fields=["officer", "ends_on"], name="absence_officer_end_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y}"

    @property
    def is_reduction(self) -> bool:
        return self.kind == AbsenceKind.REDUCTION


@tracked()
class Cover(models.Model):
    """An officer covering an absent colleague's cases until a date: they see those cases, marked as cover, until
    the day after `until`, when the cover ends by itself."""

    absence = models.OneToOneField(Absence, on_delete=models.PROTECT, related_name="cover")
    covers_for = models.ForeignKey("offenders.Officer", on_delete=models.PROTECT, related_name="+",
                                   help_text="The absent officer (the absence's)")
    officer = models.ForeignKey("offenders.Officer", on_delete=models.PROTECT, related_name="covers",
                                help_text="The covering officer")
    until = models.DateField(help_text="The last day of cover, included")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    rationale = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(officer=F("covers_for")), name="cover_by_another_officer"),
        ]
        indexes = [models.Index(fields=["officer", "until"], name="cover_officer_until_idx")]

    def __str__(self) -> str:
        return f"Cover until {self.until:%d/%m/%Y}"


class CoveredCase(models.Model):
    """One case a cover holds: those with something falling due during the absence when cover was assigned."""

    cover = models.ForeignKey(Cover, on_delete=models.CASCADE, related_name="cases")
    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cover", "offender"], name="covered_case_once")]
        indexes = [models.Index(fields=["offender"], name="covered_case_offender_idx")]

    def __str__(self) -> str:
        return f"Case {self.offender_id} under cover {self.cover_id}"
