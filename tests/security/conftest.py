"""A small register across two teams, so every access test asks the same question:
may this persona see North's records, and South's?"""

from types import SimpleNamespace

import pytest

from caseload.imports.services import media_path
from caseload.sso.backend import SESSION_KEY as SSO_SESSION_KEY
from offenders.models import ImportRun
from tests.factories import OffenderFactory, VisitFactory


@pytest.fixture
def world(alice, bob, charlie, dave, erin, north, south):
    north_offender = OffenderFactory(
        reference="N-0001", surname="Quixwell", forenames="Barnaby", officer=charlie.officer,
        address="17 Larkspur Crescent, Northtown", postcode="NT1 7LC",
    )
    south_offender = OffenderFactory(
        reference="S-0001", surname="Zellmore", forenames="Ottoline", officer=dave.officer,
        address="4 Juniper Row, Southville", postcode="SV4 2JR",
    )
    return SimpleNamespace(
        alice=alice, bob=bob, charlie=charlie, dave=dave, erin=erin, north=north, south=south,
        north_offender=north_offender, south_offender=south_offender,
        north_visit=VisitFactory(offender=north_offender), south_visit=VisitFactory(offender=south_offender),
        north_officer=charlie.officer, south_officer=dave.officer,
        import_run=rejected_import(alice),
    )


def rejected_import(user) -> ImportRun:
    """An import whose file had errors, with its downloadable error list."""
    run = ImportRun.objects.create(kind=ImportRun.Kind.OFFICERS, file_name="officers.csv", sha256="0" * 64,
                                   user=user, outcome=ImportRun.Outcome.INVALID, error_count=1)
    run.errors_file = f"imports/errors/test-{run.pk}.csv"
    path = media_path(run.errors_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("row,column,value,message\n2,staff_id,,is required\n")
    run.save(update_fields=["errors_file"])
    return run


@pytest.fixture(params=["password", "provider"])
def signed_in(request, client, settings):
    """Sign a persona in with a password, or as after a sign-in through the identity provider (whose second factor
    stands for caseload's, which is then required)."""
    if request.param == "password":
        yield client.force_login
        return
    request.getfixturevalue("sso")
    settings.CASELOAD_REQUIRE_2FA = True

    def sign_in(user):
        client.force_login(user, backend="caseload.sso.backend.ProviderBackend")
        session = client.session
        session[SSO_SESSION_KEY] = True
        session.save()

    yield sign_in
