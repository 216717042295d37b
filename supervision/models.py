"""Supervision: what one person asks and a second decides. A visit is cancelled or deferred only when a supervisor
of its team (or an admin) who did not ask for it approves the request (../README.md, "Supervision")."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from offenders.history import tracked
from offenders.models import Offender
from visits.models import Visit


class RequestKind(models.TextChoices):
    CANCEL = "cancel", "Cancel the visit"
    DEFER = "defer", "Defer the visit"


class RequestState(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    LAPSED = "lapsed", "Lapsed (the visit was closed first)"


DECIDED = (RequestState.APPROVED, RequestState.REJECTED)


class TwoPersonDecision(models.Model):
    """Who asked and when, and the second person's decision: the state, who, when and why."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=RequestState.choices, default=RequestState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        abstract = True


@tracked()
class VisitRequest(TwoPersonDecision):
    """A request that an open visit be cancelled, or deferred to a later date, and its decision. Until it is approved
    the visit stays open (and overdue when it is); a deferral, once approved, closes the visit as cancelled and opens
    one due on the new date, so that the days it was overdue stay counted."""

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="visit_requests")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    defer_to = models.DateField(null=True, blank=True, help_text="A deferral: the new due date")
    reason = models.TextField()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit"], condition=Q(state=RequestState.PENDING), name="visit_request_one_pending_per_visit",
                violation_error_message="A request for this visit is already waiting for a decision."),
            models.CheckConstraint(condition=Q(kind__in=RequestKind.values), name="visit_request_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=RequestState.values), name="visit_request_state_valid"),
            models.CheckConstraint(condition=~Q(reason=""), name="visit_request_has_reason"),
            models.CheckConstraint(
                condition=Q(kind=RequestKind.DEFER, defer_to__isnull=False)
                | Q(kind=RequestKind.CANCEL, defer_to__isnull=True),
                name="visit_request_deferral_has_date"),
            models.CheckConstraint(  # decided: by whom and when; waiting: neither; lapsed: when only
                condition=Q(state=RequestState.PENDING, decided_at__isnull=True, decided_by__isnull=True)
                | Q(state__in=DECIDED, decided_at__isnull=False, decided_by__isnull=False)
                | Q(state=RequestState.LAPSED, decided_at__isnull=False, decided_by__isnull=True),
                name="visit_request_decision_complete"),
            models.CheckConstraint(  # two people: the one who asks never decides
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="visit_request_decided_by_another"),
        ]
        indexes = [models.Index(fields=["requested_at"], condition=Q(state=RequestState.PENDING),
                                name="visit_request_pending_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"


@tracked()
class CancellationBatch(TwoPersonDecision):
    """A proposal to cancel every visit of a filtered overdue table at once, with one reason, and the cost it showed
    before anyone was asked (visits by tier, offenders unseen now and within 30 and 90 days if these visits are not
    made). A second supervisor or an admin approves or rejects it as a whole: one recorded decision with its list."""

    reason = models.TextField()
    filters = models.JSONField(default=dict, blank=True, help_text="The overdue table's filters, as chosen")
    cost = models.JSONField(default=dict, blank=True, help_text="The figures as shown when it was proposed")
    visits = models.ManyToManyField(Visit, through="BatchVisit", related_name="+")
    cancelled = models.PositiveIntegerField(null=True, blank=True,
                                            help_text="Visits cancelled by the approval (those still open then)")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="batch_has_reason"),
            models.CheckConstraint(condition=Q(state__in=(RequestState.PENDING, *DECIDED)), name="batch_state_valid"),
            models.CheckConstraint(
                condition=Q(state=RequestState.PENDING, decided_at__isnull=True, decided_by__isnull=True)
                | Q(state__in=DECIDED, decided_at__isnull=False, decided_by__isnull=False),
                name="batch_decision_complete"),
            models.CheckConstraint(condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                                   name="batch_decided_by_another"),
            models.CheckConstraint(condition=Q(cancelled__isnull=True) | Q(state=RequestState.APPROVED),
                                   name="batch_cancels_only_when_approved"),
        ]

    def __str__(self) -> str:
        return f"Bulk cancellation {self.pk} ({self.get_state_display()})"


class BatchVisit(models.Model):
    """One visit of a bulk cancellation, with its offender (a case's page finds its batches through it)."""

    batch = models.ForeignKey(CancellationBatch, on_delete=models.PROTECT, related_name="items")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")
    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "visit"], name="batch_visit_once")]
        indexes = [models.Index(fields=["offender"], name="batch_visit_offender_idx")]

    def __str__(self) -> str:
        return f"Visit {self.visit_id} in bulk cancellation {self.batch_id}"


from supervision.dip_models import DipSample, DipSamplePolicy  # noqa: E402,F401
