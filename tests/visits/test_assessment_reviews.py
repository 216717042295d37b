"""The risk assessment review: due one review interval of the tier after the last assessment (28 days after
registration if never assessed), held by the next assessment, brought forward, never pushed back, by an event that
calls for a fresh assessment; counted overdue on day D by the one rule every due item shares."""

import datetime as dt

import pytest
from django.db import IntegrityError

from offenders.models import OffenderStatus, RiskTier
from tests.factories import OffenderFactory, VisitFactory, tier
from tests.visits.conftest import TODAY
from visits import reviews, rules, services
from visits.flagging import flags_refresh
from visits.models import Flag, FlagKind, Review, Visit
from visits.selectors import open_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
DAY = dt.timedelta(days=1)


@pytest.fixture
def offender(charlie):
    case = OffenderFactory(officer=charlie.officer, risk_tier=tier("medium"), registered_on=dt.date(2015, 1, 1))
    reviews.review_open_first(case)
    return case


def overdue_on(day: dt.date) -> list[int]:
    return list(Review.objects.filter(rules.overdue_on(day)).values_list("offender_id", flat=True))


def test_the_tiers_review_intervals_are_the_local_policy_defaults():
    intervals = dict(RiskTier.objects.values_list("code", "review_interval_days"))
    assert intervals == {"very_high": 91, "high": 182, "medium": 365, "low": 365}


def test_an_offender_never_assessed_is_due_a_review_28_days_after_registration(offender):
    assert open_review(offender).due_on == dt.date(2015, 1, 29)


def test_an_assessment_holds_the_open_review_and_sets_the_next_by_the_tier_it_found(offender, bob):
    first = open_review(offender)
    assessment = services.offender_change_tier(offender=offender, risk_tier=tier("high"), user=bob,
                                               reason="ARMS review", assessed_on=TODAY - 3 * DAY)

    first.refresh_from_db()
    assert (first.closed_on, first.assessment) == (TODAY - 3 * DAY, assessment)
    assert open_review(offender).due_on == TODAY - 3 * DAY + 182 * DAY


def test_a_review_due_on_the_day_itself_is_not_overdue_that_day(offender):
    Review.objects.filter(offender=offender).update(due_on=TODAY)

    assert overdue_on(TODAY) == []
    assert overdue_on(TODAY + DAY) == [offender.pk]


def test_a_review_held_on_the_day_still_counted_overdue_for_that_past_day(offender, bob):
    Review.objects.filter(offender=offender).update(due_on=TODAY - 10 * DAY)
    services.offender_change_tier(offender=offender, risk_tier=tier("high"), user=bob, reason="Late review",
                                  assessed_on=TODAY - 2 * DAY)

    assert overdue_on(TODAY - 2 * DAY) == [offender.pk]  # as the day stood at its start
    assert overdue_on(TODAY - DAY) == []


def test_a_return_to_the_community_brings_the_review_forward(offender, bob):
    Review.objects.filter(offender=offender).update(due_on=TODAY + 200 * DAY)
    services.offender_change_status(offender=offender, status=OffenderStatus.CUSTODY, user=bob, reason="Recalled")
    services.offender_change_status(offender=offender, status=OffenderStatus.COMMUNITY, user=bob, reason="Released")

    review = open_review(offender)
    assert (review.due_on, review.brought_forward_because) == (TODAY + 28 * DAY, "Returned to the community")


def test_an_event_never_pushes_a_review_later(offender, bob):
    Review.objects.filter(offender=offender).update(due_on=TODAY + 5 * DAY)
    services.offender_change_status(offender=offender, status=OffenderStatus.HOSPITAL, user=bob, reason="Admitted")
    services.offender_change_status(offender=offender, status=OffenderStatus.COMMUNITY, user=bob, reason="Discharged")

    assert open_review(offender).due_on == TODAY + 5 * DAY


def test_a_visit_that_finds_the_offender_gone_brings_the_review_forward(offender, charlie):
    Review.objects.filter(offender=offender).update(due_on=TODAY + 300 * DAY)
    visit = VisitFactory(offender=offender, due_on=TODAY)
    services.visit_address_left(offender=offender, visit_id=visit.pk, user=charlie, visited_on=TODAY,
                                kind=Visit.Kind.HOME_UNANNOUNCED, new_address="1 New Road", new_postcode="CM1 1AA")

    assert open_review(offender).due_on == TODAY + 28 * DAY


def test_an_assessment_older_than_the_latest_leaves_the_open_review_alone(offender, bob):
    services.offender_change_tier(offender=offender, risk_tier=tier("high"), user=bob, reason="Review",
                                  assessed_on=TODAY)
    due = open_review(offender).due_on
    services.offender_change_tier(offender=offender, risk_tier=tier("medium"), user=bob, reason="Found on file",
                                  assessed_on=TODAY - 400 * DAY)

    assert open_review(offender).due_on == due


def test_an_offender_has_one_open_review_at_most(offender):
    with pytest.raises(IntegrityError):
        Review.objects.create(offender=offender, due_on=TODAY)


def test_an_assessment_that_finds_the_same_tier_still_holds_the_review(offender, charlie):
    first = open_review(offender)
    services.assessment_record(offender=offender, risk_tier=tier("medium"), user=charlie, assessed_on=TODAY,
                               tool="arms", notes="Stable")

    first.refresh_from_db()
    assert first.closed_on == TODAY
    assert open_review(offender).due_on == TODAY + 365 * DAY
    assert offender.assessments.get().assessor == charlie


def test_an_assessment_cannot_be_dated_in_the_future(offender, charlie):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="in the future"):
        services.assessment_record(offender=offender, risk_tier=tier("medium"), user=charlie,
                                   assessed_on=TODAY + DAY, tool="arms")
    assert open_review(offender).closed_on is None


def test_an_officer_records_an_assessment_from_the_offenders_page(client, offender, charlie):
    client.force_login(charlie)
    page = client.get(f"/visits/offenders/{offender.pk}/").content.decode()
    assert "Assessment review due 29 Jan 2015" in page and "Record an assessment" in page

    response = client.post(f"/visits/offenders/{offender.pk}/assessment/",
                           {"assessed_on": "2016-11-10", "tool": "arms", "risk_tier": tier("high").pk, "notes": ""})

    assert response.status_code == 302
    offender.refresh_from_db()
    assert offender.risk_tier == tier("high")
    assert open_review(offender).due_on == dt.date(2016, 11, 10) + 182 * DAY


def test_a_bad_date_is_refused_with_a_message_on_the_field(client, offender, charlie):
    client.force_login(charlie)
    response = client.post(f"/visits/offenders/{offender.pk}/assessment/",
                           {"assessed_on": "2016-12-01", "tool": "arms", "risk_tier": tier("medium").pk})

    assert response.status_code == 200
    assert "is in the future" in response.content.decode()
    assert not offender.assessments.exists()


def test_the_flag_job_flags_an_overdue_review_by_tier_and_an_assessment_clears_it(offender, charlie):
    Review.objects.filter(offender=offender).update(due_on=TODAY - DAY)
    flags_refresh()
    flag = Flag.objects.get(kind=FlagKind.ASSESSMENT_OVERDUE, cleared_at__isnull=True)
    assert (flag.offender, flag.severity, flag.details) == (offender, 2, {"due_on": "2016-11-13", "tier": "medium"})
    assert flag.what(TODAY) == "assessment review due 2016-11-13, 1 days late"

    services.assessment_record(offender=offender, risk_tier=tier("medium"), user=charlie, assessed_on=TODAY,
                               tool="arms")

    assert not Flag.objects.filter(kind=FlagKind.ASSESSMENT_OVERDUE, cleared_at__isnull=True).exists()


def test_a_review_late_by_more_than_its_interval_is_flagged_one_step_more_severe(offender):
    Review.objects.filter(offender=offender).update(due_on=TODAY - 366 * DAY)
    flags_refresh()
    assert Flag.objects.get(kind=FlagKind.ASSESSMENT_OVERDUE).severity == 3


def test_custody_does_not_count(offender, bob):
    Review.objects.filter(offender=offender).update(due_on=TODAY - 10 * DAY)
    services.offender_change_status(offender=offender, status=OffenderStatus.CUSTODY, user=bob, reason="Recalled")
    flags_refresh()
    assert not Flag.objects.filter(kind=FlagKind.ASSESSMENT_OVERDUE).exists()


def test_the_officers_caseload_shows_the_assessment_due_beside_the_next_visit(client, offender, charlie):
    client.force_login(charlie)
    page = client.get("/visits/mine/").content.decode()
    assert "Assessment due" in page and "29 Jan 2015 · assessment due" in page
