"""The decisions list: every request to cancel or defer a visit and every bulk cancellation a user may see, whatever
became of it, newest first, as the page shows it and as inspectors export it. Batches are few (tens a year), and so
are requests next to visits, so the two are read whole for the period asked and merged here."""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from supervision.models import CancellationBatch, RequestState, VisitRequest
from supervision.selectors import batches_visible_to, requests_visible_to

HEADERS = ("Decision", "Kind", "Asked on", "Asked by", "Reason", "Offender reference", "Visit due", "Deferred to",
           "Visits", "Visits by tier", "Unseen now", "Unseen within 30 days", "Unseen within 90 days", "State",
           "Decided by", "Decided on", "Decision note", "Visits cancelled")


def who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def by_tier(cost: dict) -> str:
    return ", ".join(f"{tier} {n}" for tier, n in cost.get("by_tier", {}).items())


@dataclass(frozen=True)
class Decision:
    ref: str
    kind: str
    url: str
    asked_at: dt.datetime
    asked_by: str
    reason: str
    reference: str
    offender_id: int | None
    visit_due: dt.date | None
    defer_to: dt.date | None
    visits: int
    cost: dict
    state: str
    pending: bool
    decided_by: str
    decided_at: dt.datetime | None
    note: str
    cancelled: int | None

    @property
    def tiers(self) -> str:
        return by_tier(self.cost)

    def row(self) -> tuple:
        unseen = self.cost.get("unseen_within", {})
        return (self.ref, self.kind, f"{timezone.localtime(self.asked_at):%Y-%m-%d}", self.asked_by, self.reason,
                self.reference, self.visit_due or "", self.defer_to or "", self.visits, self.tiers,
                self.cost.get("unseen_now", ""), unseen.get("30", ""), unseen.get("90", ""), self.state,
                self.decided_by, f"{timezone.localtime(self.decided_at):%Y-%m-%d}" if self.decided_at else "",
                self.note, "" if self.cancelled is None else self.cancelled)


def of_request(r: VisitRequest) -> Decision:
    return Decision(
        ref=f"R{r.pk}", kind=r.get_kind_display(), url=reverse("supervision:decide", args=[r.pk]),
        asked_at=r.requested_at, asked_by=who(r.requested_by), reason=r.reason, reference=r.offender.reference,
        offender_id=r.offender_id, visit_due=r.visit.due_on, defer_to=r.defer_to, visits=1, cost={},
        state=r.get_state_display(), pending=r.state == RequestState.PENDING, decided_by=who(r.decided_by),
        decided_at=r.decided_at, note=r.decision_note, cancelled=1 if r.state == RequestState.APPROVED else None)


def of_batch(b: CancellationBatch) -> Decision:
    return Decision(
        ref=f"B{b.pk}", kind="Bulk cancellation", url=reverse("supervision:batch", args=[b.pk]),
        asked_at=b.requested_at, asked_by=who(b.requested_by), reason=b.reason, reference="", offender_id=None,
        visit_due=None, defer_to=None, visits=b.cost.get("visits", 0), cost=b.cost, state=b.get_state_display(),
        pending=b.state == RequestState.PENDING, decided_by=who(b.decided_by), decided_at=b.decided_at,
        note=b.decision_note, cancelled=b.cancelled)


def decisions(*, user, state: str = "", asked_from: dt.date | None = None,
              asked_to: dt.date | None = None) -> list[Decision]:
    """The requests and bulk cancellations the user may see, asked between the dates (inclusive), newest first."""
    requests, batches = requests_visible_to(user=user), batches_visible_to(user=user)
    if state:
        requests, batches = requests.filter(state=state), batches.filter(state=state)
    if asked_from:
        requests = requests.filter(requested_at__date__gte=asked_from)
        batches = batches.filter(requested_at__date__gte=asked_from)
    if asked_to:
        requests = requests.filter(requested_at__date__lte=asked_to)
        batches = batches.filter(requested_at__date__lte=asked_to)
    rows = [*map(of_request, requests), *map(of_batch, batches)]
    return sorted(rows, key=lambda d: d.asked_at, reverse=True)
