"""The notification rules where the order of events could change the answer: two notifications the same day, a trip
notified before or after the notification that opened the item, a change of address dated before one on record, a
review of indefinite notification asked for too early or under an SHPO; recorded on the page and imported alike."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from notifications.models import CivilOrder, IndefiniteReview
from notifications.services import indefinite_review_record, notification_record
from offenders.models import Offender
from tests.factories import OffenderFactory, tier
from tests.imports.conftest import load
from tests.visits.conftest import TODAY, frozen  # noqa: F401 (a fixture)
from visits import reviews
from visits.models import Review, ReviewKind
from visits.selectors import open_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
D = dt.date
FULL = "reference,notified_on,kind,destination,departs_on,returns_on,address,postcode"
SAME_DAY = [("2016-11-01", "weekly", "", "", "", "", ""),
            ("2016-11-01", "travel", "Spain", "2016-11-05", "2016-11-20", "", "")]


@pytest.fixture
def homeless(charlie):
    """N-W, of no fixed abode: notifies weekly; last notified on 25 October 2016."""
    offender = OffenderFactory(officer=charlie.officer, reference="N-W", registered_on=D(2012, 1, 4),
                               no_fixed_abode=True, risk_tier=tier("medium"))
    reviews.notification_open_first(offender, last_notified_on=D(2016, 10, 25))
    return offender


def record(offender, user, notified_on, kind, destination="", departs_on="", returns_on="", address="", postcode=""):
    day = lambda text: D.fromisoformat(text) if text else None  # noqa: E731
    return notification_record(offender=offender, user=user, notified_on=day(notified_on), kind=kind,
                               destination=destination, departs_on=day(departs_on), returns_on=day(returns_on),
                               address=address, postcode=postcode)


def items(offender) -> list[tuple]:
    return list(Review.objects.filter(offender=offender, kind=ReviewKind.NOTIFICATION).order_by("due_on", "id")
                .values_list("due_on", "closed_on"))


def twin_of(offender, charlie) -> Offender:
    twin = OffenderFactory(officer=charlie.officer, reference=f"{offender.reference}-2", no_fixed_abode=True,
                           registered_on=offender.registered_on, risk_tier=offender.risk_tier)
    reviews.notification_open_first(twin, last_notified_on=D(2016, 10, 25))
    return twin


@pytest.mark.parametrize("order", [SAME_DAY, SAME_DAY[::-1]], ids=["weekly first", "travel first"])
def test_a_trip_notified_the_same_day_as_a_weekly_notification_moves_the_next_past_the_return_in_either_order(
        homeless, charlie, order):
    for row in order:
        record(homeless, charlie, *row)
    assert open_review(homeless, ReviewKind.NOTIFICATION).due_on == D(2016, 11, 23)
    assert items(homeless) == [(D(2016, 11, 1), D(2016, 11, 1)), (D(2016, 11, 23), None)]


def test_the_import_of_two_notifications_the_same_day_leaves_what_recording_them_leaves(homeless, charlie, tmp_path):
    twin = twin_of(homeless, charlie)
    for row in SAME_DAY[::-1]:
        record(twin, charlie, *row)
    path = tmp_path / "notifications.csv"
    path.write_text("\n".join([FULL, *(f"N-W,{','.join(row)}" for row in SAME_DAY)]) + "\n")
    load("notifications", path)
    assert items(homeless) == items(twin)


def test_a_trip_notified_after_the_weekly_one_moves_the_item_in_a_later_import_too(homeless, charlie, tmp_path):
    path = tmp_path / "notifications.csv"
    path.write_text(f"{FULL}\nN-W,{','.join(SAME_DAY[0])}\n")
    load("notifications", path)
    path.write_text(f"{FULL}\nN-W,{','.join(SAME_DAY[1])}\n")
    load("notifications", path)
    assert open_review(homeless, ReviewKind.NOTIFICATION).due_on == D(2016, 11, 23)
    assert Review.objects.filter(offender=homeless, kind=ReviewKind.NOTIFICATION, closed_on__isnull=True).count() == 1


def test_a_notification_older_than_the_registers_latest_is_history_in_the_import(homeless, tmp_path):
    Offender.objects.filter(pk=homeless.pk).update(last_notified_on=D(2016, 10, 25))
    path = tmp_path / "notifications.csv"
    path.write_text(f"{FULL}\nN-W,2016-10-20,weekly,,,,,\n")
    load("notifications", path)
    assert items(homeless) == [(D(2016, 11, 1), None)]
    assert Offender.objects.get(pk=homeless.pk).last_notified_on == D(2016, 10, 25)


def test_a_recorded_notification_becomes_the_offenders_latest(homeless, charlie):
    record(homeless, charlie, "2016-11-02", "weekly")
    record(homeless, charlie, "2016-10-30", "weekly")  # history
    assert Offender.objects.get(pk=homeless.pk).last_notified_on == D(2016, 11, 2)
    assert open_review(homeless, ReviewKind.NOTIFICATION).due_on == D(2016, 11, 9)


@pytest.fixture
def housed(charlie):
    offender = OffenderFactory(officer=charlie.officer, reference="N-H", registered_on=D(2012, 1, 4),
                               address="1 Old Road", postcode="CM1 1AA", risk_tier=tier("medium"))
    reviews.notification_open_first(offender, last_notified_on=D(2016, 1, 10))
    return offender


def test_a_change_of_address_dated_before_one_on_record_moves_neither_address_nor_review(housed, charlie, tmp_path):
    record(housed, charlie, "2016-10-01", "change", address="3 Latest Road", postcode="CM3 3CC")
    record(housed, charlie, "2016-09-01", "change", address="2 Earlier Road", postcode="CM2 2BB")
    housed.refresh_from_db()
    assert (housed.address, housed.postcode) == ("3 Latest Road", "CM3 3CC")

    twin = OffenderFactory(officer=charlie.officer, reference="N-H2", registered_on=D(2012, 1, 4))
    path = tmp_path / "notifications.csv"
    path.write_text(f"{FULL}\nN-H2,2016-10-01,change,,,,3 Latest Road,CM3 3CC\n")
    load("notifications", path)
    path.write_text(f"{FULL}\nN-H2,2016-09-01,change,,,,2 Earlier Road,CM2 2BB\n")
    load("notifications", path)
    twin.refresh_from_db()
    assert (twin.address, twin.postcode) == ("3 Latest Road", "CM3 3CC")


@pytest.fixture
def indefinite(charlie):
    """On indefinite notification since 2000, an adult then: may apply for a review from 1 June 2015."""
    return OffenderFactory(officer=charlie.officer, reference="N-I", registered_on=D(2000, 6, 1),
                           first_notified_on=D(2000, 6, 1), date_of_birth=D(1960, 1, 1))


def test_a_review_decided_before_the_offender_may_apply_is_refused_with_the_day_they_may(indefinite, bob):
    with pytest.raises(ValidationError, match="may apply for a review from 01/06/2015 only"):
        indefinite_review_record(offender=indefinite, user=bob, decided_on=D(2015, 5, 31), outcome="refused")
    indefinite_review_record(offender=indefinite, user=bob, decided_on=D(2015, 6, 1), outcome="refused")
    with pytest.raises(ValidationError, match="may apply for a review from 01/06/2023 only"):
        indefinite_review_record(offender=indefinite, user=bob, decided_on=D(2016, 6, 1), outcome="granted")
    assert IndefiniteReview.objects.count() == 1


def test_no_review_is_decided_while_an_shpo_is_in_force(indefinite, bob):
    CivilOrder.objects.create(offender=indefinite, kind="shpo", starts_on=D(2014, 1, 1), ends_on=D(2016, 1, 1))
    with pytest.raises(ValidationError, match="An SHPO \\(from 01/01/2014\\) was in force on 01/07/2015"):
        indefinite_review_record(offender=indefinite, user=bob, decided_on=D(2015, 7, 1), outcome="refused")
    indefinite_review_record(offender=indefinite, user=bob, decided_on=D(2016, 1, 2), outcome="granted")
    assert Offender.objects.get(pk=indefinite.pk).registration_ends_on == D(2016, 1, 2)


def test_an_offender_added_by_an_admin_has_a_notification_due(admin_client, charlie):
    from django.urls import reverse

    from offenders.models import RiskTier

    data = {"reference": "N-ADM", "surname": "A", "forenames": "B", "date_of_birth": "1970-01-01",
            "risk_tier": RiskTier.objects.get(code="low").pk, "status": "community", "officer": charlie.officer.pk,
            "registered_on": "2016-11-01", "first_notified_on": "2016-11-01", "address": "", "postcode": "",
            "assessments-TOTAL_FORMS": "0", "assessments-INITIAL_FORMS": "0"}
    response = admin_client.post(reverse("admin:offenders_offender_add"), data)
    assert response.status_code == 302, response.text[:2000]
    offender = Offender.objects.get(reference="N-ADM")
    assert open_review(offender, ReviewKind.NOTIFICATION).due_on == D(2017, 11, 1)
