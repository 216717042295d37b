"""Writes to the reviews of a case. The risk assessment review: opened at registration, closed by an assessment
(which opens the next), brought forward by an event that calls for a fresh assessment. The MAPPA review of a level
2 or 3 case: closed by a multi-agency meeting, which sets the next. The offender's next notification: closed by a
notification, which makes the next due; moved past a return to the community or a notified trip. The dates come
from rules.py.

These run inside the callers' transactions (the services in services.py, the admin), on an offender they have
locked; the register import does the same set-based (caseload/imports/register.py)."""

import datetime as dt

from django.db.models import Max

from offenders.models import Offender, RiskAssessment
from visits import rules
from visits.models import MAPPA_REVIEWED_LEVELS, MappaMeeting, Review, ReviewKind
from visits.selectors import open_review


def review_open_first(offender: Offender) -> Review:
    """A new offender's first review: one interval after their latest assessment, else within the first-review
    allowance of registration."""
    latest = offender.assessments.order_by("-assessed_on", "-id").first()
    due_on = rules.next_review_due(last_assessed_on=latest and latest.assessed_on,
                                   interval=offender.risk_tier.review_interval_days,
                                   registered_on=offender.registered_on)
    return Review.objects.create(offender=offender, kind=ReviewKind.ASSESSMENT, due_on=due_on)


def review_assessed(offender: Offender, assessment: RiskAssessment) -> Review | None:
    """An assessment holds the review that is open (closed the day of the assessment) and opens the next, one
    review interval of the tier it found after it. An assessment dated before the latest one already on record
    is history: it leaves the reviews as they are (as the imports do, caseload/imports/review_dates.py)."""
    review = open_review(offender)
    if offender.assessments.filter(assessed_on__gt=assessment.assessed_on).exists():
        return review
    if review is not None:
        review.closed_on, review.assessment = assessment.assessed_on, assessment
        review.save(update_fields=["closed_on", "assessment", "updated_at"])
    due_on = rules.next_review_due(last_assessed_on=assessment.assessed_on,
                                   interval=assessment.risk_tier.review_interval_days,
                                   registered_on=offender.registered_on)
    return Review.objects.create(offender=offender, kind=ReviewKind.ASSESSMENT, due_on=due_on)


def review_bring_forward(offender: Offender, *, event_on: dt.date, because: str) -> Review:
    """An event that calls for a fresh assessment: the open review falls due within the trigger allowance of it,
    or stays where it is if already due sooner."""
    review = open_review(offender)
    if review is None:
        return Review.objects.create(offender=offender, kind=ReviewKind.ASSESSMENT, brought_forward_because=because,
                                     due_on=rules.review_brought_forward(due_on=None, event_on=event_on))
    due_on = rules.review_brought_forward(due_on=review.due_on, event_on=event_on)
    if due_on < review.due_on:
        review.due_on, review.brought_forward_because = due_on, because
        review.save(update_fields=["due_on", "brought_forward_because", "updated_at"])
    return review


def mappa_review_held(offender: Offender, meeting: MappaMeeting) -> Review | None:
    """A multi-agency meeting holds the case's open MAPPA review (closed the day it met) and, at level 2 or 3,
    opens the next, due on the date it set (rules.mappa_review_due); at level 1 none is due."""
    Review.objects.filter(offender=offender, kind=ReviewKind.MAPPA, closed_on__isnull=True).update(
        closed_on=meeting.held_on, meeting=meeting)
    if meeting.level not in MAPPA_REVIEWED_LEVELS:
        return None
    due_on = rules.mappa_review_due(held_on=meeting.held_on, next_review_on=meeting.next_review_on)
    return Review.objects.create(offender=offender, kind=ReviewKind.MAPPA, due_on=due_on)


def notification_open_first(offender: Offender, *, last_notified_on: dt.date | None = None) -> Review:
    """The offender's next notification, as nothing on record says otherwise: after `last_notified_on`, else after
    the latest on record, else after the initial notification (the start of the notification period when not known)."""
    last = last_notified_on or offender.last_notified_on or offender.first_notified_on or offender.registered_on
    due_on = rules.next_notification_due(last_notified_on=last, no_fixed_abode=offender.no_fixed_abode)
    return Review.objects.create(offender=offender, kind=ReviewKind.NOTIFICATION, due_on=due_on)


def notification_made(offender: Offender, notification) -> Review:
    """A notification closes the open notification item (closed the day it was made) and makes the next due, a year
    after it (a week with no fixed abode: rules.next_notification_due). One dated on or before the latest on record
    (rules.notification_is_history) moves nothing. A notified trip moves the open item past the return, whichever
    came first, the trip's notification or the one that opened the item. Before the offender's last notification is
    brought up to date (notifications/services.py)."""
    review = open_review(offender, ReviewKind.NOTIFICATION)
    others = offender.notifications.exclude(pk=notification.pk)
    latest = max(filter(None, [
        others.aggregate(on=Max("notified_on"))["on"], offender.last_notified_on,
        Review.objects.filter(offender=offender, kind=ReviewKind.NOTIFICATION).aggregate(on=Max("closed_on"))["on"],
    ]), default=None)
    if not rules.notification_is_history(notified_on=notification.notified_on, latest=latest):
        if review is not None:
            review.closed_on, review.notification = notification.notified_on, notification
            review.save(update_fields=["closed_on", "notification", "updated_at"])
        review = notification_open_first(offender, last_notified_on=notification.notified_on)
    elif review is None:
        review = notification_open_first(offender, last_notified_on=latest)
    return _moved(review, rules.notification_around_trip(due_on=review.due_on, departs_on=notification.departs_on,
                                                         returns_on=notification.returns_on), because=TRIP)


def notification_after_return(offender: Offender, *, returned_on: dt.date, because: str) -> Review | None:
    """A return to the community from custody, hospital or abroad: a notification that fell due while away (or falls
    due within the allowance of the return) falls due the allowance after it; one due before they left stays late
    (rules.notification_after_return). Before the offender's status and its day change."""
    review = open_review(offender, ReviewKind.NOTIFICATION)
    if review is None:
        return None
    return _moved(review, rules.notification_after_return(due_on=review.due_on, returned_on=returned_on,
                                                          left_on=offender.status_since), because=because)


TRIP = "Trip abroad notified"


def _moved(review: Review, due_on: dt.date, *, because: str) -> Review:
    if due_on != review.due_on:
        review.due_on, review.brought_forward_because = due_on, because
        review.save(update_fields=["due_on", "brought_forward_because", "updated_at"])
    return review
