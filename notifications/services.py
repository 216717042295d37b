"""Writes to an offender's notifications, orders and reviews of indefinite notification. Each locks the offender
first (visits/services.py), as every write to a case does, and brings the case's flags in line last."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from notifications.models import CivilOrder, IndefiniteReview, Notification, NotificationKind, ReviewOutcome
from notifications.selectors import with_review_eligibility
from offenders.models import Offender, OffenderStatus
from visits import reviews, rules
from visits.models import CaseAction
from visits.rules import today
from visits.services import case_action_record, flags_follow, offender_change_status, offender_locked


def _check_date(field: str, day: dt.date, offender: Offender, what: str) -> None:
    if day > today():
        raise ValidationError({field: f"The {what} date {day:%d/%m/%Y} is in the future."})
    if day < offender.registered_on:
        raise ValidationError({field: f"The {what} date {day:%d/%m/%Y} is before the offender's registration"
                                      f" ({offender.registered_on:%d/%m/%Y})."})


def _check_trip(kind: str, destination: str, departs_on: dt.date | None, returns_on: dt.date | None) -> None:
    if kind != NotificationKind.TRAVEL:
        if destination or departs_on or returns_on:
            raise ValidationError({"kind": "A destination and travel dates go with a travel notification only."})
        return
    missing = {field: "Required for a travel notification." for field, value in
               (("destination", destination), ("departs_on", departs_on), ("returns_on", returns_on)) if not value}
    if missing:
        raise ValidationError(missing)
    if returns_on < departs_on:
        raise ValidationError({"returns_on": f"The return ({returns_on:%d/%m/%Y}) is before the departure"
                                             f" ({departs_on:%d/%m/%Y})."})


@transaction.atomic
def notification_record(*, offender: Offender, user, notified_on: dt.date, kind: str, details: str = "",
                        address: str = "", postcode: str = "", no_fixed_abode: bool | None = None,
                        destination: str = "", departs_on: dt.date | None = None,
                        returns_on: dt.date | None = None) -> Notification:
    """Record a notification the offender made: it makes the next one due (visits/reviews.py). A change may give a
    new address (which brings the assessment review forward) or say the offender now has no fixed abode; a travel
    notification gives the trip's destination and dates."""
    offender = offender_locked(offender)
    if kind not in NotificationKind.values:
        raise ValidationError({"kind": f"Unknown kind of notification {kind!r}."})
    _check_date("notified_on", notified_on, offender, "notification")
    _check_trip(kind, destination.strip(), departs_on, returns_on)
    address, postcode = address.strip(), postcode.strip().upper()
    if (address or postcode or no_fixed_abode is not None) and kind != NotificationKind.CHANGE:
        raise ValidationError({"address": "A new address goes with a change notification only."})
    if address and no_fixed_abode:
        raise ValidationError({"no_fixed_abode": "Give a new address or no fixed abode, not both."})
    notification = Notification(offender=offender, notified_on=notified_on, kind=kind, details=details.strip(),
                                address=address, postcode=postcode, destination=destination.strip(),
                                departs_on=departs_on, returns_on=returns_on, recorded_by=user)
    notification.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        raise ValidationError(
            f"A {notification.get_kind_display().lower()} notification on {notified_on:%d/%m/%Y} is already recorded"
            " for this offender.") from None
    if address or no_fixed_abode is not None:
        _change_circumstances(offender, notified_on=notified_on, address=address, postcode=postcode,
                              no_fixed_abode=bool(no_fixed_abode))
    reviews.notification_made(offender, notification)
    if offender.last_notified_on is None or notified_on > offender.last_notified_on:
        offender.last_notified_on = notified_on
        offender.save(update_fields=["last_notified_on", "updated_at"])
    flags_follow(offender)
    return notification


def _change_circumstances(offender: Offender, *, notified_on: dt.date, address: str, postcode: str,
                          no_fixed_abode: bool) -> None:
    """A new home (or none): the register's address and weekly notification follow it (the change history keeps
    the old), and a new address calls for a fresh risk assessment, unless one was made on or after the day it was
    notified. A change dated before one already on record is history: it moves neither (as the import has it,
    caseload/imports/notification_chain.addresses_follow)."""
    if offender.notifications.filter(notified_on__gt=notified_on).exclude(address="").exists():
        return
    if address:
        offender.address, offender.postcode = address, postcode
    offender.no_fixed_abode = no_fixed_abode
    offender.save(update_fields=["address", "postcode", "no_fixed_abode", "updated_at"])
    if address and not offender.assessments.filter(assessed_on__gte=notified_on).exists():
        reviews.review_bring_forward(offender, event_on=notified_on, because="New address notified")


@transaction.atomic
def order_save(*, offender: Offender, user, kind: str, starts_on: dt.date, ends_on: dt.date | None,
               conditions: str = "", order: CivilOrder | None = None) -> CivilOrder:
    """Add an order to the case, or correct one (its kind, dates and conditions)."""
    offender = offender_locked(offender)
    order = order or CivilOrder(offender=offender)
    if order.offender_id != offender.pk:
        raise ValidationError("That order belongs to another offender.")
    order.kind, order.starts_on, order.ends_on, order.conditions = kind, starts_on, ends_on, conditions.strip()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": f"The order ends ({ends_on:%d/%m/%Y}) before it starts"
                                          f" ({starts_on:%d/%m/%Y})."})
    order.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        raise ValidationError(f"This offender already has a {order.get_kind_display()} starting"
                              f" {starts_on:%d/%m/%Y}.") from None
    flags_follow(offender)
    return order


@transaction.atomic
def indefinite_review_record(*, offender: Offender, user, decided_on: dt.date, outcome: str,
                             notes: str = "") -> IndefiniteReview:
    """Record the outcome of a review of an indefinite notification requirement. Granted, the notification period
    ends that day (so the offender is listed for removal); refused, they may apply again 8 years later."""
    offender = offender_locked(offender)
    _check_date("decided_on", decided_on, offender, "decision")
    if offender.registration_ends_on is not None:
        raise ValidationError(f"The notification period is not indefinite: it ends on"
                              f" {offender.registration_ends_on:%d/%m/%Y}.")
    _check_review_allowed(offender, decided_on)
    review = IndefiniteReview(offender=offender, decided_on=decided_on, outcome=outcome, notes=notes.strip(),
                              recorded_by=user)
    review.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise ValidationError(f"A review decided on {decided_on:%d/%m/%Y} is already recorded.") from None
    if outcome == ReviewOutcome.GRANTED:
        before = {"registration_ends_on": None}
        offender.registration_ends_on = decided_on
        offender.save(update_fields=["registration_ends_on", "updated_at"])
        case_action_record(offender, kind=CaseAction.Kind.NOTIFICATION_ENDED, user=user, before=before,
                           after={"registration_ends_on": decided_on.isoformat()},
                           reason=notes.strip() or f"Review of indefinite notification granted {decided_on:%d/%m/%Y}")
    flags_follow(offender)
    return review


def _check_review_allowed(offender: Offender, decided_on: dt.date) -> None:
    """A review is decided on an application the offender may make: once eligible, and not while an SHPO is in
    force (rules.REVIEW_ELIGIBLE_FROM, rules.shpo_in_force)."""
    eligible_from = with_review_eligibility(Offender.objects.filter(pk=offender.pk)).values_list(
        "review_eligible_from", flat=True).get()
    if decided_on < eligible_from:
        raise ValidationError({"decided_on": f"The offender may apply for a review from {eligible_from:%d/%m/%Y}"
                                             f" only: a review decided on {decided_on:%d/%m/%Y} is too early."})
    shpo = offender.orders.filter(rules.shpo_in_force(decided_on)).first()
    if shpo is not None:
        raise ValidationError({"decided_on": f"An SHPO (from {shpo.starts_on:%d/%m/%Y}) was in force on"
                                             f" {decided_on:%d/%m/%Y}: no review may be made while it is."})


@transaction.atomic
def offender_remove(*, offender: Offender, user, reason: str) -> Offender:
    """Take an offender whose notification period has ended off the register (status "removed"; the record and its
    history stay)."""
    ends_on = offender_locked(offender).registration_ends_on
    if ends_on is None or ends_on >= today():
        raise ValidationError("Only an offender whose notification period has ended can be removed from the register"
                              + (f": this one's ends on {ends_on:%d/%m/%Y}." if ends_on else ": this one's is"
                                 " indefinite."))
    return offender_change_status(offender=offender, status=OffenderStatus.REMOVED, user=user, reason=reason)
