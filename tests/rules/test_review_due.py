"""The review due: the services and the register import set the same dates from rules.NEXT_REVIEW_DUE."""

import datetime as dt

import pytest

from caseload.imports.services import import_file
from offenders.models import Offender
from tests.factories import OffenderFactory, tier
from tests.rules.conftest import TODAY
from visits import reviews, rules, services
from visits.selectors import open_review

pytestmark = pytest.mark.django_db
HEADER = "reference,surname,forenames,date_of_birth,risk_tier,officer,status,registered_on"


def load(tmp_path, *rows, header=HEADER):
    path = tmp_path / "register.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return import_file(kind="register", path=path)


def test_a_new_offender_imported_and_one_added_one_by_one_are_due_alike(tmp_path, charlie):
    load(tmp_path, "I-NEW,A,B,1970-01-01,low,OM100,community,2016-01-04")
    by_hand = OffenderFactory(officer=charlie.officer, risk_tier=tier("low"), registered_on=dt.date(2016, 1, 4))
    reviews.review_open_first(by_hand)

    imported = Offender.objects.get(reference="I-NEW")
    assert open_review(imported).due_on == open_review(by_hand).due_on == dt.date(2016, 2, 1)


def test_a_tier_changed_by_import_and_by_a_supervisor_hold_the_review_alike(tmp_path, charlie, bob):
    load(tmp_path, "I-UP,A,B,1970-01-01,low,OM100,community,2016-01-04")
    load(tmp_path, "I-UP,A,B,1970-01-01,very_high,OM100,community,2016-01-04")
    by_hand = OffenderFactory(officer=charlie.officer, risk_tier=tier("low"), registered_on=dt.date(2016, 1, 4))
    reviews.review_open_first(by_hand)
    services.offender_change_tier(offender=by_hand, risk_tier=tier("very_high"), user=bob, reason="ARMS")

    imported = Offender.objects.get(reference="I-UP")
    assert imported.reviews.count() == by_hand.reviews.count() == 2
    assert open_review(imported).due_on == open_review(by_hand).due_on == TODAY + dt.timedelta(days=91)


def test_the_rule_in_python_and_in_sql_agree():
    on = dt.date(2016, 3, 1)
    cases = [(None, 365, on), (on, 91, on), (on, 182, dt.date(2010, 1, 1))]
    in_sql = [rules.NEXT_REVIEW_DUE.sql(last_assessed=f"{'NULL' if a is None else repr(a.isoformat())}::date",
                                        interval=str(i), registered=f"'{r.isoformat()}'::date", first_days="28")
              for a, i, r in cases]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(in_sql))
        assert list(cursor.fetchone()) == [rules.next_review_due(last_assessed_on=a, interval=i, registered_on=r)
                                           for a, i, r in cases]


ASSESSED = HEADER + ",last_assessed_on,assessment_tool,next_assessment_due"


def assessed(tmp_path, *rows):
    """Import register rows with the assessment columns."""
    return load(tmp_path, *rows, header=ASSESSED)


def test_an_imported_assessment_dates_the_first_review_by_the_tier(tmp_path, charlie):
    assessed(tmp_path, "I-A,A,B,1970-01-01,high,OM100,community,2010-01-04,2016-06-01,rm2000,")

    offender = Offender.objects.get(reference="I-A")
    assessment = offender.assessments.get()
    assert (assessment.assessed_on, assessment.tool, assessment.risk_tier) == (dt.date(2016, 6, 1), "rm2000",
                                                                                 tier("high"))
    assert open_review(offender).due_on == dt.date(2016, 6, 1) + dt.timedelta(days=182)


def test_the_registers_next_assessment_due_is_its_word(tmp_path, charlie):
    assessed(tmp_path, "I-A,A,B,1970-01-01,high,OM100,community,2010-01-04,2016-06-01,,2016-10-01")
    assessed(tmp_path, "I-A,A,B,1970-01-01,high,OM100,community,2010-01-04,2016-06-01,,2016-09-01")

    offender = Offender.objects.get(reference="I-A")
    assert offender.assessments.get().tool == "arms"
    assert open_review(offender).due_on == dt.date(2016, 9, 1)


def test_a_newer_assessment_in_the_register_holds_the_review(tmp_path, charlie):
    assessed(tmp_path, "I-A,A,B,1970-01-01,low,OM100,community,2010-01-04,2015-06-01,arms,")
    assessed(tmp_path, "I-A,A,B,1970-01-01,low,OM100,community,2010-01-04,2016-06-01,arms,")

    offender = Offender.objects.get(reference="I-A")
    held = offender.reviews.get(closed_on__isnull=False)
    assert (held.due_on, held.closed_on) == (dt.date(2016, 5, 31), dt.date(2016, 6, 1))  # 365 days, a leap year
    assert open_review(offender).due_on == dt.date(2017, 6, 1)


def test_an_assessment_in_the_future_is_refused_with_its_row_and_column(tmp_path, charlie):
    run = assessed(tmp_path, "I-A,A,B,1970-01-01,low,OM100,community,2010-01-04,2017-01-01,rm2000,")

    assert [(e["row"], e["column"], e["message"]) for e in run.report["errors"]] == [
        (2, "last_assessed_on", "is in the future")]
    assert not Offender.objects.exists()
