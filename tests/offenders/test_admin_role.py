import pytest

from offenders.permissions import grant_admin_role_permissions
from tests.factories import OffenderFactory

pytestmark = pytest.mark.django_db


def test_the_admin_role_holds_every_permission_on_the_register(alice):
    grant_admin_role_permissions()
    assert alice.has_perm("offenders.change_offender")
    assert alice.has_perm("offenders.change_risktier")
    assert alice.has_perm("visits.view_visit")


def test_an_admin_who_is_not_a_superuser_can_open_the_register_in_the_admin(client, alice):
    grant_admin_role_permissions()
    offender = OffenderFactory()
    client.force_login(alice)
    assert client.get("/admin/offenders/offender/").status_code == 200
    assert client.get(f"/admin/offenders/offender/{offender.pk}/change/").status_code == 200
