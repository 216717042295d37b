"""The pages of an offender's notifications, orders and notification period, driven as a user drives them."""

import datetime as dt

import pytest
from django.urls import reverse

from notifications.models import CivilOrder, IndefiniteReview, Notification
from offenders.models import OffenderStatus
from tests.factories import OffenderFactory, tier
from tests.visits.conftest import TODAY, frozen  # noqa: F401 (a fixture)
from visits import reviews
from visits.models import CaseAction, Review, ReviewKind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def case(charlie):
    offender = OffenderFactory(officer=charlie.officer, reference="N-1", registered_on=dt.date(2010, 1, 4),
                               risk_tier=tier("high"))
    reviews.notification_open_first(offender, last_notified_on=dt.date(2015, 11, 1))
    return offender


def notify(offender, **fields):
    data = {"kind": "periodic", "notified_on": "2016-11-14", "details": "", "new_address": "", "new_postcode": "",
            "destination": "", "departs_on": "", "returns_on": ""}
    return reverse("notifications:record", args=[offender.pk]), {**data, **fields}


def test_the_offender_page_shows_the_overdue_notification_and_an_officer_records_one(client, charlie, case):
    client.force_login(charlie)
    page = client.get(reverse("visits:offender_detail", args=[case.pk])).text
    assert "Next notification due 1 Nov 2016" in page and "non-compliant" in page
    assert "<dd>91 days" in page  # the high tier's visit interval

    response = client.post(*notify(case), follow=True)
    assert "Periodic notification recorded." in response.text
    assert "Next notification due 14 Nov 2017" in response.text
    assert Review.objects.get(offender=case, kind=ReviewKind.NOTIFICATION, closed_on=TODAY).notification


def test_a_travel_notice_without_its_dates_is_refused_field_by_field(client, charlie, case):
    client.force_login(charlie)
    response = client.post(*notify(case, kind="travel", destination="Spain"))
    assert response.status_code == 200
    assert response.text.count("Required for a travel notification.") == 2
    assert not Notification.objects.exists()


def test_a_trip_notified_four_days_ahead_is_recorded_as_late_and_shows_as_abroad_while_under_way(client, charlie,
                                                                                               case):
    client.force_login(charlie)
    response = client.post(*notify(case, kind="travel", notified_on="2016-11-10", destination="Spain",
                                   departs_on="2016-11-14", returns_on="2016-11-21"), follow=True)
    assert "notified late" in response.text
    assert "Abroad: notified trip to Spain until 21 Nov 2016" in response.text
    caseload = client.get(reverse("visits:my_caseload")).text
    assert "abroad until 21 Nov 2016" in caseload


def test_a_change_of_address_updates_the_register_and_brings_the_assessment_review_forward(client, charlie, case):
    reviews.review_open_first(case)  # due 28 days after registration in 2010: overdue already
    client.force_login(charlie)
    client.post(*notify(case, kind="change", new_address="1 New Street", new_postcode="ab1 2cd"))
    case.refresh_from_db()
    assert (case.address, case.postcode) == ("1 New Street", "AB1 2CD")


def test_the_officer_sees_what_falls_due_in_the_next_fourteen_days(client, charlie, case):
    client.force_login(charlie)
    page = client.get(reverse("visits:my_caseload")).text
    assert "The next 14 days" in page and "Nothing falls due" in page
    client.post(*notify(case, notified_on="2015-11-20"))  # history: older than the one on record? no: the latest
    CivilOrder.objects.create(offender=case, kind="shpo", starts_on=dt.date(2012, 1, 1), ends_on=TODAY)
    page = client.get(reverse("visits:my_caseload")).text
    assert "Today" in page and "Sexual Harm Prevention Order ends" in page
    assert "Notification due" in page


def test_a_supervisor_removes_an_offender_whose_period_has_ended(client, bob, charlie):
    ended = OffenderFactory(officer=charlie.officer, registered_on=dt.date(2011, 1, 1),
                            registration_ends_on=dt.date(2016, 1, 1))
    client.force_login(bob)
    assert "to be removed from the register" in client.get(reverse("visits:offender_detail", args=[ended.pk])).text
    response = client.post(reverse("notifications:remove", args=[ended.pk]), {"reason": "Period ended"},
                           follow=True)
    assert "Removed from the register" in response.text
    ended.refresh_from_db()
    assert ended.status == OffenderStatus.REMOVED
    assert CaseAction.objects.get(offender=ended).reason == "Period ended"


def test_an_offender_on_indefinite_notification_cannot_be_removed(client, bob, case):
    client.force_login(bob)
    response = client.post(reverse("notifications:remove", args=[case.pk]), {"reason": "Tidy up"})
    assert "this one&#x27;s is indefinite" in response.text
    case.refresh_from_db()
    assert case.status == OffenderStatus.COMMUNITY


def test_an_officer_cannot_remove_record_a_review_or_edit_orders(client, charlie, case):
    client.force_login(charlie)
    for name in ("notifications:remove", "notifications:indefinite_review", "notifications:order_add"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404


def test_a_supervisor_adds_and_corrects_an_order_and_records_a_refused_review(client, bob, case):
    client.force_login(bob)
    client.post(reverse("notifications:order_add", args=[case.pk]),
                {"kind": "shpo", "starts_on": "2014-01-01", "ends_on": "2016-12-01", "conditions": "No contact"})
    order = CivilOrder.objects.get(offender=case)
    client.post(reverse("notifications:order_edit", args=[case.pk, order.pk]),
                {"kind": "shpo", "starts_on": "2014-01-01", "ends_on": "2019-01-01", "conditions": "No contact"})
    order.refresh_from_db()
    assert order.ends_on == dt.date(2019, 1, 1)
    response = client.post(reverse("notifications:order_add", args=[case.pk]),
                           {"kind": "shpo", "starts_on": "2014-01-01", "ends_on": "", "conditions": ""})
    assert "already has an order of this kind starting that day" in response.text

    response = client.post(reverse("notifications:indefinite_review", args=[case.pk]),
                           {"decided_on": "2016-11-01", "outcome": "refused", "notes": "Risk remains"})
    assert "may apply for a review from 04/01/2025 only" in response.text
    assert not IndefiniteReview.objects.exists()
    page = client.get(reverse("visits:offender_detail", args=[case.pk])).text
    assert "may apply for a review from 4 Jan 2025" in page and "not while an SHPO is in force" in page


def test_a_supervisor_records_a_refused_review_which_moves_the_next_eligibility_eight_years_on(client, bob, charlie):
    eligible = OffenderFactory(officer=charlie.officer, registered_on=dt.date(2000, 3, 1),
                               first_notified_on=dt.date(2000, 3, 1), date_of_birth=dt.date(1960, 1, 1))
    client.force_login(bob)
    client.post(reverse("notifications:indefinite_review", args=[eligible.pk]),
                {"decided_on": "2016-11-01", "outcome": "refused", "notes": "Risk remains"})
    assert IndefiniteReview.objects.get(offender=eligible).outcome == "refused"
    page = client.get(reverse("visits:offender_detail", args=[eligible.pk])).text
    assert "may apply for a review from 1 Nov 2024" in page


def test_the_offenders_page_shows_an_imported_notification_with_no_one_recorded(client, charlie, case):
    Notification.objects.create(offender=case, kind="periodic", notified_on=dt.date(2016, 11, 1), recorded_by=None)
    client.force_login(charlie)
    page = client.get(reverse("visits:offender_detail", args=[case.pk]))
    assert page.status_code == 200 and "<td>import</td>" in page.text


def test_the_offenders_page_marks_the_orders_ending_of_a_managed_case_only(client, charlie, case):
    CivilOrder.objects.create(offender=case, kind="shpo", starts_on=dt.date(2012, 1, 1), ends_on=TODAY)
    CivilOrder.objects.create(offender=case, kind="other", starts_on=dt.date(2012, 1, 1), ends_on=dt.date(2017, 6, 1))
    client.force_login(charlie)
    page = client.get(reverse("visits:offender_detail", args=[case.pk])).text
    assert page.count('class="ending"') == 1
    case.status = OffenderStatus.CUSTODY
    case.save()
    assert 'class="ending"' not in client.get(reverse("visits:offender_detail", args=[case.pk])).text


def test_the_offenders_page_asks_the_database_no_more_for_a_longer_history(client, charlie, case,
                                                                           django_assert_max_num_queries):
    client.force_login(charlie)
    with django_assert_max_num_queries(30) as first:
        client.get(reverse("visits:offender_detail", args=[case.pk]))
    for n in range(5):
        CivilOrder.objects.create(offender=case, kind="other", starts_on=dt.date(2012, 1, 1 + n))
        Notification.objects.create(offender=case, kind="periodic", notified_on=dt.date(2016, 1, 1 + n))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("visits:offender_detail", args=[case.pk]))
