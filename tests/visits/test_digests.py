import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from offenders.models import Officer
from tests.factories import OffenderFactory, VisitFactory, tier
from visits.digests import supervisor_digests_send
from visits.flagging import flags_refresh
from visits.models import SupervisorDigest

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MORNING = dt.datetime(2016, 11, 14, 6, 0, tzinfo=LONDON)
D = MORNING.date()


@pytest.fixture
def cases(bob, charlie, dave):
    bob.email = "bob@example.org"
    bob.save()
    north_case = OffenderFactory(officer=Officer.objects.get(staff_id="OM100"), risk_tier=tier("high"),
                                 surname="Northman", registered_on=D - dt.timedelta(days=20))
    south_case = OffenderFactory(officer=Officer.objects.get(staff_id="OM200"), surname="Southman",
                                 registered_on=D - dt.timedelta(days=20))
    VisitFactory(offender=north_case, due_on=D - dt.timedelta(days=30))
    VisitFactory(offender=south_case, due_on=D - dt.timedelta(days=30))
    return north_case, south_case


def refresh(at: dt.datetime, as_of: dt.date):
    with time_machine.travel(at, tick=False):
        flags_refresh(as_of=as_of)


def digest(at: dt.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return supervisor_digests_send()


def test_supervisors_get_their_teams_new_flags_by_reference_never_by_name(cases, mailoutbox):
    north_case, south_case = cases
    refresh(MORNING - dt.timedelta(hours=1), D)
    assert digest(MORNING) == 1
    mail = mailoutbox[0]
    assert mail.to == ["bob@example.org"]
    assert f"{north_case.reference} (high): visit due 2016-10-15, 30 days late" in mail.body
    assert south_case.reference not in mail.body
    assert "Northman" not in mail.body and north_case.forenames not in mail.body
    assert SupervisorDigest.objects.get().new_flags == 1


def test_the_next_digest_lists_only_what_is_new_or_worse(cases, mailoutbox):
    north_case, _ = cases
    refresh(MORNING - dt.timedelta(hours=1), D)
    digest(MORNING)
    assert digest(MORNING + dt.timedelta(days=1)) == 0  # nothing changed: no e-mail
    later = MORNING + dt.timedelta(days=70)
    refresh(later - dt.timedelta(hours=1), later.date())  # now more than a whole interval late
    assert digest(later) == 1
    body = mailoutbox[-1].body
    assert "New (0)" in body and "Worse than before (1)" in body
    assert f"{north_case.reference} (high): visit due 2016-10-15, 100 days late (severity 4)" in body


def test_a_team_without_supervisor_addresses_gets_no_mail(cases, bob, mailoutbox):
    bob.email = ""
    bob.save()
    refresh(MORNING - dt.timedelta(hours=1), D)
    assert digest(MORNING) == 0 and mailoutbox == []


def test_an_order_ending_reaches_the_digest_once_a_month_before_it_ends(cases):
    from django.core import mail

    from notifications.models import CivilOrder

    north_case, _ = cases
    with time_machine.travel(MORNING - dt.timedelta(days=2), tick=False):  # on record well before
        CivilOrder.objects.create(offender=north_case, kind="shpo", starts_on=dt.date(2011, 12, 1),
                                  ends_on=D + dt.timedelta(days=29))
        CivilOrder.objects.create(offender=north_case, kind="other", starts_on=dt.date(2011, 12, 1),
                                  ends_on=D + dt.timedelta(days=30))
    refresh(MORNING - dt.timedelta(hours=1), D)
    digest(MORNING)
    assert "Sexual Harm Prevention Order ends 2016-12-13 (in 29 days)" in mail.outbox[-1].body
    assert "Other order" not in mail.outbox[-1].body and "Northman" not in mail.outbox[-1].body

    tomorrow = MORNING + dt.timedelta(days=1)
    digest(tomorrow)  # no new flags; the other order has come within a month since
    assert "Other order ends 2016-12-14 (in 29 days)" in mail.outbox[-1].body
    assert "Sexual Harm Prevention Order" not in mail.outbox[-1].body


def test_an_order_added_inside_the_month_before_its_end_reaches_the_next_digest(cases):
    from django.core import mail

    from notifications.models import CivilOrder

    north_case, _ = cases
    refresh(MORNING - dt.timedelta(hours=1), D)
    digest(MORNING)
    with time_machine.travel(MORNING + dt.timedelta(hours=5), tick=False):  # added after the morning's digest
        CivilOrder.objects.create(offender=north_case, kind="travel_prohibition", starts_on=dt.date(2015, 1, 1),
                                  ends_on=D + dt.timedelta(days=10))
    assert digest(MORNING + dt.timedelta(days=1)) == 1
    assert "Foreign travel prohibition ends 2016-11-24 (in 9 days)" in mail.outbox[-1].body
    assert digest(MORNING + dt.timedelta(days=2)) == 0  # told once
