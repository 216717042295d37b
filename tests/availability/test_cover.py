"""Cover: an absent officer's cases with something falling due while they are away go to a covering officer, who sees
them on their caseload, marked as cover, until the cover ends by itself."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from availability.selectors import absences_needing_cover, cases_falling_due
from availability.services import absence_record, cover_assign
from offenders.selectors import offenders_visible_to
from tests.availability.conftest import TODAY, fortnight_from
from tests.factories import OffenderFactory, VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def away(charlie, bob):
    """Charlie off sick for a fortnight from today."""
    days = fortnight_from()
    return absence_record(officer=charlie.officer, kind="sickness", starts_on=days[0], ends_on=days[1], user=bob)


def test_each_absence_needs_cover_for_what_falls_due_by_its_own_last_day(charlie, bob, nina):
    """Two absences of Charlie's and one of Nina's, asked after at once: each by its own officer and last day."""
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=TODAY + dt.timedelta(days=20))
    VisitFactory(offender=OffenderFactory(officer=nina.officer), due_on=TODAY + dt.timedelta(days=3))
    short = absence_record(officer=charlie.officer, kind="annual_leave", starts_on=TODAY,
                           ends_on=TODAY + dt.timedelta(5), user=bob)
    long = absence_record(officer=charlie.officer, kind="training", starts_on=TODAY + dt.timedelta(18),
                          ends_on=TODAY + dt.timedelta(21), user=bob)
    ninas = absence_record(officer=nina.officer, kind="annual_leave", starts_on=TODAY,
                           ends_on=TODAY + dt.timedelta(5), user=bob)
    assert set(absences_needing_cover(user=bob, as_of=TODAY)) == {long, ninas}
    assert short.pk not in {absence.pk for absence in absences_needing_cover(user=bob, as_of=TODAY)}


def test_the_cases_falling_due_are_those_due_before_the_absence_ends_late_ones_included(away, charlies_cases):
    assert [o.reference for o in cases_falling_due(away)] == ["S-3", "S-1"]


def test_an_absence_with_cases_falling_due_needs_cover_until_it_has_some(away, charlies_cases, bob, nina):
    assert absences_needing_cover(user=bob, as_of=TODAY) == [away]
    cover_assign(absence=away, officer=nina.officer, until=away.ends_on, user=bob)
    assert absences_needing_cover(user=bob, as_of=TODAY) == []


def test_the_covering_officer_sees_the_cases_marked_as_cover(client, away, charlies_cases, bob, nina):
    cover_assign(absence=away, officer=nina.officer, until=away.ends_on, user=bob, rationale="Same patch")
    client.force_login(nina)
    page = client.get(reverse("visits:my_caseload")).text
    assert "S-1" in page and "S-3" in page and "S-2" not in page
    assert "cover for Charlie Chalk until 27 Nov 2016" in page
    assert client.get(reverse("visits:offender_detail", args=[charlies_cases["S-1"].pk])).status_code == 200
    assert client.get(reverse("visits:offender_detail", args=[charlies_cases["S-2"].pk])).status_code == 404


def test_cover_ends_by_itself_after_its_last_day(away, charlies_cases, bob, nina):
    cover_assign(absence=away, officer=nina.officer, until=TODAY + dt.timedelta(days=2), user=bob)
    assert offenders_visible_to(user=nina).count() == 2
    with time_machine.travel(dt.datetime(2016, 11, 17, 12, 0, tzinfo=dt.UTC), tick=False):
        nina.refresh_from_db()
        assert offenders_visible_to(user=type(nina).objects.get(pk=nina.pk)).count() == 0


def test_cover_is_refused_for_the_absent_officer_another_team_or_an_officer_away(away, charlies_cases, bob, dave,
                                                                                  nina):
    with pytest.raises(ValidationError, match="cannot cover their own absence"):
        cover_assign(absence=away, officer=away.officer, until=away.ends_on, user=bob)
    with pytest.raises(ValidationError, match="is not an active officer of North"):
        cover_assign(absence=away, officer=dave.officer, until=away.ends_on, user=bob)
    absence_record(officer=nina.officer, kind="training", starts_on=TODAY, ends_on=TODAY, user=bob)
    with pytest.raises(ValidationError, match="is away when the cover starts"):
        cover_assign(absence=away, officer=nina.officer, until=away.ends_on, user=bob)


def test_an_absence_is_covered_once_and_the_second_hears_by_whom(away, charlies_cases, bob, alice, nina, north):
    from tests.factories import OfficerFactory

    cover_assign(absence=away, officer=nina.officer, until=away.ends_on, user=bob)
    other = OfficerFactory(team=north, name="Otto Other")
    with pytest.raises(ValidationError, match=r"Nina North \(OM102\) already covers this absence until 27/11/2016"):
        cover_assign(absence=away, officer=other, until=away.ends_on, user=alice)


def test_a_supervisor_assigns_cover_from_the_absence_page(client, away, charlies_cases, bob, nina):
    client.force_login(bob)
    url = reverse("availability:absence", args=[away.pk])
    page = client.get(url).text
    assert "S-1" in page and "S-2" not in page and "Assign cover" in page
    response = client.post(url, {"officer": nina.officer.pk, "until": "2016-11-27", "rationale": "Same patch"},
                           follow=True)
    assert "Nina North covers 2 cases until 27 Nov 2016." in response.text
