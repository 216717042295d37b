"""A signed-in request reads its user with their role and what they may see in one query, and that reading says
what the lazy reads (role_of, supervised, covered_offender_ids) say of a user read on its own; a user who may no
longer sign in, or no longer exists, is signed out."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caseload.signed_in import user_as_a_request_reads_them
from caseload.signin import PasswordBackend
from caseload.sso.backend import ProviderBackend
from offenders.availability_models import Absence, Cover, CoveredCase
from offenders.roles import Role, role_of
from offenders.selectors import covered_offender_ids, supervised
from tests.factories import OffenderFactory, OfficerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def as_read_on_its_own(user: User) -> tuple:
    fresh = User.objects.get(pk=user.pk)
    return role_of(fresh), supervised(fresh), covered_offender_ids(fresh)


def as_a_request_reads_it(user: User) -> tuple:
    read = user_as_a_request_reads_them(user.pk)
    with CaptureQueriesContext(connection) as queries:
        said = role_of(read), supervised(read), covered_offender_ids(read)
    assert not queries.captured_queries, "all of it came with the user"
    return said


@pytest.fixture
def covering_officer(charlie, dave):
    """Charlie covers two of Dave's cases until tomorrow, and covered one more until yesterday."""
    today = dt.date.today()
    officer, absent = charlie.officer, dave.officer
    cases = OffenderFactory.create_batch(3, officer=absent)
    for kind, until, held in (("sickness", today + dt.timedelta(days=1), cases[:2]),
                              ("training", today - dt.timedelta(days=1), cases[2:])):
        absence = Absence.objects.create(officer=absent, kind=kind, starts_on=today - dt.timedelta(days=5),
                                         ends_on=until)
        cover = Cover.objects.create(absence=absence, covers_for=absent, officer=officer, until=until,
                                     assigned_by=charlie)
        CoveredCase.objects.bulk_create(CoveredCase(cover=cover, offender=case) for case in held)
    return charlie


def test_a_supervisor_of_two_teams_is_read_as_on_their_own(bob, south):
    south.supervisors.add(bob)
    OfficerFactory.create_batch(2, team=south)
    OfficerFactory(team=TeamFactory(name="West"))
    said = as_a_request_reads_it(bob)
    assert said == as_read_on_its_own(bob)
    assert said[0] == Role.SUPERVISOR and len(said[1][0]) == 2 and len(said[1][1]) == 2


def test_an_officer_covering_for_a_colleague_sees_today_s_covered_cases_only(covering_officer):
    said = as_a_request_reads_it(covering_officer)
    assert said == as_read_on_its_own(covering_officer)
    assert said[0] == Role.OFFICER and len(said[2]) == 2


@pytest.mark.parametrize("made", ["admin", "superuser", "no role"])
def test_admins_superusers_and_users_without_a_role_are_read_as_on_their_own(made, alice):
    user = {"admin": lambda: alice, "superuser": lambda: UserFactory(is_superuser=True),
            "no role": lambda: UserFactory()}[made]()
    said = as_a_request_reads_it(user)
    assert said == as_read_on_its_own(user)
    assert said[0] == {"admin": Role.ADMIN, "superuser": Role.ADMIN, "no role": None}[made]


def test_a_signed_in_page_reads_the_user_role_and_scope_in_one_prepared_statement_and_nothing_more(client, bob):
    client.force_login(bob)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/workload/").status_code == 200
    tables = ('FROM "auth_user"', "auth_group", "offenders_team_supervisors")
    assert not [sql for sql in (query["sql"] for query in queries.captured_queries)
                if any(table in sql for table in tables)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%scope_team_ids%%'")
        assert cursor.fetchone() == (1,)


@pytest.mark.parametrize("backend", [PasswordBackend, ProviderBackend])
def test_a_user_who_may_no_longer_sign_in_or_is_gone_is_not_read(backend, charlie):
    assert backend().get_user(charlie.pk) == charlie
    User.objects.filter(pk=charlie.pk).update(is_active=False)
    assert backend().get_user(charlie.pk) is None
    assert backend().get_user(charlie.pk + 1000) is None
    assert backend().get_user("not a number") is None


def test_a_user_whose_account_is_deactivated_is_signed_out_at_the_next_request(client, charlie):
    client.force_login(charlie)
    assert client.get("/visits/mine/").status_code == 200
    User.objects.filter(pk=charlie.pk).update(is_active=False)
    assert client.get("/visits/mine/").status_code == 302


def test_without_prepared_statements_the_user_is_read_the_same(bob):
    prepared = as_a_request_reads_it(bob)
    threshold, connection.connection.prepare_threshold = connection.connection.prepare_threshold, None
    try:  # as behind a pooler that does not carry prepared statements
        assert as_a_request_reads_it(bob) == prepared
    finally:
        connection.connection.prepare_threshold = threshold
