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
    assessment = {"kind": "assessment"}
    assert imported.reviews.filter(**assessment).count() == by_hand.reviews.filter(**assessment).count() == 2
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


MAPPA = HEADER + ",mappa_level,mappa_next_review_on"


def test_the_register_opens_moves_and_closes_mappa_reviews_with_the_level(tmp_path, charlie, bob):
    from visits.models import ReviewKind

    load(tmp_path, "I-M,A,B,1970-01-01,high,OM100,community,2010-01-04,2,", header=MAPPA)
    offender = Offender.objects.get(reference="I-M")
    assert open_review(offender, kind=ReviewKind.MAPPA).due_on == TODAY  # none set: overdue from tomorrow

    load(tmp_path, "I-M,A,B,1970-01-01,high,OM100,community,2010-01-04,3,2017-01-31", header=MAPPA)
    assert open_review(offender, kind=ReviewKind.MAPPA).due_on == dt.date(2017, 1, 31)

    load(tmp_path, "I-M,A,B,1970-01-01,high,OM100,community,2010-01-04,1,", header=MAPPA)
    assert open_review(offender, kind=ReviewKind.MAPPA) is None


def test_a_mappa_review_date_for_a_level_1_case_is_refused(tmp_path, charlie):
    run = load(tmp_path, "I-M,A,B,1970-01-01,high,OM100,community,2010-01-04,1,2017-01-31", header=MAPPA)
    assert [(e["row"], e["column"]) for e in run.report["errors"]] == [(2, "mappa_next_review_on")]


def test_the_mappa_review_rule_in_python_and_in_sql_agree():
    from django.db import connection

    held = dt.date(2016, 3, 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(
            rules.MAPPA_REVIEW_DUE.sql(next_review_on=f"{n}::date", held_on=f"'{held}'::date")
            for n in ("NULL", "'2016-06-01'")))
        assert list(cursor.fetchone()) == [rules.mappa_review_due(held_on=held, next_review_on=None),
                                           rules.mappa_review_due(held_on=held, next_review_on=dt.date(2016, 6, 1))]


def test_a_tier_corrected_for_an_assessment_on_record_adds_no_second_assessment(tmp_path, charlie):
    assessed(tmp_path, "I-A,A,B,1970-01-01,low,OM100,community,2010-01-04,2016-06-01,arms,")
    assessed(tmp_path, "I-A,A,B,1970-01-01,medium,OM100,community,2010-01-04,2016-06-01,arms,")

    offender = Offender.objects.get(reference="I-A")
    assert list(offender.assessments.values_list("assessed_on", "risk_tier__code")) == [(dt.date(2016, 6, 1),
                                                                                         "medium")]
    assert offender.risk_tier == tier("medium")


def test_a_return_or_a_new_address_in_the_register_brings_the_review_forward_as_the_services_do(tmp_path, charlie):
    header = HEADER + ",address,last_assessed_on"
    load(tmp_path, "I-R,A,B,1970-01-01,low,OM100,custody,2010-01-04,1 Old Road,2016-11-01",
         "I-A,A,B,1970-01-01,low,OM100,community,2010-01-04,1 Old Road,2016-11-01", header=header)
    load(tmp_path, "I-R,A,B,1970-01-01,low,OM100,community,2010-01-04,1 Old Road,2016-11-01",
         "I-A,A,B,1970-01-01,low,OM100,community,2010-01-04,2 New Road,2016-11-01", header=header)

    back, moved = (open_review(Offender.objects.get(reference=r)) for r in ("I-R", "I-A"))
    assert (back.due_on, back.brought_forward_because) == (TODAY + dt.timedelta(days=28), "Returned to the community")
    assert (moved.due_on, moved.brought_forward_because) == (TODAY + dt.timedelta(days=28), "A new address")
    assert rules.review_brought_forward(due_on=dt.date(2017, 11, 1), event_on=TODAY) == back.due_on
