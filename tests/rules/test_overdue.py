"""Overdue on day D: due before D and not completed or cancelled before D (today: not closed by now), for
offenders managed in the community (missing ones included). Every surface counts the same visits."""

import pytest

from offenders.models import OffenderStatus
from tests.factories import OffenderFactory, VisitFactory, tier
from tests.rules import surfaces
from tests.rules.conftest import TODAY, days_ago
from visits import services
from visits.flagging import flags_refresh
from visits.models import FlagKind, Visit, VisitStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(charlie, bob_by_mail):
    """Three overdue visits among visits that a careless copy of the rule would count too."""
    mine = charlie.officer

    def case(due_on, officer=mine, **offender):
        return VisitFactory(offender=OffenderFactory(officer=officer, **offender), due_on=due_on)

    case(days_ago(1), risk_tier=tier("high"))  # overdue
    case(days_ago(3), status=OffenderStatus.MISSING)  # overdue: missing offenders are still managed
    case(days_ago(2), officer=None)  # overdue, and unallocated
    case(TODAY)  # due today: not yet overdue
    case(days_ago(5), status=OffenderStatus.CUSTODY)  # in custody: not managed in the community
    VisitFactory(offender=OffenderFactory(officer=mine), due_on=days_ago(10), status=VisitStatus.COMPLETED,
                 completed_on=days_ago(1))
    VisitFactory(offender=OffenderFactory(officer=mine), due_on=days_ago(5), status=VisitStatus.CANCELLED,
                 cancelled_on=days_ago(1), cancel_reason="Moved away")


def overdue_everywhere(client, *, alice, bob) -> dict[str, int]:
    return {
        **surfaces.counted_everywhere(
            client, admin=alice, supervisor=bob, summary_key="overdue_visits", tile_key="overdue_visits",
            table="dashboards:overdue", snapshot_field="overdue", flag_kind=FlagKind.OVERDUE_VISIT,
            digest_pattern=r"^- .*: visit due .*, \d+ days late"),
        "summary, by tier": sum(surfaces.summary(alice)["overdue_by_tier"].values()),
        "caseload page": surfaces.caseload_overdue(client, bob),
    }


def test_every_surface_counts_the_same_overdue_visits(client, alice, bob_by_mail, register):
    flags_refresh()
    answers = overdue_everywhere(client, alice=alice, bob=bob_by_mail)
    assert answers == dict.fromkeys(answers, 3)


def test_a_visit_logged_this_morning_is_off_every_surface_today(client, alice, bob_by_mail, charlie, register):
    flags_refresh()
    visit = Visit.objects.get(offender__risk_tier__code="high", status=VisitStatus.SCHEDULED)
    services.visit_complete(offender=visit.offender, visit_id=visit.pk, user=charlie, visited_on=TODAY,
                            kind=Visit.Kind.HOME_UNANNOUNCED)
    flags_refresh()
    answers = overdue_everywhere(client, alice=alice, bob=bob_by_mail)
    assert answers == dict.fromkeys(answers, 2)
