"""The notification rules: each SQL formula says what its Python twin says, on the awkward days (29 February, the
18th birthday, a due date on the day of leaving), and the services and the imports that use them set the same dates."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from caseload.imports.services import import_file
from notifications.services import notification_record
from offenders.models import Offender, OffenderStatus
from tests.factories import OffenderFactory, tier
from tests.rules.conftest import TODAY
from visits import reviews, rules, services
from visits.models import ReviewKind
from visits.selectors import open_review

pytestmark = pytest.mark.django_db
HEADER = "reference,surname,forenames,date_of_birth,risk_tier,officer,status,registered_on"
D = dt.date


def sql_date(day: D | None) -> str:
    return "NULL::date" if day is None else f"DATE '{day.isoformat()}'"


def select(*expressions: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(expressions))
        return list(cursor.fetchone())


def load(tmp_path, *rows, header=HEADER):
    path = tmp_path / "register.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return import_file(kind="register", path=path)


@pytest.mark.parametrize("no_fixed_abode", [False, True])
def test_the_next_notification_is_due_alike_in_python_and_in_sql(no_fixed_abode):
    lasts = [D(2016, 2, 29), D(2015, 3, 1), D(2016, 12, 31), D(2016, 11, 14)]
    in_sql = [rules.NEXT_NOTIFICATION_DUE.sql(no_fixed_abode=str(no_fixed_abode).lower(), last=sql_date(last))
              for last in lasts]
    assert select(*in_sql) == [rules.next_notification_due(last_notified_on=last, no_fixed_abode=no_fixed_abode)
                               for last in lasts]


RETURNS = [  # due on, returned on, left on
    (D(2016, 5, 1), D(2016, 6, 1), D(2016, 4, 1)),  # fell due while away: the allowance after the return
    (D(2016, 3, 1), D(2016, 6, 1), D(2016, 4, 1)),  # already late when they left: stays late
    (D(2016, 4, 1), D(2016, 6, 1), D(2016, 4, 1)),  # due the day they left: moved
    (D(2016, 6, 2), D(2016, 6, 1), D(2016, 4, 1)),  # due within the allowance of the return: moved to its end
    (D(2016, 9, 1), D(2016, 6, 1), D(2016, 4, 1)),  # due later: stays
    (D(2016, 3, 1), D(2016, 6, 1), None),  # the day they left not known: moved
]


def test_a_notification_after_a_return_is_due_alike_in_python_and_in_sql():
    in_sql = [rules.NOTIFICATION_AFTER_RETURN.sql(due_on=sql_date(due), returned_on=sql_date(back), days="3",
                                                  left_on=sql_date(left)) for due, back, left in RETURNS]
    assert select(*in_sql) == [rules.notification_after_return(due_on=due, returned_on=back, left_on=left)
                               for due, back, left in RETURNS]
    assert select(*in_sql) == [D(2016, 6, 4), D(2016, 3, 1), D(2016, 6, 4), D(2016, 6, 4), D(2016, 9, 1),
                               D(2016, 6, 4)]


def test_a_trip_moves_only_a_notification_falling_due_from_its_departure_on():
    trip = {"departs_on": D(2016, 7, 1), "returns_on": D(2016, 7, 20)}
    assert rules.notification_around_trip(due_on=D(2016, 6, 30), **trip) == D(2016, 6, 30)
    assert rules.notification_around_trip(due_on=D(2016, 7, 1), **trip) == D(2016, 7, 23)
    assert rules.notification_around_trip(due_on=D(2016, 7, 22), **trip) == D(2016, 7, 23)
    assert rules.notification_around_trip(due_on=D(2016, 7, 24), **trip) == D(2016, 7, 24)
    assert rules.notification_around_trip(due_on=D(2016, 7, 1), departs_on=None, returns_on=None) == D(2016, 7, 1)


ELIGIBILITY = [  # first notified, born, refused
    (D(2000, 2, 29), D(1970, 1, 1), None),  # 15 years on from a 29 February: 28 February
    (D(2000, 6, 1), D(1982, 6, 2), None),  # a day short of 18: 8 years
    (D(2000, 6, 1), D(1982, 6, 1), None),  # 18 that day: 15 years
    (D(2000, 6, 1), D(1970, 1, 1), D(2016, 2, 29)),  # refused: 8 years after the refusal
]


def test_review_eligibility_is_alike_in_python_and_in_sql():
    in_sql = [rules.REVIEW_ELIGIBLE_FROM.sql(first_notified=sql_date(first), born=sql_date(born),
                                             refused_on=sql_date(refused)) for first, born, refused in ELIGIBILITY]
    assert select(*in_sql) == [rules.review_eligible_from(first_notified_on=first, born_on=born, refused_on=refused)
                               for first, born, refused in ELIGIBILITY]
    assert select(*in_sql) == [D(2015, 2, 28), D(2008, 6, 1), D(2015, 6, 1), D(2024, 2, 29)]


def test_a_notification_on_or_before_the_latest_on_record_is_history():
    assert not rules.notification_is_history(notified_on=D(2016, 1, 1), latest=None)
    assert not rules.notification_is_history(notified_on=D(2016, 1, 2), latest=D(2016, 1, 1))
    assert rules.notification_is_history(notified_on=D(2016, 1, 1), latest=D(2016, 1, 1))
    assert rules.notification_is_history(notified_on=D(2015, 12, 1), latest=D(2016, 1, 1))


@pytest.mark.parametrize(("last_notified", "due_after_return"), [
    (D(2015, 10, 1), D(2016, 11, 17)),  # fell due while in custody: 3 days after the return
    (D(2015, 6, 1), D(2016, 6, 1)),  # already late when they left: stays late
], ids=["due while away", "late before leaving"])
def test_a_return_from_custody_moves_the_notification_alike_by_import_and_by_a_supervisor(
        tmp_path, charlie, bob, last_notified, due_after_return):
    """Both saw the offender leave on 1 September 2016 and come back today."""
    row = f"N-RET,A,B,1970-01-01,low,OM100,{{status}},2010-01-04,{last_notified.isoformat()}"
    header = HEADER + ",last_notified_on"
    by_hand = OffenderFactory(officer=charlie.officer, risk_tier=tier("low"), registered_on=D(2010, 1, 4))
    reviews.notification_open_first(by_hand, last_notified_on=last_notified)
    with time_machine.travel(dt.datetime(2016, 9, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        load(tmp_path, row.format(status="community"), header=header)
        load(tmp_path, row.format(status="custody"), header=header)
        services.offender_change_status(offender=by_hand, status=OffenderStatus.CUSTODY, user=bob, reason="Recalled")
    load(tmp_path, row.format(status="community"), header=header)
    services.offender_change_status(offender=by_hand, status=OffenderStatus.COMMUNITY, user=bob, reason="Released")

    imported = Offender.objects.get(reference="N-RET")
    assert imported.status_since == Offender.objects.get(pk=by_hand.pk).status_since == TODAY
    notification = ReviewKind.NOTIFICATION
    assert open_review(imported, notification).due_on == open_review(by_hand, notification).due_on == due_after_return


def test_a_register_notification_date_makes_an_older_one_recorded_later_history(tmp_path, charlie):
    load(tmp_path, "N-REG,A,B,1970-01-01,low,OM100,community,2010-01-04,2016-03-01",
         header=HEADER + ",last_notified_on")
    offender = Offender.objects.get(reference="N-REG")
    assert offender.last_notified_on == D(2016, 3, 1)

    notification_record(offender=offender, user=charlie, notified_on=D(2015, 12, 1), kind="periodic")

    assert open_review(offender, ReviewKind.NOTIFICATION).due_on == D(2017, 3, 1)
    assert Offender.objects.get(pk=offender.pk).last_notified_on == D(2016, 3, 1)


def test_a_notification_falling_due_after_the_period_ended_is_owed_by_nobody_on_any_surface(charlie):
    from notifications.selectors import notifications_overdue_among
    from visits.flagging import flags_refresh
    from visits.models import Flag, FlagKind
    from visits.selectors import officer_caseload

    ended_first = OffenderFactory(officer=charlie.officer, reference="N-END", registered_on=D(2010, 1, 4),
                                  registration_ends_on=D(2016, 9, 1))
    missed_before_the_end = OffenderFactory(officer=charlie.officer, reference="N-MISS", registered_on=D(2010, 1, 4),
                                            registration_ends_on=D(2016, 9, 1))
    reviews.notification_open_first(ended_first, last_notified_on=D(2015, 10, 1))  # due 1 October 2016
    reviews.notification_open_first(missed_before_the_end, last_notified_on=D(2015, 8, 1))  # due 1 August 2016
    flags_refresh(as_of=TODAY)

    overdue = notifications_overdue_among(Offender.objects.all(), TODAY)
    assert [r.offender.reference for r in overdue] == ["N-MISS"]
    assert [f.offender.reference for f in Flag.objects.filter(kind=FlagKind.NON_COMPLIANT)] == ["N-MISS"]
    caseload = {o.reference: o.notification_overdue for o in officer_caseload(user=charlie)}
    assert caseload == {"N-END": False, "N-MISS": True}
