"""Unseen on day D: in the community, not on reactive management, and the last completed visit (else the
registration) older than the interval plus grace (half the interval, rounded up). Medium: 182 + 91 days."""

import datetime as dt

import pytest

from offenders.models import Offender, OffenderStatus
from tests.factories import OffenderFactory, VisitFactory, tier
from tests.rules import surfaces
from tests.rules.conftest import TODAY, days_ago
from visits import services
from visits.flagging import flags_refresh
from visits.models import FlagKind, Visit, VisitStatus

pytestmark = pytest.mark.django_db


def seen(days: int, officer, **offender):
    """An offender last seen `days` ago."""
    case = OffenderFactory(officer=officer, registered_on=dt.date(2010, 1, 1), **offender)
    VisitFactory(offender=case, due_on=days_ago(days), status=VisitStatus.COMPLETED, completed_on=days_ago(days))
    return case


@pytest.fixture
def register(charlie, bob_by_mail):
    """Three unseen offenders among those a careless copy of the rule would count too."""
    mine = charlie.officer
    seen(274, mine)  # unseen: 274 > 273
    seen(46, mine, visit_interval_days=30)  # unseen: the plan's interval, 30 + 15
    OffenderFactory(officer=mine, registered_on=days_ago(280))  # unseen: never visited since registration
    seen(273, mine)  # not yet: exactly interval plus grace
    seen(400, mine, reactive=True, risk_tier=tier("low"))  # reactive management: not visited at home
    seen(400, mine, status=OffenderStatus.CUSTODY)
    seen(400, mine, status=OffenderStatus.MISSING)  # missing is its own flag, not unseen
    OffenderFactory(officer=mine, registered_on=TODAY)  # registered today


def unseen_everywhere(client, *, alice, bob) -> dict[str, int]:
    return surfaces.counted_everywhere(
        client, admin=alice, supervisor=bob, summary_key="unseen_offenders", tile_key="unseen",
        table="dashboards:unseen", snapshot_field="unseen", flag_kind=FlagKind.UNSEEN_OFFENDER,
        digest_pattern=r"^- .*: last seen .*\(severity")


def test_every_surface_counts_the_same_unseen_offenders(client, alice, bob_by_mail, register):
    flags_refresh()
    answers = unseen_everywhere(client, alice=alice, bob=bob_by_mail)
    assert answers == dict.fromkeys(answers, 3)


def test_an_offender_seen_this_morning_is_unseen_on_no_surface_today(client, alice, bob_by_mail, charlie, register):
    flags_refresh()
    offender = Offender.objects.get(visit_interval_days=30)
    services.visit_complete(offender=offender, visit_id=None, user=charlie, visited_on=TODAY,
                            kind=Visit.Kind.HOME_UNANNOUNCED)
    flags_refresh()
    answers = unseen_everywhere(client, alice=alice, bob=bob_by_mail)
    assert answers == dict.fromkeys(answers, 2)


@pytest.mark.parametrize("days_back", [0, 100, 300])
@pytest.mark.parametrize("scoped", [False, True])
def test_the_flag_jobs_unseen_query_is_the_rule_on_any_day_over_the_register_or_some_offenders(
    register, days_back, scoped
):
    """The job's query (an anti-join with the recent visits, then each survivor's last visit) against the rule as
    the pages apply it (unseen_among), on days whose visits after them do not count yet, whole or scoped."""
    from django.db import connection

    from visits.flags_wanted import unseen_offenders_to_flag
    from visits.selectors import unseen_among

    day = TODAY - dt.timedelta(days=days_back)
    everyone = sorted(Offender.objects.values_list("id", flat=True))
    sql, params = unseen_offenders_to_flag(day, everyone if scoped else None)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT flag_offender, flag_details->>'last_seen_on' FROM ({sql}) q", params)
        job = {(pk, last_seen) for pk, last_seen in cursor.fetchall()}
    pages = {(o.pk, o.last_seen_on and o.last_seen_on.isoformat()) for o in unseen_among(Offender.objects.all(), day)}
    assert job == pages



def test_the_counts_of_unseen_on_many_days_at_once_are_the_rule_applied_day_by_day(register, charlie):
    """unseen_counts_among (the dashboard's earlier days, in one pass) against unseen_among, day by day: around the
    days the register's visits were made, today and a day whose visits had not all happened yet."""
    from visits.selectors import unseen_among, unseen_counts_among

    VisitFactory(offender=Offender.objects.get(visit_interval_days=30), due_on=days_ago(1),
                 status=VisitStatus.COMPLETED, completed_on=TODAY)
    days = [TODAY, *(TODAY - dt.timedelta(days=n) for n in (1, 45, 46, 47, 100, 273, 274, 300))]
    expected = {day: unseen_among(Offender.objects.all(), day).count() for day in days}
    assert unseen_counts_among(Offender.objects.all(), days) == expected
    assert len(set(expected.values())) > 2  # the days differ
