"""MAPPA reviews: a level 2 or 3 case is reviewed at multi-agency meetings, each setting the next review; past that
date, or with none set, the case is overdue (the one overdue rule); a level 1 case never is."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import OffenderFactory, tier
from tests.visits.conftest import TODAY
from visits import services
from visits.flagging import flags_refresh
from visits.models import CaseAction, Flag, FlagKind, ReviewKind
from visits.selectors import open_review, reviews_overdue_among

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
DAY = dt.timedelta(days=1)


@pytest.fixture
def level_two(charlie):
    return OffenderFactory(officer=charlie.officer, risk_tier=tier("high"), mappa_level=2)


def mappa_overdue_on(day: dt.date, offender) -> bool:
    return reviews_overdue_among(type(offender).objects.filter(pk=offender.pk), day, ReviewKind.MAPPA).exists()


def test_a_meeting_sets_the_next_review_and_the_case_is_overdue_after_it(level_two, bob):
    services.mappa_meeting_record(offender=level_two, held_on=TODAY - 100 * DAY, level=2,
                                  next_review_on=TODAY - 10 * DAY, user=bob)

    assert open_review(level_two, kind=ReviewKind.MAPPA).due_on == TODAY - 10 * DAY
    assert not mappa_overdue_on(TODAY - 10 * DAY, level_two)
    assert mappa_overdue_on(TODAY, level_two)


def test_a_meeting_that_sets_no_next_review_leaves_the_case_overdue_from_the_next_day(level_two, bob):
    services.mappa_meeting_record(offender=level_two, held_on=TODAY - 3 * DAY, level=3, next_review_on=None,
                                  user=bob)

    assert not mappa_overdue_on(TODAY - 3 * DAY, level_two)
    assert mappa_overdue_on(TODAY - 2 * DAY, level_two)


def test_the_next_meeting_holds_the_review(level_two, bob):
    services.mappa_meeting_record(offender=level_two, held_on=TODAY - 100 * DAY, level=2,
                                  next_review_on=TODAY - 10 * DAY, user=bob)
    first = open_review(level_two, kind=ReviewKind.MAPPA)
    meeting = services.mappa_meeting_record(offender=level_two, held_on=TODAY - 5 * DAY, level=2,
                                            next_review_on=TODAY + 80 * DAY, user=bob)

    first.refresh_from_db()
    assert (first.closed_on, first.meeting) == (TODAY - 5 * DAY, meeting)
    assert not mappa_overdue_on(TODAY, level_two)


def test_a_level_1_case_never_has_an_overdue_mappa_review(level_two, bob):
    services.mappa_meeting_record(offender=level_two, held_on=TODAY - 100 * DAY, level=1, next_review_on=None,
                                  user=bob)

    assert open_review(level_two, kind=ReviewKind.MAPPA) is None
    assert not mappa_overdue_on(TODAY, level_two)
    with pytest.raises(ValidationError, match="Only level 2 and 3"):
        services.mappa_meeting_record(offender=level_two, held_on=TODAY, level=1, next_review_on=TODAY + DAY,
                                      user=bob)


def test_a_level_change_is_recorded_in_the_cases_actions_like_a_tier_change(level_two, bob):
    services.mappa_meeting_record(offender=level_two, held_on=TODAY, level=3, next_review_on=TODAY + 60 * DAY,
                                  user=bob, notes="Escalated after breach")

    level_two.refresh_from_db()
    action = CaseAction.objects.get(offender=level_two, kind=CaseAction.Kind.MAPPA_LEVEL_CHANGED)
    assert (level_two.mappa_level, action.before, action.after, action.user) == (
        3, {"mappa_level": 2}, {"mappa_level": 3}, bob)


def test_the_flag_job_flags_an_overdue_mappa_review_and_custody_does_not_count(level_two, bob):
    services.mappa_meeting_record(offender=level_two, held_on=TODAY - 100 * DAY, level=3,
                                  next_review_on=TODAY - 10 * DAY, user=bob)
    flags_refresh()
    flag = Flag.objects.get(kind=FlagKind.MAPPA_OVERDUE, cleared_at__isnull=True)
    assert (flag.offender, flag.severity) == (level_two, 4)  # high (3), plus 1 at level 3

    services.offender_change_status(offender=level_two, status="custody", user=bob, reason="Recalled")
    assert not Flag.objects.filter(kind=FlagKind.MAPPA_OVERDUE, cleared_at__isnull=True).exists()


def test_a_supervisor_records_a_meeting_from_the_offenders_page(client, level_two, bob, charlie):
    client.force_login(bob)
    response = client.post(f"/visits/offenders/{level_two.pk}/mappa-meeting/",
                           {"held_on": "2016-11-10", "level": "2", "next_review_on": "2017-02-10", "notes": ""})
    assert response.status_code == 302
    assert open_review(level_two, kind=ReviewKind.MAPPA).due_on == dt.date(2017, 2, 10)
    client.force_login(charlie)
    assert client.get(f"/visits/offenders/{level_two.pk}/mappa-meeting/").status_code == 404
