"""Absences and reductions: booked by supervisors and admins, refused with a clear message when they cannot be, and
counted in the officer's available capacity on their days only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from availability.services import absence_record, absence_remove
from offenders.models import Absence
from tests.availability.conftest import TODAY, fortnight_from
from tests.factories import OffenderFactory, tier
from visits.selectors import workloads_among

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
D = dt.timedelta


def book(officer, kind="sickness", days=None, user=None, **extra):
    starts_on, ends_on = days or fortnight_from()
    return absence_record(officer=officer, kind=kind, starts_on=starts_on, ends_on=ends_on, user=user, **extra)


def workload(officer, day):
    return workloads_among(type(officer).objects.filter(pk=officer.pk), day).get()


@pytest.fixture
def loaded(charlie):
    """Charlie carries 10 medium cases: 10 x 2 points = 20 of a full-time officer's 100, so 20% capacity."""
    for _ in range(10):
        OffenderFactory(officer=charlie.officer, risk_tier=tier("medium"))
    return charlie.officer


def test_an_absence_takes_all_available_capacity_on_its_days_only(loaded, bob):
    book(loaded, days=(TODAY, TODAY + D(days=6)), user=bob)
    before, during, after = (workload(loaded, day) for day in (TODAY - D(days=1), TODAY + D(days=3), TODAY + D(days=7)))
    assert before.capacity_pct == during.capacity_pct == after.capacity_pct == Decimal("20.0")
    assert (before.available_capacity_pct, during.available_capacity_pct, after.available_capacity_pct) == (
        Decimal("20.0"), None, Decimal("20.0"))


def test_a_reduction_counts_capacity_against_the_hours_left(loaded, bob):
    book(loaded, kind="reduction", hours_per_week=Decimal("18.5"), reason="Court duty", user=bob)  # half of 37
    assert workload(loaded, TODAY).available_capacity_pct == Decimal("40.0")
    assert workload(loaded, TODAY + D(days=14)).available_capacity_pct == Decimal("20.0")


def test_a_reduction_needs_its_hours_and_no_more_than_the_contract(charlie, bob):
    with pytest.raises(ValidationError) as missing:
        book(charlie.officer, kind="reduction", user=bob)
    assert missing.value.message_dict == {"hours_per_week": ["Give the hours a week the reduction takes out."]}
    charlie.officer.fte = Decimal("0.5")
    charlie.officer.save()
    with pytest.raises(ValidationError, match=r"More than the officer's contracted 18.5 hours a week"):
        book(charlie.officer, kind="reduction", hours_per_week=Decimal(20), user=bob)
    with pytest.raises(ValidationError, match="Only a reduction takes hours a week"):
        book(charlie.officer, kind="annual_leave", hours_per_week=Decimal(5), user=bob)
    assert not Absence.objects.exists()


def test_an_officer_cannot_be_away_twice_but_a_reduction_may_overlap(charlie, bob):
    book(charlie.officer, user=bob)
    with pytest.raises(ValidationError, match=r"Charlie Chalk is already away on some of those days: Sickness"):
        book(charlie.officer, kind="annual_leave", days=(TODAY + D(days=10), TODAY + D(days=20)), user=bob)
    book(charlie.officer, kind="reduction", hours_per_week=Decimal(4), user=bob)
    assert Absence.objects.count() == 2


def test_the_last_day_cannot_come_before_the_first(charlie, bob):
    with pytest.raises(ValidationError) as error:
        book(charlie.officer, days=(TODAY, TODAY - D(days=1)), user=bob)
    assert error.value.message_dict == {"ends_on": ["The last day is before the first (14/11/2016)."]}


def test_removing_an_absence_booked_in_error_keeps_it_in_the_history(charlie, bob):
    absence = book(charlie.officer, user=bob)
    pk = absence.pk
    absence_remove(absence=absence, user=bob)
    assert not Absence.objects.exists()
    assert Absence.pgh_event_model.objects.filter(pgh_obj_id=pk, pgh_label="delete").exists()


def test_a_supervisor_books_through_the_form_and_errors_name_the_field(client, bob, charlie):
    client.force_login(bob)
    url = reverse("availability:absence_new")
    response = client.post(url, {"officer": charlie.officer.pk, "kind": "reduction", "starts_on": "2016-11-14",
                                 "ends_on": "2016-11-20"})
    assert response.context["form"].errors == {"hours_per_week": ["Give the hours a week the reduction takes out."]}
    response = client.post(url, {"officer": charlie.officer.pk, "kind": "annual_leave", "starts_on": "2016-11-14",
                                 "ends_on": "2016-11-20"}, follow=True)
    assert "Annual leave booked for Charlie Chalk." in response.text
    assert "1 officer away today" in client.get(reverse("dashboard")).text


def test_an_officer_and_another_teams_supervisor_get_404(client, charlie, bob, erin):
    absence = book(charlie.officer, user=bob)
    for user in (charlie, erin):
        client.force_login(user)
        assert client.get(reverse("availability:absence", args=[absence.pk])).status_code == 404
        assert client.post(reverse("availability:absence_remove", args=[absence.pk])).status_code == 404
    client.force_login(erin)
    response = client.post(reverse("availability:absence_new"), {"officer": charlie.officer.pk, "kind": "court",
                                                                  "starts_on": "2016-11-14", "ends_on": "2016-11-14"})
    assert "officer" in response.context["form"].errors
    assert Absence.objects.count() == 1
