"""Two people for every cancellation or deferral of a visit: anyone who may act on the case asks, with a reason; a
supervisor of the team or an admin who did not ask decides, with a note. Nothing happens to the visit until then.

Every write locks the offender first, as the visits' services do (visits/services.py), so two decisions on the same
request at the same moment are served one after the other, and the second finds it decided.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from offenders.models import Offender
from offenders.roles import Role, role_of
from supervision.models import CancellationBatch, RequestKind, RequestState, VisitRequest
from visits import services as visits
from visits.models import CaseAction
from visits.selectors import today

DECIDING_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def _check_deferral(to: dt.date | None, due_on: dt.date) -> None:
    if to is None:
        raise ValidationError({"defer_to": "Give the date the visit is deferred to."})
    if to <= due_on or to < today():
        raise ValidationError({"defer_to": f"Defer to a date after the visit's due date ({due_on:%d/%m/%Y}) and not "
                                           f"before today ({today():%d/%m/%Y})."})


@transaction.atomic
def visit_request_make(*, offender: Offender, visit_id: int | None, user, kind: str, reason: str,
                       defer_to: dt.date | None = None) -> VisitRequest:
    """Ask for the open visit to be cancelled, or deferred to `defer_to`; a second person decides."""
    reason = visits.reason_required(reason)
    if kind not in RequestKind.values:
        raise ValidationError({"kind": f"Unknown request {kind!r}: cancel or defer."})
    offender = visits.offender_locked(offender)
    visit = visits.expected_open_visit(offender, visit_id)
    if visit is None:
        raise ValidationError("This offender has no open visit to cancel or defer.")
    if kind == RequestKind.DEFER:
        _check_deferral(defer_to, visit.due_on)
    waiting = visit.requests.filter(state=RequestState.PENDING).select_related("requested_by").first()
    if waiting is not None:
        asked_on, asker = timezone.localdate(waiting.requested_at), visits.who(waiting.requested_by)
        raise ValidationError(f"{waiting.get_kind_display()} was already asked for by {asker} on {asked_on:%d/%m/%Y}"
                              " and waits for a decision.")
    request = VisitRequest(offender=offender, visit=visit, kind=kind, reason=reason, requested_by=user,
                           defer_to=defer_to if kind == RequestKind.DEFER else None)
    request.full_clean(exclude=["offender", "visit", "requested_by"])
    request.save()
    after = {"request": kind, **({"defer_to": defer_to.isoformat()} if request.defer_to else {})}
    visits.case_action_record(offender, kind=CaseAction.Kind.REQUEST_MADE, user=user, reason=reason, visit=visit,
                              before={"due_on": visit.due_on.isoformat()}, after=after)
    return request


def check_decider(request: VisitRequest | CancellationBatch, user) -> None:
    """A request or a batch is decided once, by a supervisor or an admin who did not ask for it."""
    if request.state != RequestState.PENDING:
        decided = timezone.localdate(request.decided_at)
        by = f" by {visits.who(request.decided_by)}" if request.decided_by else ""
        what = "batch" if isinstance(request, CancellationBatch) else "request"
        raise ValidationError(f"This {what} was already {request.get_state_display().lower()}{by} on "
                              f"{decided:%d/%m/%Y}. Nothing was changed.", code="conflict")
    if request.requested_by_id == user.pk:
        raise ValidationError("You asked for this: another supervisor of the team or an admin must decide it.")
    if role_of(user) not in DECIDING_ROLES:
        raise ValidationError("Only a supervisor of the team or an admin may decide a request.")


def decision_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Add a note: it is recorded with the decision."})
    return note


def _decided(request: VisitRequest, *, state: str, user, note: str) -> VisitRequest:
    request.state, request.decided_by, request.decided_at, request.decision_note = state, user, timezone.now(), note
    request.full_clean(exclude=["offender", "visit", "requested_by", "decided_by"])
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    return request


@transaction.atomic
def visit_request_decide(*, request: VisitRequest, user, approve: bool, note: str) -> VisitRequest:
    """Approve (the visit is cancelled or deferred, with both names in the case's actions) or reject a request.

    A request whose visit was closed meanwhile (logged, or cancelled by a change of status) lapses instead."""
    note = decision_note(note)
    offender = visits.offender_locked(request.offender)
    request = VisitRequest.objects.select_for_update(of=("self",)).select_related("requested_by", "decided_by").get(
        pk=request.pk)
    check_decider(request, user)
    visit = visits.open_visit_locked(offender)
    if visit is None or visit.pk != request.visit_id:
        request.state, request.decided_at = RequestState.LAPSED, timezone.now()
        request.save(update_fields=["state", "decided_at"])
        return request
    if not approve:
        visits.case_action_record(offender, kind=CaseAction.Kind.REQUEST_REJECTED, user=user, visit=visit,
                                  reason=note, before={"request": request.kind},
                                  after={"asked_by": visits.who(request.requested_by), "rejected_by": visits.who(user)})
        return _decided(request, state=RequestState.REJECTED, user=user, note=note)
    common = {"offender": offender, "visit": visit, "asked_by": request.requested_by, "user": user,
              "reason": request.reason, "note": note}
    if request.kind == RequestKind.DEFER:
        _check_deferral(request.defer_to, visit.due_on)
        visits.visit_defer_approved(**common, to=request.defer_to)
    else:
        visits.visit_cancel_approved(**common)
    return _decided(request, state=RequestState.APPROVED, user=user, note=note)
