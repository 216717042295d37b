"""What the offender must notify (Sexual Offences Act 2003, Part 2) and the civil orders on them: each notification
made, each order with its dates, and each review of an indefinite notification requirement. The notification that
falls due next is a due item of the case (visits.models.Review, kind `notification`), so that "overdue on day D"
is the one rule (visits/rules.py)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from offenders.history import tracked
from offenders.models import ImportRun, Offender


class NotificationKind(models.TextChoices):
    INITIAL = "initial", "Initial"
    PERIODIC = "periodic", "Periodic"
    WEEKLY = "weekly", "Weekly (no fixed abode)"
    CHANGE = "change", "Change of circumstances"
    TRAVEL = "travel", "Foreign travel"


@tracked()
class Notification(models.Model):
    """A notification the offender made at a police station. A change may give a new address; a travel notice gives
    the trip's destination and dates. Identified by its offender, date and kind (notifications.csv)."""

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="notifications")
    notified_on = models.DateField()
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    details = models.TextField(blank=True)
    address = models.TextField(blank=True, help_text="A change of address: the new address")
    postcode = models.CharField(max_length=12, blank=True)
    destination = models.CharField(max_length=200, blank=True, help_text="Foreign travel: where to")
    departs_on = models.DateField(null=True, blank=True)
    returns_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    import_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-notified_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offender", "notified_on", "kind"], name="notification_one_per_day_kind",
                violation_error_message="A notification of this kind on this day is already recorded for this"
                " offender."),
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"),
            models.CheckConstraint(
                condition=Q(returns_on__isnull=True) | Q(departs_on__isnull=True) | Q(returns_on__gte=F("departs_on")),
                name="notification_trip_returns_after_departure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} notification on {self.notified_on:%Y-%m-%d}"


class OrderKind(models.TextChoices):
    SHPO = "shpo", "Sexual Harm Prevention Order"
    TRAVEL_PROHIBITION = "travel_prohibition", "Foreign travel prohibition"
    NOTIFICATION_ORDER = "notification_order", "Notification order"
    OTHER = "other", "Other order"


@tracked()
class CivilOrder(models.Model):
    """A civil order on the offender, in force from `starts_on` to `ends_on` (blank: until further order), both
    days included. Identified by its offender, kind and start (orders.csv)."""

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=20, choices=OrderKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Blank: until further order")
    conditions = models.TextField(blank=True)
    import_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ends_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offender", "kind", "starts_on"], name="order_one_per_kind_and_start",
                violation_error_message="This offender already has an order of this kind starting that day."),
            models.CheckConstraint(condition=Q(kind__in=OrderKind.values), name="order_kind_valid"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                                   name="order_ends_after_it_starts"),
        ]
        indexes = [models.Index(fields=["ends_on"], name="order_ends_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.starts_on:%Y-%m-%d}"


class ReviewOutcome(models.TextChoices):
    GRANTED = "granted", "Granted: the requirement ends"
    REFUSED = "refused", "Refused"


@tracked()
class IndefiniteReview(models.Model):
    """The outcome of an application to review an indefinite notification requirement (s.91A-F). Granted, the
    requirement ends that day; refused, the offender may apply again 8 years later (visits/rules.py)."""

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="indefinite_reviews")
    decided_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["offender", "decided_on"], name="indefinite_review_one_per_day",
                                    violation_error_message="A review decided on this day is already recorded."),
            models.CheckConstraint(condition=Q(outcome__in=ReviewOutcome.values), name="indefinite_review_outcome"),
        ]

    def __str__(self) -> str:
        return f"Review of indefinite notification on {self.decided_on:%Y-%m-%d}: {self.outcome}"
