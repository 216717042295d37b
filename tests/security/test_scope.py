"""The selectors every page, export and API call goes through: an officer sees their own
caseload, a supervisor their own teams (and the unallocated), an admin everything."""

import pytest

from offenders.selectors import offenders_visible_to, officers_visible_to, teams_visible_to
from tests.factories import OffenderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unallocated(world):
    return OffenderFactory(reference="U-0001", officer=None)


@pytest.mark.parametrize(("persona", "expected"), [
    ("alice", {"N-0001", "S-0001", "U-0001"}),
    ("bob", {"N-0001", "U-0001"}),
    ("erin", {"S-0001", "U-0001"}),
    ("charlie", {"N-0001"}),
    ("dave", {"S-0001"}),
])
def test_each_role_sees_only_its_offenders(world, unallocated, persona, expected):
    visible = offenders_visible_to(user=getattr(world, persona))
    assert set(visible.values_list("reference", flat=True)) == expected


@pytest.mark.parametrize(("persona", "teams", "officers"), [
    ("alice", {"North", "South"}, {"OM100", "OM200"}),
    ("bob", {"North"}, {"OM100"}),
    ("erin", {"South"}, {"OM200"}),
    ("charlie", {"North"}, {"OM100"}),
    ("dave", {"South"}, {"OM200"}),
])
def test_each_role_sees_only_its_teams_and_officers(world, persona, teams, officers):
    user = getattr(world, persona)
    assert set(teams_visible_to(user=user).values_list("name", flat=True)) == teams
    assert set(officers_visible_to(user=user).values_list("staff_id", flat=True)) == officers


def test_a_user_without_a_role_sees_nothing(world):
    nobody = UserFactory(username="nobody")
    assert not offenders_visible_to(user=nobody).exists()
    assert not officers_visible_to(user=nobody).exists()
    assert not teams_visible_to(user=nobody).exists()


def test_a_deactivated_account_sees_nothing(client, world):
    world.charlie.is_active = False
    world.charlie.save()
    client.force_login(world.charlie)
    assert client.get(f"/visits/offenders/{world.north_offender.pk}/").status_code == 302
