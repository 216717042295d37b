"""A notification overdue on day D: due before D (a year after the last notification, a week with no fixed abode)
and not made before D (today: not made by now), for offenders managed in the community (missing ones included).
Every surface counts the same offenders; no daily snapshot keeps the figure."""

import pytest

from notifications.services import notification_record
from offenders.models import Offender, OffenderStatus
from tests.factories import OffenderFactory
from tests.rules import surfaces
from tests.rules.conftest import TODAY, days_ago
from visits import reviews
from visits.flagging import flags_refresh
from visits.models import FlagKind

pytestmark = pytest.mark.django_db


def last_notified(days: int, officer, **offender) -> Offender:
    """An offender whose last notification was `days` ago, with their next one due."""
    case = OffenderFactory(officer=officer, **offender)
    reviews.notification_open_first(case, last_notified_on=days_ago(days))
    return case


@pytest.fixture
def register(charlie, bob_by_mail):
    """Four overdue notifications among some that a careless copy of the rule would count too."""
    mine = charlie.officer
    last_notified(400, mine, reference="N-LATE")  # overdue: due a year after the last
    last_notified(8, mine, no_fixed_abode=True)  # overdue: a week after the last, with no fixed abode
    last_notified(400, mine, status=OffenderStatus.MISSING)  # overdue: missing offenders are still managed
    last_notified(400, None)  # overdue, and unallocated
    last_notified(366, mine)  # due today (a year after 14 November 2015): not yet overdue
    last_notified(6, mine, no_fixed_abode=True)  # weekly, due tomorrow
    last_notified(400, mine, status=OffenderStatus.CUSTODY)  # in custody: not managed in the community


def overdue_everywhere(client, *, alice, bob) -> dict[str, int]:
    return {
        **surfaces.counted_everywhere(
            client, admin=alice, supervisor=bob, summary_key="notifications_overdue", tile_key="notifications_overdue",
            table="dashboards:overdue_notifications", snapshot_field=None, flag_kind=FlagKind.NON_COMPLIANT,
            digest_pattern=r"^- .*: notification due .*, \d+ days late"),
        "summary, by kind": sum(surfaces.summary(alice)["notifications_overdue_by_kind"].values()),
    }


def test_every_surface_counts_the_same_overdue_notifications(client, alice, bob_by_mail, register):
    flags_refresh()
    answers = overdue_everywhere(client, alice=alice, bob=bob_by_mail)
    assert answers == dict.fromkeys(answers, 4)


def test_a_notification_made_this_morning_is_off_every_surface_today(client, alice, bob_by_mail, charlie, register):
    flags_refresh()
    notification_record(offender=Offender.objects.get(reference="N-LATE"), user=charlie, notified_on=TODAY,
                        kind="periodic")
    flags_refresh()
    answers = overdue_everywhere(client, alice=alice, bob=bob_by_mail)
    assert answers == dict.fromkeys(answers, 3)
