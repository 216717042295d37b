"""assessments.csv: the risk assessment history, each assessment its offender, date and tool; the latest sets the
tier and holds the review, with everything the other imports do."""

import datetime as dt

import pytest

from offenders.models import ImportRun, Offender, RiskAssessment
from tests.factories import tier
from tests.imports.conftest import errors_of, load
from tests.imports.test_semantics import HEADER, R1, om100  # noqa: F401 (fixture)
from visits.selectors import open_review

pytestmark = pytest.mark.django_db
ASSESSMENTS = "reference,assessed_on,tool,risk_tier,assessor"


@pytest.fixture
def registered(write, om100, as_of_essex):  # noqa: F811
    """R-1, a low-risk offender registered in 2011, with no assessment on record."""
    load("register", write("\n".join([HEADER, R1])))
    return Offender.objects.get(reference="R-1")


def test_an_assessment_history_is_recorded_and_the_latest_sets_the_tier_and_the_review(write, registered):
    run = load("assessments", write(f"""{ASSESSMENTS}
        r-1,2012-03-01,rm2000,low,J. Smith
        R-1,2016-10-01,arms,high,OM100"""))

    assert (run.outcome, run.created, run.updated) == (ImportRun.Outcome.APPLIED, 2, 0)
    registered.refresh_from_db()
    assert registered.risk_tier == tier("high")
    assert list(registered.assessments.values_list("tool", "assessor_name")) == [("arms", "OM100"),
                                                                                 ("rm2000", "J. Smith")]
    assert open_review(registered).due_on == dt.date(2016, 10, 1) + dt.timedelta(days=182)


def test_importing_the_same_file_again_changes_nothing(write, registered):
    path = write(f"{ASSESSMENTS}\nR-1,2016-10-01,arms,high,")
    load("assessments", path)
    again = load("assessments", path)

    assert (again.outcome, again.created, again.updated) == (ImportRun.Outcome.UNCHANGED, 0, 0)
    assert registered.reviews.filter(kind="assessment").count() == 2  # the first (held) and the one it opened


def test_a_dry_run_counts_and_writes_nothing(write, registered):
    run = load("assessments", write(f"{ASSESSMENTS}\nR-1,2016-10-01,arms,high,"), dry_run=True)

    assert (run.outcome, run.created) == (ImportRun.Outcome.DRY_RUN, 1)
    assert not RiskAssessment.objects.exists()


def test_every_bad_row_is_named_with_its_column_and_nothing_is_written(write, registered):
    run = load("assessments", write(f"""{ASSESSMENTS}
        R-9,2016-10-01,arms,high,
        R-1,2016-12-01,arms,high,
        R-1,2016-10-01,oasys,high,
        R-1,2016-10-01,arms,extreme,
        R-1,1950-01-01,rm2000,low,
        R-1,2016-09-01,arms,low,
        R-1,2016-09-01,ARMS,low,"""))

    assert run.outcome == ImportRun.Outcome.INVALID
    assert errors_of(run) == [
        (2, "reference", "R-9"), (3, "assessed_on", "2016-12-01"), (4, "tool", "oasys"), (5, "risk_tier", "extreme"),
        (6, "assessed_on", "1950-01-01"), (8, "assessed_on", "2016-09-01")]
    assert not RiskAssessment.objects.exists()


def test_an_older_assessment_is_history_and_leaves_the_review_and_tier_alone(write, registered):
    load("assessments", write(f"{ASSESSMENTS}\nR-1,2016-10-01,arms,high,"))
    due = open_review(registered).due_on
    load("assessments", write(f"{ASSESSMENTS}\nR-1,2014-01-01,rm2000,low,", name="older.csv"))

    registered.refresh_from_db()
    assert (registered.risk_tier, open_review(registered).due_on) == (tier("high"), due)


def test_a_history_of_assessments_holds_one_review_after_another_for_past_days_counts(write, registered):
    from visits import rules
    from visits.models import Review

    load("assessments", write(f"""{ASSESSMENTS}
        R-1,2012-03-01,rm2000,low,
        R-1,2014-06-01,arms,low,
        R-1,2016-10-01,arms,low,"""))

    assessment_reviews = registered.reviews.filter(kind="assessment")
    reviews = list(assessment_reviews.order_by("due_on").values_list("due_on", "closed_on"))
    assert reviews == [(dt.date(2011, 3, 17), dt.date(2012, 3, 1)), (dt.date(2013, 3, 1), dt.date(2014, 6, 1)),
                       (dt.date(2015, 6, 1), dt.date(2016, 10, 1)), (dt.date(2017, 10, 1), None)]
    overdue = Review.objects.filter(offender=registered, kind="assessment")
    assert overdue.filter(rules.overdue_on(dt.date(2013, 6, 1))).count() == 1  # the review due March 2013
    assert not overdue.filter(rules.overdue_on(dt.date(2012, 6, 1))).exists()
