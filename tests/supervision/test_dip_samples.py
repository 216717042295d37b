"""Monthly dip samples: the draw, the review, the list, the export and the dashboard's figures. The clock is frozen on
14 November 2016; the draws sample October's visits (drawn on 1 November, due 29 November) unless a test says so."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from supervision import dip_samples
from supervision.dip_models import DipOutcome, DipSample, DipSamplePolicy
from supervision.dip_samples import (
    dip_sample_figures,
    dip_sample_review,
    dip_samples_draw,
    dip_samples_for_list,
    draw_key,
    in_state,
    sample_size,
)
from tests.factories import OffenderFactory, OfficerFactory, UserFactory, VisitFactory
from visits import rules
from visits.flagging import flags_refresh
from visits.models import Flag, FlagKind, VisitStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

OCTOBER = dt.date(2016, 10, 1)
DRAWN = dt.date(2016, 11, 1)


def visited(officer, cases: int, *, on=dt.date(2016, 10, 10)) -> list:
    """`cases` offenders of `officer`'s, each with a completed visit by them on `on`."""
    offenders = [OffenderFactory(officer=officer) for _ in range(cases)]
    for offender in offenders:
        VisitFactory(offender=offender, officer=officer, status=VisitStatus.COMPLETED, completed_on=on, due_on=on)
    return offenders


def drawn_cases(officer=None) -> set[int]:
    samples = DipSample.objects.all() if officer is None else DipSample.objects.filter(officer=officer)
    return set(samples.values_list("offender_id", flat=True))


def draw(team=None, month=OCTOBER):
    return dip_samples_draw(month=month, team=team, drawn_on=DRAWN)


@pytest.fixture
def sample(charlie):
    visited(charlie.officer, 1)
    draw()
    return DipSample.objects.get()


# --- the draw ---------------------------------------------------------------------------------------------------


def test_the_draw_is_the_same_for_the_same_month_and_team(north, charlie):
    visited(charlie.officer, 60)
    draw(north)
    first = drawn_cases()
    assert len(first) == 3  # 5% of 60
    DipSample.objects.all().delete()
    draw(north)
    assert drawn_cases() == first
    ordered = sorted(drawn_cases(charlie.officer) | set(charlie.officer.offenders.values_list("pk", flat=True)),
                     key=lambda pk: draw_key(month=OCTOBER, team_id=north.pk, offender_id=pk))
    assert set(ordered[:3]) == first  # the lowest hashes of (month, team, case)


def test_another_month_draws_another_sample(north, charlie):
    visited(charlie.officer, 60, on=dt.date(2016, 10, 10))
    cases = list(charlie.officer.offenders.all())
    for offender in cases:
        VisitFactory(offender=offender, officer=charlie.officer, status=VisitStatus.COMPLETED,
                     completed_on=dt.date(2016, 9, 10), due_on=dt.date(2016, 9, 10))
    draw(north, month=OCTOBER)
    draw(north, month=dt.date(2016, 9, 1))
    october = set(DipSample.objects.filter(month=OCTOBER).values_list("offender_id", flat=True))
    september = set(DipSample.objects.filter(month=dt.date(2016, 9, 1)).values_list("offender_id", flat=True))
    assert len(october) == len(september) == 3 and october != september


def test_an_officer_with_few_cases_gets_at_least_the_minimum(north, charlie, dave):
    visited(charlie.officer, 5)
    visited(dave.officer, 1)
    draw()
    assert len(drawn_cases(charlie.officer)) == 2  # 5% of 5 is 1: the minimum, 2
    assert len(drawn_cases(dave.officer)) == 1  # all there is
    assert sample_size(cases=41, percent=5, minimum=2) == 3  # 2.05 rounded up
    assert sample_size(cases=0, percent=5, minimum=2) == 0


def test_a_teams_policy_sets_the_percentage_and_the_minimum(north, south, charlie, dave):
    DipSamplePolicy.objects.create(team=north, percent=20, minimum=1)
    DipSamplePolicy.objects.create(team=south, percent=5, minimum=4)
    visited(charlie.officer, 20)
    visited(dave.officer, 20)
    draw()
    assert len(drawn_cases(charlie.officer)) == 4
    assert len(drawn_cases(dave.officer)) == 4


def test_a_case_is_never_sampled_twice_in_a_month(north, charlie):
    colleague = OfficerFactory(team=north)
    shared = visited(charlie.officer, 2, on=dt.date(2016, 10, 3))
    for offender in shared:  # the colleague saw both later in the month: the cases are theirs this month
        VisitFactory(offender=offender, officer=colleague, status=VisitStatus.COMPLETED,
                     completed_on=dt.date(2016, 10, 20), due_on=dt.date(2016, 10, 20))
    VisitFactory(offender=shared[0], officer=charlie.officer, status=VisitStatus.COMPLETED,
                 completed_on=dt.date(2016, 10, 5), due_on=dt.date(2016, 10, 5))
    draw()
    samples = DipSample.objects.all()
    assert sorted(s.offender_id for s in samples) == sorted(o.pk for o in shared)
    assert {s.officer_id for s in samples} == {colleague.pk}
    assert all(s.visit.completed_on == dt.date(2016, 10, 20) for s in samples)
    with pytest.raises(IntegrityError), transaction.atomic():
        first = samples.first()
        DipSample.objects.create(month=OCTOBER, team=north, officer=charlie.officer, offender_id=first.offender_id,
                                 visit=charlie.officer.visits.first(), drawn_on=DRAWN, due_on=DRAWN)


def test_only_completed_visits_of_the_month_are_sampled(charlie):
    offender = OffenderFactory(officer=charlie.officer)
    VisitFactory(offender=offender, officer=charlie.officer, due_on=dt.date(2016, 10, 12))  # open
    visited(charlie.officer, 1, on=dt.date(2016, 9, 30))
    visited(charlie.officer, 1, on=dt.date(2016, 11, 1))
    assert draw().drawn == 0


def test_drawing_again_writes_nothing(north, south, charlie, dave):
    visited(charlie.officer, 30)
    visited(dave.officer, 30)
    draw(north)
    first = draw()
    assert first.drawn == 2  # South's; North's were drawn already
    before = set(DipSample.objects.values_list("pk", "offender_id"))
    visited(charlie.officer, 40, on=dt.date(2016, 10, 28))  # logged late: Charlie's October is drawn already
    again = draw()
    assert again.drawn == 0
    assert set(DipSample.objects.values_list("pk", "offender_id")) == before


def test_a_drawn_sample_is_due_28_days_after_the_draw(sample):
    assert (sample.month, sample.drawn_on, sample.due_on) == (OCTOBER, DRAWN, dt.date(2016, 11, 29))


def test_the_command_draws_last_month_and_the_beat_runs_it_on_the_first(settings, charlie):
    visited(charlie.officer, 3)
    out = io.StringIO()
    call_command("draw_dip_samples", stdout=out)
    assert "Dip samples of 2016-10: 2 drawn for 1 officers" in out.getvalue()
    call_command("draw_dip_samples", "--month", "2016-10", stdout=out)
    assert DipSample.objects.count() == 2
    entry = settings.CELERY_BEAT_SCHEDULE["dip-samples-monthly"]
    assert entry["task"] == "supervision.tasks.draw_dip_samples"
    assert entry["schedule"].day_of_month == {1} and entry["schedule"].hour == {6}


def test_the_task_draws_last_month(charlie):
    from supervision.tasks import draw_dip_samples

    visited(charlie.officer, 3)
    assert draw_dip_samples() == {"month": "2016-10", "officers": 1, "drawn": 2}


# --- the review -------------------------------------------------------------------------------------------------


def test_a_review_not_done_within_28_days_is_overdue(charlie, bob):
    visited(charlie.officer, 2, on=dt.date(2016, 9, 10))
    dip_samples_draw(month=dt.date(2016, 9, 1), drawn_on=dt.date(2016, 10, 1))  # due 29 October
    late, reviewed = DipSample.objects.order_by("pk")
    dip_sample_review(sample=reviewed, user=bob, outcome=DipOutcome.SATISFACTORY, note="Good")
    overdue = DipSample.objects.filter(rules.overdue_on(rules.today()))
    assert list(overdue) == [late]
    assert not DipSample.objects.filter(rules.overdue_on(dt.date(2016, 10, 29))).exists()  # the 28th day
    assert DipSample.objects.filter(rules.overdue_on(dt.date(2016, 10, 30))).count() == 2  # as it stood that day
    assert dip_sample_figures(user=bob, team=None, as_of=rules.today())["overdue"] == 1


def test_overdue_reviews_flag_the_officer_sampled_until_they_are_done(charlie, bob):
    visited(charlie.officer, 2, on=dt.date(2016, 9, 10))
    dip_samples_draw(month=dt.date(2016, 9, 1), drawn_on=dt.date(2016, 10, 1))  # due 29 October
    flags_refresh(wait=True, whole_register=True)
    flag = Flag.objects.get(kind=FlagKind.DIP_REVIEW_OVERDUE, cleared_at__isnull=True)
    assert (flag.officer, flag.severity, flag.details) == (charlie.officer, 2, {"overdue": 2, "due_on": "2016-10-29"})
    assert flag.what(rules.today()) == "2 dip-sample reviews of their visits overdue, the oldest due 2016-10-29"
    first, second = DipSample.objects.order_by("pk")
    dip_sample_review(sample=first, user=bob, outcome=DipOutcome.SATISFACTORY, note="Good")
    flag.refresh_from_db()
    assert flag.is_open and flag.details["overdue"] == 1  # brought in line by the review itself
    dip_sample_review(sample=second, user=bob, outcome=DipOutcome.SATISFACTORY, note="Good")
    flag.refresh_from_db()
    assert not flag.is_open


def test_an_overdue_review_flag_worsens_once_a_review_is_28_days_late(charlie):
    visited(charlie.officer, 1, on=dt.date(2016, 8, 10))
    dip_samples_draw(month=dt.date(2016, 8, 1), drawn_on=dt.date(2016, 9, 1))  # due 29 September
    flags_refresh(wait=True, whole_register=True)
    assert Flag.objects.get(kind=FlagKind.DIP_REVIEW_OVERDUE).severity == 3


def test_the_selectors_count_overdue_with_the_one_rule(monkeypatch, charlie, bob):
    visited(charlie.officer, 2, on=dt.date(2016, 9, 10))
    dip_samples_draw(month=dt.date(2016, 9, 1), drawn_on=dt.date(2016, 10, 1))
    asked, overdue_on = [], rules.overdue_on

    def spy(day, prefix=""):
        asked.append(day)
        return overdue_on(day, prefix)

    monkeypatch.setattr(dip_samples.rules, "overdue_on", spy)
    today = dt.date(2016, 11, 14)
    assert dip_sample_figures(user=bob, team=None, as_of=today)["overdue"] == 2
    assert [s.overdue for s in dip_samples_for_list(user=bob, as_of=today)] == [True, True]
    assert DipSample.objects.filter(in_state("overdue", today)).count() == 2
    assert asked == [today, today, today]


def test_action_needed_requires_a_follow_up_date(sample, bob):
    with pytest.raises(ValidationError) as refused:
        dip_sample_review(sample=sample, user=bob, outcome=DipOutcome.ACTION_NEEDED, note="No risk plan on file")
    assert refused.value.message_dict == {"follow_up_on": ["Action is needed: give the date to follow it up."]}
    with pytest.raises(ValidationError) as refused:
        dip_sample_review(sample=sample, user=bob, outcome=DipOutcome.SATISFACTORY, note="Fine",
                          follow_up_on=dt.date(2016, 12, 1))
    assert "follow_up_on" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        DipSample.objects.filter(pk=sample.pk).update(
            reviewer=bob, reviewed_at=dt.datetime(2016, 11, 14, tzinfo=dt.UTC), closed_on=dt.date(2016, 11, 14),
            outcome=DipOutcome.ACTION_NEEDED, note="No risk plan on file")
    reviewed = dip_sample_review(sample=sample, user=bob, outcome=DipOutcome.ACTION_NEEDED,
                                 note="No risk plan on file", follow_up_on=dt.date(2016, 12, 1))
    assert (reviewed.reviewer, reviewed.closed_on, reviewed.follow_up_on) == (bob, dt.date(2016, 11, 14),
                                                                             dt.date(2016, 12, 1))


def test_a_sample_is_reviewed_once(sample, bob, beth):
    dip_sample_review(sample=sample, user=bob, outcome=DipOutcome.SATISFACTORY, note="Fine")
    with pytest.raises(ValidationError, match="reviewed already"):
        dip_sample_review(sample=sample, user=beth, outcome=DipOutcome.SATISFACTORY, note="Fine")


def test_the_officer_whose_case_it_is_cannot_review_it_even_as_a_supervisor(north, bob):
    own = OfficerFactory(team=north, user=bob)  # a supervisor who carries cases
    visited(own, 1)
    draw()
    with pytest.raises(ValidationError, match="your own case"):
        dip_sample_review(sample=DipSample.objects.get(), user=bob, outcome=DipOutcome.SATISFACTORY, note="Fine")


# --- the pages --------------------------------------------------------------------------------------------------


def test_a_supervisor_reviews_through_the_form_with_clear_field_errors(client, sample, bob):
    client.force_login(bob)
    url = reverse("dip_samples:review", args=[sample.pk])
    assert "Record the review" in client.get(url).text
    response = client.post(url, {"outcome": "action_needed", "note": ""})
    assert response.context["form"].errors == {"note": ["This field is required."]}
    response = client.post(url, {"outcome": "action_needed", "note": "Risk plan missing"})
    assert response.context["form"].errors == {"follow_up_on": ["Action is needed: give the date to follow it up."]}
    response = client.post(url, {"outcome": "action_needed", "note": "Risk plan missing",
                                 "follow_up_on": "2016-12-01"}, follow=True)
    assert "Review recorded." in response.text
    sample.refresh_from_db()
    assert (sample.outcome, sample.reviewer, sample.follow_up_on) == ("action_needed", bob, dt.date(2016, 12, 1))
    assert "This sample has been reviewed." in client.get(url).text


def test_only_a_supervisor_of_the_team_or_an_admin_reaches_a_sample(client, sample, alice, bob, charlie, dave, erin):
    url = reverse("dip_samples:review", args=[sample.pk])
    for user, status in ((alice, 200), (bob, 200), (charlie, 404), (dave, 404), (erin, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
        assert client.post(url, {"outcome": "satisfactory", "note": "x"}).status_code in (status, 302), user.username
    sample.refresh_from_db()
    assert sample.closed_on is None or sample.reviewer in (alice, bob)


def test_the_own_case_page_shows_no_form_and_a_post_is_refused(client, north, bob):
    visited(OfficerFactory(team=north, user=bob), 1)
    draw()
    sample = DipSample.objects.get()
    client.force_login(bob)
    url = reverse("dip_samples:review", args=[sample.pk])
    page = client.get(url).text
    assert "This is your own case" in page and "Record the review" not in page
    response = client.post(url, {"outcome": "satisfactory", "note": "Fine"}, follow=True)
    assert "This is your own case" in response.text
    sample.refresh_from_db()
    assert sample.closed_on is None


def test_the_list_shows_a_supervisors_teams_and_filters_by_state_month_team_and_officer(
        client, north, charlie, dave, bob, erin):
    visited(charlie.officer, 2, on=dt.date(2016, 9, 10))
    dip_samples_draw(month=dt.date(2016, 9, 1), drawn_on=dt.date(2016, 10, 1))  # overdue now
    visited(charlie.officer, 2)
    visited(dave.officer, 2)
    draw()
    done = DipSample.objects.filter(month=OCTOBER, officer=charlie.officer).first()
    dip_sample_review(sample=done, user=bob, outcome=DipOutcome.SATISFACTORY, note="Good")
    client.force_login(bob)
    url = reverse("dip_samples:list")

    def listed(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {row.record.pk for row in response.context["table"].rows}

    north_samples = set(DipSample.objects.filter(team=north).values_list("pk", flat=True))
    assert listed() == north_samples  # none of South's
    assert listed(state="overdue") == set(DipSample.objects.filter(month=dt.date(2016, 9, 1)).values_list("pk",
                                                                                                      flat=True))
    assert listed(state="done") == {done.pk}
    assert listed(state="due") == north_samples - {done.pk} - listed(state="overdue")
    assert listed(month="2016-10") == set(DipSample.objects.filter(team=north, month=OCTOBER).values_list("pk",
                                                                                                       flat=True))
    assert listed(officer=charlie.officer.pk) == north_samples
    response = client.get(url, {"month": "October"})
    assert response.context["filter"].errors["month"]
    client.force_login(erin)
    assert listed() == set(DipSample.objects.filter(officer=dave.officer).values_list("pk", flat=True))


def test_the_list_is_not_for_officers(client, sample, charlie):
    client.force_login(charlie)
    assert client.get(reverse("dip_samples:list")).status_code == 404
    assert client.get(reverse("dip_samples:export")).status_code == 404


def test_the_export_gives_the_results_per_officer(client, north, charlie, dave, bob, alice):
    visited(charlie.officer, 2, on=dt.date(2016, 9, 10))
    dip_samples_draw(month=dt.date(2016, 9, 1), drawn_on=dt.date(2016, 10, 1))
    visited(charlie.officer, 3)
    visited(dave.officer, 2)
    draw()
    satisfactory, action = DipSample.objects.filter(month=OCTOBER, officer=charlie.officer)
    dip_sample_review(sample=satisfactory, user=bob, outcome=DipOutcome.SATISFACTORY, note="Good")
    dip_sample_review(sample=action, user=bob, outcome=DipOutcome.ACTION_NEEDED, note="Plan",
                      follow_up_on=dt.date(2016, 12, 1))
    client.force_login(bob)
    response = client.get(reverse("dip_samples:export"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Officer staff id", "Month", "Sampled", "Reviewed", "Satisfactory", "Action needed", "Overdue"],
        ["OM100", "2016-09", "2", "0", "0", "0", "2"],
        ["OM100", "2016-10", "2", "2", "1", "1", "0"],
    ]
    assert "Quix" not in response.content.decode() and "offender" not in response.content.decode().lower()
    client.force_login(alice)
    rows = list(csv.reader(io.StringIO(client.get(reverse("dip_samples:export"), {"month": "2016-10"})
                                       .content.decode("utf-8-sig"))))
    assert [row[:3] for row in rows[1:]] == [["OM100", "2016-10", "2"], ["OM200", "2016-10", "2"]]


def test_the_export_neutralises_a_staff_id_that_starts_like_a_formula(client, north, alice):
    visited(OfficerFactory(team=north, staff_id="=HYPERLINK(1)"), 1)
    draw()
    client.force_login(alice)
    rows = list(csv.reader(io.StringIO(client.get(reverse("dip_samples:export")).content.decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_the_dashboard_figures_count_reviews_due_and_done(north, south, charlie, dave, bob, alice):
    visited(charlie.officer, 2, on=dt.date(2016, 9, 10))
    dip_samples_draw(month=dt.date(2016, 9, 1), drawn_on=dt.date(2016, 10, 1))
    visited(charlie.officer, 3)
    visited(dave.officer, 2)
    draw()
    first = DipSample.objects.filter(month=OCTOBER, officer=charlie.officer).first()
    dip_sample_review(sample=first, user=bob, outcome=DipOutcome.ACTION_NEEDED, note="Plan",
                      follow_up_on=dt.date(2016, 12, 1))
    today = rules.today()
    assert dip_sample_figures(user=bob, team=None, as_of=today) == {
        "as_of": today, "latest_month": OCTOBER, "due": 1, "overdue": 2, "latest_sampled": 2, "latest_reviewed": 1,
        "latest_action_needed": 1}
    figures = dip_sample_figures(user=alice, team=south, as_of=today)
    assert (figures["due"], figures["overdue"], figures["latest_sampled"]) == (2, 0, 2)
    assert dip_sample_figures(user=UserFactory(role="Officer"), team=None, as_of=today)["latest_month"] is None


def test_the_tile_renders_the_figures(client, sample, bob):
    from django.template.loader import render_to_string

    html = render_to_string("supervision/dip_sample_tile.html", {
        "dip_samples": dip_sample_figures(user=bob, team=None, as_of=rules.today()), "team": None})
    assert "reviews due" in html and "0 of 1" in html and reverse("dip_samples:list") in html
