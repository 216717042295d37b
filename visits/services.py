"""Writes to visits and cases: logging a visit, and the supervisor's actions on a case.

Every service locks the offender row first (then the open visit), so that two people acting on
the same case at the same moment are served one after the other, and the second sees the first's work.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from offenders.models import Offender, OffenderStatus, Officer, RiskAssessment, RiskTier
from visits import reviews, rules
from visits.flagging import flags_refresh_for
from visits.models import (
    MAPPA_REVIEWED_LEVELS,
    OPEN_STATUSES,
    CaseAction,
    MappaMeeting,
    Visit,
    VisitAttempt,
    VisitStatus,
)
from visits.selectors import today

# Statuses in which nobody is visited at home: the open visit is cancelled and none is scheduled.
SUSPENDED_STATUSES = (OffenderStatus.CUSTODY, OffenderStatus.HOSPITAL, OffenderStatus.ABROAD, OffenderStatus.MISSING)
ENDED_STATUSES = (OffenderStatus.DECEASED, OffenderStatus.REMOVED)
# Away: a notification falling due meanwhile falls due after the return (rules.notification_after_return).
AWAY_STATUSES = (OffenderStatus.CUSTODY, OffenderStatus.HOSPITAL, OffenderStatus.ABROAD)


def schedules_visits(offender: Offender) -> bool:
    """Only offenders living in the community and not on reactive management get scheduled visits."""
    return offender.status == OffenderStatus.COMMUNITY and not offender.reactive


# --- helpers ---------------------------------------------------------------------------------------


def offender_locked(offender: Offender) -> Offender:
    """The offender's row, locked, then read with its tier and officer. Locked alone: a lock taken through a join
    re-checks the join against the row a concurrent write has just changed, and can find no row at all."""
    Offender.objects.select_for_update(no_key=True).filter(pk=offender.pk).values_list("pk", flat=True).get()
    return Offender.objects.select_related("risk_tier", "officer").get(pk=offender.pk)


def open_visit_locked(offender: Offender) -> Visit | None:
    return Visit.objects.select_for_update(no_key=True).filter(offender=offender, status__in=OPEN_STATUSES).first()


def expected_open_visit(offender: Offender, visit_id: int | None) -> Visit | None:
    """The open visit, provided it is still the one the user saw when they opened the form."""
    visit = open_visit_locked(offender)
    if (visit.pk if visit else None) == visit_id:
        return visit
    if visit_id is not None:
        seen = Visit.objects.filter(pk=visit_id, offender=offender).select_related("recorded_by").first()
        if seen and seen.status == VisitStatus.COMPLETED:
            who = (seen.recorded_by.get_full_name() or seen.recorded_by.username) if seen.recorded_by else "someone"
            raise ValidationError(
                f"This visit was already logged by {who} (completed on {seen.completed_on:%d/%m/%Y}). "
                "Nothing was saved from your form.",
                code="conflict",
            )
        if seen and seen.status == VisitStatus.CANCELLED:
            raise ValidationError(
                f"This visit was cancelled on {seen.cancelled_on:%d/%m/%Y} ({seen.cancel_reason}). "
                "Nothing was saved from your form.",
                code="conflict",
            )
    raise ValidationError(
        "This case's visits changed while the form was open. Nothing was saved: check the offender page "
        "and log the visit again if it is still needed.",
        code="conflict",
    )


def _last_seen_on(offender: Offender) -> dt.date | None:
    last = (
        Visit.objects.filter(offender=offender, status=VisitStatus.COMPLETED)
        .order_by("-completed_on")
        .values_list("completed_on", flat=True)
        .first()
    )
    return last


def _check_visit_date(offender: Offender, visited_on: dt.date) -> None:
    if visited_on > today():
        raise ValidationError({"visited_on": f"The visit date {visited_on:%d/%m/%Y} is in the future."})
    if visited_on < offender.registered_on:
        raise ValidationError(
            {"visited_on": f"The visit date {visited_on:%d/%m/%Y} is before registration "
                           f"({offender.registered_on:%d/%m/%Y})."}
        )
    last = _last_seen_on(offender)
    if last and visited_on <= last:
        raise ValidationError(
            {"visited_on": f"A visit on {last:%d/%m/%Y} is already recorded; the date must be after it."}
        )


def _officer_of(user, offender: Offender) -> Officer | None:
    """The officer the user is, if any (usually the offender's own, which is already loaded)."""
    if offender.officer is not None and offender.officer.user_id == user.pk:
        return offender.officer
    return Officer.objects.filter(user=user).first()


# Foreign keys the services fill from rows they have just read: checking them again costs a query each.
LOADED_KEYS = ["offender", "officer", "recorded_by", "cancelled_by", "import_run"]


def _schedule(offender: Offender, *, due_on: dt.date, none_open: bool = False) -> Visit:
    """Open a visit due on `due_on`, or bring the open one forward to it; never move one later."""
    visit = None if none_open else open_visit_locked(offender)
    if visit is None:
        visit = Visit(offender=offender, officer=offender.officer, due_on=due_on)
    elif due_on < visit.due_on:
        visit.due_on = due_on
    else:
        return visit
    visit.full_clean(exclude=LOADED_KEYS, validate_constraints=False)
    visit.save()
    return visit


def _cancel(visit: Visit, *, user, reason: str, on: dt.date | None = None) -> Visit:
    on = on or today()
    if Visit.objects.filter(offender_id=visit.offender_id, due_on=visit.due_on, status=VisitStatus.CANCELLED).exists():
        # A cancellation is identified by its offender and due date (so that imports can find it again).
        raise ValidationError(
            f"A visit due on {visit.due_on:%d/%m/%Y} was already cancelled for this offender; "
            "change the open visit's due date before cancelling it."
        )
    visit.status = VisitStatus.CANCELLED
    visit.cancelled_on = on
    visit.cancel_reason = reason
    visit.cancelled_by = user
    visit.full_clean(exclude=LOADED_KEYS, validate_constraints=False)
    visit.save()
    return visit


def case_action_record(offender: Offender, *, kind: str, user, reason: str, before: dict, after: dict,
                       visit: Visit | None = None, needs_review: bool = False) -> CaseAction:
    action = CaseAction(offender=offender, visit=visit, kind=kind, user=user, reason=reason,
                        before=before, after=after, needs_review=needs_review)
    action.full_clean()
    action.save()
    return action


def flags_follow(offender: Offender, *officers: Officer | None) -> None:
    """The write's last step: the offender's flags, and the workload flags of their officer (and of any other
    officer the write concerned), brought in line in the same transaction (visits/flagging.py)."""
    officer_ids = [offender.officer_id, *(officer.pk for officer in officers if officer is not None)]
    flags_refresh_for(offenders=[offender.pk], officers=officer_ids)


def reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why: a reason is recorded with every action on a case."})
    return reason


# --- logging a visit -------------------------------------------------------------------------------


@transaction.atomic
def visit_complete(*, offender: Offender, visit_id: int | None, user, visited_on: dt.date, kind: str,
                   notes: str = "") -> Visit:
    """Record that the offender was seen, and schedule the next visit one interval after it."""
    offender = offender_locked(offender)
    visit = expected_open_visit(offender, visit_id)
    _check_visit_date(offender, visited_on)
    if visit is None:  # an unscheduled visit, e.g. to an offender on reactive management
        visit = Visit(offender=offender, due_on=visited_on)
    visit.status = VisitStatus.COMPLETED
    visit.completed_on = visited_on
    visit.kind = kind
    visit.outcome = Visit.Outcome.SEEN
    visit.notes = notes
    visit.officer = _officer_of(user, offender) or offender.officer
    visit.recorded_by = user
    visit.full_clean(exclude=LOADED_KEYS, validate_constraints=False)
    visit.save()
    if schedules_visits(offender):
        due_on = rules.next_visit_due(last_seen_on=visited_on, interval=rules.interval_of(offender),
                                      start=offender.registered_on)
        _schedule(offender, due_on=due_on, none_open=True)
    flags_follow(offender)
    return visit


@transaction.atomic
def visit_attempt(*, offender: Offender, visit_id: int | None, user, visited_on: dt.date, kind: str,
                  notes: str = "") -> VisitAttempt:
    """Record a call that found nobody in: the attempt is kept and the visit stays open."""
    offender = offender_locked(offender)
    visit = expected_open_visit(offender, visit_id)
    if visit is None:
        raise ValidationError("There is no open visit to record an attempt against; log it as seen instead.")
    _check_visit_date(offender, visited_on)
    attempt = VisitAttempt(visit=visit, attempted_on=visited_on, officer=_officer_of(user, offender) or visit.officer,
                           notes=notes, recorded_by=user)
    attempt.full_clean(exclude=["visit", "officer", "recorded_by"])
    attempt.save()
    visit.status = VisitStatus.ATTEMPTED
    visit.outcome = Visit.Outcome.NO_ACCESS
    visit.kind = kind
    visit.save(update_fields=["status", "outcome", "kind", "updated_at"])
    return attempt


@transaction.atomic
def visit_address_left(*, offender: Offender, visit_id: int | None, user, visited_on: dt.date, kind: str,
                       notes: str = "", new_address: str = "", new_postcode: str = "") -> CaseAction:
    """Record that the offender no longer lives at the address: raise it for the supervisor, and
    mark the offender missing unless a new address is given."""
    offender = offender_locked(offender)
    visit = expected_open_visit(offender, visit_id)
    _check_visit_date(offender, visited_on)
    if new_postcode and not new_address.strip():
        raise ValidationError({"new_address": "Give the new address as well as its postcode."})
    if visit is not None:
        officer = _officer_of(user, offender) or visit.officer
        VisitAttempt.objects.create(visit=visit, attempted_on=visited_on, officer=officer,
                                    notes=f"No longer at address. {notes}".strip(), recorded_by=user)
        visit.status = VisitStatus.ATTEMPTED
        visit.outcome = Visit.Outcome.MOVED
        visit.kind = kind
        visit.save(update_fields=["status", "outcome", "kind", "updated_at"])
    reason = f"Found no longer at address on {visited_on:%d/%m/%Y}. {notes}".strip()
    reviews.review_bring_forward(offender, event_on=visited_on, because="No longer at the address")
    # Addresses stay on the offender record only: the action history says that one changed, not what to.
    before = {"status": offender.status}
    if new_address.strip():
        offender.address = new_address.strip()
        offender.postcode = new_postcode.strip().upper()
        offender.full_clean()
        offender.save(update_fields=["address", "postcode", "updated_at"])
    else:
        _set_status(offender, status=OffenderStatus.MISSING, user=user, reason=reason, on=visited_on)
    action = case_action_record(offender, kind=CaseAction.Kind.ADDRESS_LEFT, user=user, reason=reason, visit=visit,
                     before=before, after={"status": offender.status, "new_address_given": bool(new_address.strip())},
                     needs_review=True)
    flags_follow(offender)
    return action


def visit_log(*, offender: Offender, visit_id: int | None, user, visited_on: dt.date, kind: str, outcome: str,
              notes: str = "", new_address: str = "", new_postcode: str = ""):
    """Log what an officer found at the door, by outcome: seen, no access, or no longer at address."""
    common = {"offender": offender, "visit_id": visit_id, "user": user, "visited_on": visited_on, "kind": kind,
              "notes": notes}
    if outcome == Visit.Outcome.SEEN:
        return visit_complete(**common)
    if outcome == Visit.Outcome.NO_ACCESS:
        return visit_attempt(**common)
    if outcome == Visit.Outcome.MOVED:
        return visit_address_left(**common, new_address=new_address, new_postcode=new_postcode)
    raise ValidationError({"outcome": f"Unknown outcome {outcome!r}."})


# --- supervisor actions ----------------------------------------------------------------------------


def who(user) -> str:
    return user.get_full_name() or user.username


def visit_cancel_approved(*, offender: Offender, visit: Visit, asked_by, user, reason: str, note: str) -> Visit:
    """Cancel the open visit, as a second person (`user`) approved it: nothing new is scheduled. Called inside the
    decision's transaction (supervision/services.py), with the offender and the visit locked."""
    before = {"status": visit.status, "due_on": visit.due_on.isoformat()}
    _cancel(visit, user=user, reason=reason)
    after = {"status": visit.status, "asked_by": who(asked_by), "approved_by": who(user)}
    case_action_record(offender, kind=CaseAction.Kind.VISIT_CANCELLED, user=user, visit=visit,
                       reason=f"{reason} (asked by {who(asked_by)}; approved: {note})", before=before, after=after)
    flags_follow(offender)
    return visit


def visit_defer_approved(*, offender: Offender, visit: Visit, to: dt.date, asked_by, user, reason: str,
                         note: str) -> Visit:
    """Defer the open visit to `to`, as a second person approved it: the visit is closed as cancelled and one due on
    `to` is opened, so that the days the first was overdue stay counted (rules.overdue_on)."""
    _cancel(visit, user=user, reason=f"Deferred to {to:%d/%m/%Y}: {reason}")
    deferred = _schedule(offender, due_on=to, none_open=True)
    case_action_record(offender, kind=CaseAction.Kind.VISIT_DEFERRED, user=user, visit=deferred,
                       reason=f"{reason} (asked by {who(asked_by)}; approved: {note})",
                       before={"due_on": visit.due_on.isoformat()},
                       after={"due_on": to.isoformat(), "asked_by": who(asked_by), "approved_by": who(user)})
    flags_follow(offender)
    return deferred


@transaction.atomic
def assessment_record(*, offender: Offender, risk_tier: RiskTier, user, assessed_on: dt.date, tool: str,
                      notes: str = "") -> RiskAssessment:
    """Record a risk assessment, by the user, with the tier it found: it holds the open review and sets the next
    one review interval of that tier after it (visits/reviews.py); a new tier does what a tier change does."""
    offender = offender_locked(offender)
    _check_assessment_date(offender, assessed_on)
    latest = not offender.assessments.filter(assessed_on__gt=assessed_on).exists()
    if risk_tier.pk != offender.risk_tier_id and latest:  # an older assessment is history: it sets nothing
        return _change_tier(offender, risk_tier=risk_tier, user=user, assessed_on=assessed_on, tool=tool,
                            reason=notes.strip() or f"{RiskAssessment.Tool(tool).label} assessment")
    assessment = RiskAssessment(offender=offender, risk_tier=risk_tier, assessed_on=assessed_on, assessor=user,
                                tool=tool, notes=notes.strip())
    assessment.full_clean()
    assessment.save()
    reviews.review_assessed(offender, assessment)
    flags_follow(offender)
    return assessment


@transaction.atomic
def mappa_meeting_record(*, offender: Offender, held_on: dt.date, level: int, next_review_on: dt.date | None,
                         user, notes: str = "") -> MappaMeeting:
    """Record a multi-agency meeting on the case: the level it decided (a change is recorded as a tier change is)
    and the next review, which it makes due (visits/reviews.py)."""
    offender = offender_locked(offender)
    if held_on > today():
        raise ValidationError({"held_on": f"The meeting date {held_on:%d/%m/%Y} is in the future."})
    if next_review_on is not None and level not in MAPPA_REVIEWED_LEVELS:
        raise ValidationError({"next_review_on": "Only level 2 and 3 cases have MAPPA reviews: leave it blank."})
    if next_review_on is not None and next_review_on <= held_on:
        raise ValidationError({"next_review_on": "The next review must be after the meeting."})
    meeting = MappaMeeting(offender=offender, held_on=held_on, level=level, next_review_on=next_review_on,
                           recorded_by=user, notes=notes.strip())
    meeting.full_clean()
    meeting.save()
    reviews.mappa_review_held(offender, meeting)
    if level != offender.mappa_level:
        before = {"mappa_level": offender.mappa_level}
        offender.mappa_level = level
        offender.save(update_fields=["mappa_level", "updated_at"])
        case_action_record(offender, kind=CaseAction.Kind.MAPPA_LEVEL_CHANGED, user=user, before=before,
                after={"mappa_level": level}, reason=notes.strip() or f"MAPPA meeting on {held_on:%d/%m/%Y}")
    flags_follow(offender)
    return meeting


def _check_assessment_date(offender: Offender, assessed_on: dt.date) -> None:
    if assessed_on > today():
        raise ValidationError({"assessed_on": f"The assessment date {assessed_on:%d/%m/%Y} is in the future."})
    if assessed_on < offender.date_of_birth:
        raise ValidationError({"assessed_on": f"The assessment date {assessed_on:%d/%m/%Y} is before the"
                                              " offender's date of birth."})


@transaction.atomic
def offender_change_tier(*, offender: Offender, risk_tier: RiskTier, user, reason: str,
                         assessed_on: dt.date | None = None, tool: str = RiskAssessment.Tool.OTHER) -> RiskAssessment:
    """Record an assessment that sets a new tier. A shorter interval brings the open visit forward;
    a longer one leaves it where it is."""
    reason = reason_required(reason)
    offender = offender_locked(offender)
    assessed_on = assessed_on or today()
    if risk_tier.pk == offender.risk_tier_id:
        raise ValidationError({"risk_tier": f"{risk_tier} is already this offender's tier."})
    _check_assessment_date(offender, assessed_on)
    return _change_tier(offender, risk_tier=risk_tier, user=user, reason=reason, assessed_on=assessed_on, tool=tool)


def _change_tier(offender: Offender, *, risk_tier: RiskTier, user, reason: str, assessed_on: dt.date,
                 tool: str) -> RiskAssessment:
    old_tier, old_interval = offender.risk_tier, rules.interval_of(offender)
    assessment = RiskAssessment(offender=offender, risk_tier=risk_tier, assessed_on=assessed_on, assessor=user,
                                tool=tool, notes=reason)
    assessment.full_clean()
    assessment.save()
    offender.risk_tier = risk_tier
    offender.save(update_fields=["risk_tier", "updated_at"])
    reviews.review_assessed(offender, assessment)
    before, after = {"risk_tier": old_tier.code}, {"risk_tier": risk_tier.code}
    interval = rules.interval_of(offender)
    if interval < old_interval:
        visit = open_visit_locked(offender)
        if visit is not None:
            # One new interval after the last visit (or, never visited, after this assessment), never later.
            base = _last_seen_on(offender) or assessed_on
            before["due_on"] = visit.due_on.isoformat()
            visit = _schedule(offender, due_on=rules.next_visit_due(last_seen_on=base, interval=interval,
                                                                    start=offender.registered_on))
            after["due_on"] = visit.due_on.isoformat()
    case_action_record(offender, kind=CaseAction.Kind.TIER_CHANGED, user=user, reason=reason, before=before,
                       after=after)
    if offender.reactive and risk_tier.order > RiskTier.objects.order_by("order").values_list("order", flat=True)[0]:
        _set_reactive(offender, reactive=False, user=user, reason=f"Tier raised to {risk_tier}. {reason}")
    flags_follow(offender)
    return assessment


def _set_status(offender: Offender, *, status: str, user, reason: str, on: dt.date | None = None) -> None:
    on = on or today()
    if status == offender.status:
        raise ValidationError({"status": f"The offender is already {offender.get_status_display().lower()}."})
    before = {"status": offender.status}
    if status == OffenderStatus.COMMUNITY and offender.status in SUSPENDED_STATUSES:
        reviews.review_bring_forward(offender, event_on=on, because="Returned to the community")
    if status == OffenderStatus.COMMUNITY and offender.status in AWAY_STATUSES:
        reviews.notification_after_return(offender, returned_on=on, because="Returned to the community")
    offender.status, offender.status_since = status, on
    offender.full_clean()
    offender.save(update_fields=["status", "status_since", "updated_at"])
    visit = open_visit_locked(offender)
    if status in SUSPENDED_STATUSES + ENDED_STATUSES and visit is not None:
        word = "Suspended" if status in SUSPENDED_STATUSES else "Ended"
        _cancel(visit, user=user, reason=f"{word}: {status}", on=on)
    elif schedules_visits(offender):
        visit = _schedule(offender, due_on=rules.first_visit_due(start=on))
    case_action_record(offender, kind=CaseAction.Kind.STATUS_CHANGED, user=user, reason=reason, visit=visit,
            before=before, after={"status": status})


@transaction.atomic
def offender_change_status(*, offender: Offender, status: str, user, reason: str) -> Offender:
    """Move an offender between community, custody, hospital, abroad, missing and off the register.
    Leaving the community cancels the open visit; returning schedules the first within the allowance."""
    reason = reason_required(reason)
    offender = offender_locked(offender)
    if status not in OffenderStatus.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    _set_status(offender, status=status, user=user, reason=reason)
    flags_follow(offender)
    return offender


def _set_reactive(offender: Offender, *, reactive: bool, user, reason: str) -> None:
    before = {"reactive": offender.reactive}
    offender.reactive = reactive
    offender.full_clean()
    offender.save(update_fields=["reactive", "updated_at"])
    visit = open_visit_locked(offender)
    if reactive and visit is not None:
        _cancel(visit, user=user, reason="Reactive management")
    elif not reactive and schedules_visits(offender):
        visit = _schedule(offender, due_on=rules.first_visit_due(start=today()))
    after = {"reactive": reactive}
    case_action_record(offender, kind=CaseAction.Kind.REACTIVE_CHANGED, user=user, reason=reason, visit=visit,
            before=before, after=after)


@transaction.atomic
def offender_set_reactive(*, offender: Offender, reactive: bool, user, reason: str) -> Offender:
    """Put a low-risk offender on reactive management (no scheduled visits: they are seen when they notify, at
    a police station), or take them off it and schedule the first visit within the allowance."""
    reason = reason_required(reason)
    offender = offender_locked(offender)
    if reactive == offender.reactive:
        state = "already" if reactive else "not"
        raise ValidationError({"reactive": f"The offender is {state} on reactive management."})
    lowest = RiskTier.objects.order_by("order").first()
    if reactive and offender.risk_tier_id != lowest.pk:
        raise ValidationError(
            {"reactive": f"Only {lowest.name.lower()}-risk offenders can be put on reactive management; "
                         f"this offender is {offender.risk_tier.name.lower()}."}
        )
    _set_reactive(offender, reactive=reactive, user=user, reason=reason)
    flags_follow(offender)
    return offender


@transaction.atomic
def offender_reassign(*, offender: Offender, officer: Officer, user, reason: str) -> Offender:
    """Give the case, and its open visit, to another offender manager."""
    reason = reason_required(reason)
    offender = offender_locked(offender)
    if not officer.active:
        raise ValidationError({"officer": f"{officer} is inactive and cannot take new cases."})
    if officer.pk == offender.officer_id:
        raise ValidationError({"officer": f"{officer} already manages this offender."})
    previous = offender.officer
    before = {"officer": previous.staff_id if previous else None}
    offender.officer = officer
    offender.save(update_fields=["officer", "updated_at"])
    visit = open_visit_locked(offender)
    if visit is not None:
        visit.officer = officer
        visit.save(update_fields=["officer", "updated_at"])
    case_action_record(offender, kind=CaseAction.Kind.REASSIGNED, user=user, reason=reason, visit=visit,
            before=before, after={"officer": officer.staff_id})
    flags_follow(offender, previous)
    return offender
