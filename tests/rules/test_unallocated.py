"""Unallocated: managed (in the community or missing) with no officer, or with an officer marked as having left.
Every surface counts the same offenders, and an officer's return allocates their cases again everywhere."""

import pytest

from offenders.models import OffenderStatus, Officer
from tests.factories import OffenderFactory, OfficerFactory
from tests.rules import surfaces
from visits.flagging import flags_refresh
from visits.models import FlagKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(charlie, north, bob_by_mail):
    """Four to allocate among cases a careless copy of the rule would count, or miss."""
    leaver = OfficerFactory(team=north, active=False)
    OffenderFactory(officer=None)  # no officer
    OffenderFactory(officer=None, status=OffenderStatus.MISSING)  # missing, and no officer
    OffenderFactory(officer=leaver)  # held by an officer who has left
    OffenderFactory(officer=leaver, status=OffenderStatus.MISSING)
    OffenderFactory(officer=leaver, status=OffenderStatus.CUSTODY)  # not managed in the community
    OffenderFactory(officer=None, status=OffenderStatus.DECEASED)
    OffenderFactory(officer=charlie.officer)  # allocated
    return leaver


def unallocated_everywhere(client, *, alice, bob) -> dict[str, int]:
    return surfaces.counted_everywhere(
        client, admin=alice, supervisor=bob, summary_key="unallocated_offenders", tile_key="unallocated",
        table="dashboards:unallocated", snapshot_field="unallocated", flag_kind=FlagKind.UNALLOCATED_OFFENDER,
        digest_pattern=r"^- .*: unallocated offender \(severity")


def test_every_surface_counts_the_same_unallocated_offenders(client, alice, bob_by_mail, register):
    flags_refresh()
    answers = unallocated_everywhere(client, alice=alice, bob=bob_by_mail)
    assert answers == dict.fromkeys(answers, 4)


def test_an_officer_back_on_the_list_has_their_cases_allocated_again_on_every_surface(
        client, alice, bob_by_mail, register):
    flags_refresh()
    Officer.objects.filter(pk=register.pk).update(active=True)
    flags_refresh()
    answers = unallocated_everywhere(client, alice=alice, bob=bob_by_mail)
    assert answers == dict.fromkeys(answers, 2)
