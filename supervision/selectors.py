"""Reads of the two-person decisions: requests and bulk cancellations waiting, those a user may see, and the
decisions list (every request and batch, whatever became of it) that inspectors export."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from offenders.models import Offender
from offenders.roles import Role, role_of
from offenders.selectors import offenders_visible_to
from supervision.models import BatchVisit, CancellationBatch, RequestState, VisitRequest
from visits.models import OPEN_STATUSES

# A request waits for a decision while it is pending and its visit open: one whose visit was closed meanwhile (logged,
# or cancelled by a change of status) waits for nothing; deciding it lapses it.
WAITING = Q(state=RequestState.PENDING, visit__status__in=OPEN_STATUSES)


def requests_visible_to(*, user) -> QuerySet[VisitRequest]:
    """The requests on the cases a user may see."""
    return (VisitRequest.objects.filter(offender__in=offenders_visible_to(user=user))
            .select_related("offender__risk_tier", "offender__officer", "visit", "requested_by", "decided_by"))


def requests_waiting(*, user) -> QuerySet[VisitRequest]:
    """Requests waiting for a decision (WAITING) on the cases the user may see, oldest first."""
    return requests_visible_to(user=user).filter(WAITING).order_by("requested_at", "id")


def request_waiting_for(offender: Offender) -> VisitRequest | None:
    """The request waiting for a decision on the case: one at most (one pending per visit, one open visit per case)."""
    return requests_waiting_for(offender).select_related("requested_by").first()


def requests_waiting_for(offender: Offender | OuterRef) -> QuerySet[VisitRequest]:
    return VisitRequest.objects.filter(WAITING, offender=offender)


def batches_visible_to(*, user) -> QuerySet[CancellationBatch]:
    """The bulk cancellations a user may read and decide: an admin every one; a supervisor those whose every case is
    in their teams (an admin's batch across teams is for admins); nobody else any."""
    batches = CancellationBatch.objects.select_related("requested_by", "decided_by")
    role = role_of(user)
    if role == Role.ADMIN:
        return batches
    if role != Role.SUPERVISOR:
        return batches.none()
    outside = BatchVisit.objects.filter(batch=OuterRef("pk")).exclude(offender__in=offenders_visible_to(user=user))
    return batches.exclude(Exists(outside))


def batches_waiting(*, user) -> QuerySet[CancellationBatch]:
    return batches_visible_to(user=user).filter(state=RequestState.PENDING).order_by("requested_at", "id")


def batches_of(offender: Offender) -> QuerySet[CancellationBatch]:
    """The bulk cancellations that held one of the case's visits, newest first."""
    return (CancellationBatch.objects.filter(Exists(BatchVisit.objects.filter(batch=OuterRef("pk"), offender=offender)))
            .select_related("requested_by", "decided_by"))
