"""Bulk cancellation, with its cost shown first: a supervisor proposes cancelling every visit of a filtered overdue
table with one reason; the page shows what that costs (visits by tier; offenders unseen today, and within 30 and 90
days if these visits are not made, by the unseen rule); a second supervisor or an admin approves or rejects the batch
as a whole. Approved, it is one decision with its list, its figures as shown and both names; each case's actions
record its cancellation."""

import datetime as dt
import hashlib

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.utils import timezone

from caseload.dashboards.selectors import AnyOf
from offenders.models import Offender
from offenders.selectors import offenders_visible_to
from supervision.models import BatchVisit, CancellationBatch, RequestState
from supervision.services import check_decider, decision_note
from visits.flagging import flags_refresh_for
from visits.models import OPEN_STATUSES, CaseAction, Flag, Visit, VisitStatus
from visits.selectors import today, unseen_among
from visits.services import reason_required, who

UNSEEN_HORIZONS = (30, 90)  # days ahead the cost looks for offenders who would become unseen


def batch_cost(overdue: QuerySet[Flag], as_of: dt.date) -> dict:
    """What cancelling the overdue visits behind these flags would cost, as the proposal page shows it."""
    by_tier = (overdue.order_by().values(tier=F("offender__risk_tier__name"), rank=F("offender__risk_tier__order"))
               .annotate(n=Count("id")).order_by("-rank"))
    # The offenders are read first, as an array: the flags just written may have no statistics yet, and a semi-join
    # planned on a guess of one row re-reads every flag for every offender of the register.
    offenders = Offender.objects.filter(AnyOf(F("pk"), ArraySubquery(overdue.order_by().values("offender_id"))))
    unseen = {str(days): unseen_among(offenders, as_of + dt.timedelta(days=days)).count() for days in UNSEEN_HORIZONS}
    return {"as_of": as_of.isoformat(), "visits": sum(row["n"] for row in by_tier),
            "by_tier": {row["tier"]: row["n"] for row in by_tier},
            "unseen_now": unseen_among(offenders, as_of).count(), "unseen_within": unseen}


def shown_token(overdue: QuerySet[Flag]) -> str:
    """A digest of the visits a page showed, so that the batch saved is the one whose cost was read."""
    ids = ",".join(map(str, overdue.order_by("visit_id").values_list("visit_id", flat=True)))
    return hashlib.sha256(ids.encode()).hexdigest()[:32]


@transaction.atomic
def batch_propose(*, user, overdue: QuerySet[Flag], filters: dict, reason: str, shown: str) -> CancellationBatch:
    """Propose cancelling the overdue visits behind `overdue` (the filtered table the user saw)."""
    reason = reason_required(reason)
    rows = list(overdue.order_by("visit_id").values_list("visit_id", "offender_id"))
    if not rows:
        raise ValidationError("No overdue visits match these filters: there is nothing to cancel.")
    if shown != shown_token(overdue):
        raise ValidationError("The overdue visits changed since the figures were shown (a visit logged or a flag "
                              "raised meanwhile). Nothing was saved: check the new figures and propose again.",
                              code="changed")
    batch = CancellationBatch(reason=reason, filters=filters, cost=batch_cost(overdue, today()), requested_by=user)
    batch.full_clean(exclude=["requested_by"])
    batch.save()
    BatchVisit.objects.bulk_create(BatchVisit(batch=batch, visit_id=v, offender_id=o) for v, o in rows)
    return batch


def _cancel_the_batch(batch: CancellationBatch, user, note: str) -> int:
    """Cancel the batch's visits that are still open, set-based, with one case action each; their offenders are
    locked first, in id order, as every service locks an offender before its visit."""
    items = BatchVisit.objects.filter(batch=batch)
    offenders = list(Offender.objects.select_for_update(no_key=True).filter(pk__in=items.values("offender_id"))
                     .order_by("pk").values_list("pk", flat=True))
    on = today()
    cancelled_before = Visit.objects.filter(offender=OuterRef("offender"), due_on=OuterRef("due_on"),
                                            status=VisitStatus.CANCELLED)
    still_open = (Visit.objects.filter(pk__in=items.values("visit_id"), status__in=OPEN_STATUSES)
                  .exclude(Exists(cancelled_before)))
    visits = list(still_open.select_for_update(no_key=True).values("pk", "offender_id", "due_on"))
    reason = f"Bulk cancellation {batch.pk}: {batch.reason}"
    Visit.objects.filter(pk__in=[v["pk"] for v in visits]).update(
        status=VisitStatus.CANCELLED, cancelled_on=on, cancel_reason=reason, cancelled_by=user)
    names = {"asked_by": who(batch.requested_by), "approved_by": who(user)}
    CaseAction.objects.bulk_create(
        CaseAction(offender_id=v["offender_id"], visit_id=v["pk"], kind=CaseAction.Kind.VISIT_CANCELLED, user=user,
                   reason=f"{reason} (asked by {names['asked_by']}; approved: {note})",
                   before={"status": VisitStatus.SCHEDULED, "due_on": v["due_on"].isoformat()},
                   after={"status": VisitStatus.CANCELLED, "batch": batch.pk, **names})
        for v in visits)
    officers = Offender.objects.filter(pk__in=offenders, officer__isnull=False).values_list("officer_id", flat=True)
    flags_refresh_for(offenders=offenders, officers=list(set(officers)))
    return len(visits)


@transaction.atomic
def batch_decide(*, batch: CancellationBatch, user, approve: bool, note: str) -> CancellationBatch:
    """Approve (every visit of the batch still open is cancelled) or reject a proposed bulk cancellation."""
    note = decision_note(note)
    batch = (CancellationBatch.objects.select_for_update(of=("self",)).select_related("requested_by", "decided_by")
             .get(pk=batch.pk))
    check_decider(batch, user)
    outside = BatchVisit.objects.filter(batch=batch).exclude(offender__in=offenders_visible_to(user=user))
    if outside.exists():
        raise ValidationError("This batch holds cases outside your teams: a supervisor of their teams or an admin "
                              "must decide it.")
    if approve:
        batch.cancelled = _cancel_the_batch(batch, user, note)
    batch.state = RequestState.APPROVED if approve else RequestState.REJECTED
    batch.decided_by, batch.decided_at, batch.decision_note = user, timezone.now(), note
    batch.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "cancelled"])
    return batch
