"""Personas, as in healthchecks: Alice administers, Bob supervises North, Charlie is an
offender manager in North, and Dave is one in South whom Bob must not see."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from offenders.defaults import ensure_defaults
from offenders.models import RiskTier
from offenders.roles import Role
from tests.factories import OfficerFactory, TeamFactory, UserFactory

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _defaults(request):
    """Transactional tests flush the tier table and roles that migrations made; put them back."""
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames) or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
        ensure_defaults(RiskTier, Group)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Most tests sign in with a password only (tests of two-factor sign-in turn it back on),
    and a fast hasher keeps the personas cheap to create."""
    settings.CASELOAD_REQUIRE_2FA = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def north(db):
    return TeamFactory(name="North")


@pytest.fixture
def south(db):
    return TeamFactory(name="South")


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", role=Role.ADMIN, is_staff=True)


@pytest.fixture
def bob(north):
    user = UserFactory(username="bob", role=Role.SUPERVISOR)
    north.supervisors.add(user)
    return user


@pytest.fixture
def charlie(north):
    user = UserFactory(username="charlie", role=Role.OFFICER)
    OfficerFactory(staff_id="OM100", name="Charlie Chalk", team=north, user=user)
    return user


@pytest.fixture
def erin(south):
    """Erin supervises South: a supervisor of another team, whom North's records are hidden from."""
    user = UserFactory(username="erin", role=Role.SUPERVISOR)
    south.supervisors.add(user)
    return user


@pytest.fixture
def beth(north):
    """A second supervisor of North: the second person of a two-person decision."""
    user = UserFactory(username="beth", role=Role.SUPERVISOR)
    north.supervisors.add(user)
    return user


@pytest.fixture
def dave(south):
    user = UserFactory(username="dave", role=Role.OFFICER)
    OfficerFactory(staff_id="OM200", name="Dave Dart", team=south, user=user)
    return user


@pytest.fixture(scope="module", autouse=True)
def _vacuumed(django_db_setup, django_db_blocker):
    """Each module starts on tables vacuumed and analysed, as autovacuum keeps a real database: every test's
    rolled-back rows stay behind as dead rows, and where autovacuum is off (as on CI's own PostgreSQL) they pile
    up until a scenario of a few thousand offenders, planned over them, ran ten times slower late in the run than
    alone."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


@pytest.fixture(scope="session")
def identity_provider():
    """A real OpenID Connect provider on 127.0.0.1 (tests/oidc_provider.py), for the whole run."""
    from tests.oidc_provider import running_provider

    with running_provider() as url:
        yield url


@pytest.fixture
def sso(settings, identity_provider):
    """Single sign-on on, through the test provider; its discovery document read afresh."""
    from caseload.sso import provider
    from tests.oidc_provider import configure

    configure(settings, identity_provider)
    yield identity_provider
    provider.discovery.cache_clear()
