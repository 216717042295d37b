"""The dashboard's counts are read in one statement, kept per user's scope and day, and count what each selector's
queryset counts."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Max, Min
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.dashboards.counted import dashboard_figures, dashboard_reading
from caseload.dashboards.counting import one_row, read, reading
from notifications.selectors import review_eligible_among
from offenders.models import Offender, Team
from supervision.selectors import batches_waiting
from tests.factories import OffenderFactory, OfficerFactory
from visits.built_once import built_per_scope, read_kept
from visits.models import Flag
from visits.rules import today

pytestmark = pytest.mark.django_db


def counted_one_by_one(querysets):
    return {name: queryset.count() for name, queryset in querysets.items()}


def fresh(user):
    """The user as the next request reads them: their scope read anew."""
    return User.objects.get(pk=user.pk)


def test_counted_together_each_queryset_counts_as_its_count(bob, overdue_in_north, north):
    querysets = {
        "offenders": Offender.objects.all(),
        "north": Offender.objects.filter(officer__team=north),
        "flags": Flag.objects.filter(cleared_at__isnull=True),
        "batches, joined and distinct": batches_waiting(user=bob).filter(items__offender__officer__team=north)
        .distinct(),
        "annotated and filtered": review_eligible_among(Offender.objects.all(), today()),
        "none": Offender.objects.none(),
        "an empty list": Offender.objects.filter(pk__in=[]),
    }
    together = read(reading(querysets), using="default")
    assert together == counted_one_by_one(querysets) and together["offenders"] == 2


def test_counts_and_aggregates_are_read_together_as_each_alone(bob, overdue_in_north, north):
    flags = Flag.objects.filter(cleared_at__isnull=True)
    aggregates = {"raised": Count("pk"), "worst": Max("severity"), "first_raised": Min("raised_at")}
    together = read(reading({"offenders": Offender.objects.all()},
                            [one_row(flags, **aggregates), one_row(Flag.objects.none(), nothing=Count("pk"))]),
                    using="default")
    assert together == {"offenders": 2, **flags.aggregate(**aggregates), "nothing": 0}


def test_figures_read_at_once_need_names_of_their_own(bob, overdue_in_north):
    with pytest.raises(ValueError, match="names of their own"):
        reading({"n": Offender.objects.all()}, [one_row(Offender.objects.all(), n=Count("pk"))])


def test_the_figures_are_one_statement_prepared_on_the_connection(bob, overdue_in_north):
    dashboard_figures(user=bob, team=None, as_of=today())
    with CaptureQueriesContext(connection) as queries:
        dashboard_figures(user=bob, team=None, as_of=today())
    assert len(queries) == 0  # none through Django's cursors
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT (SELECT count(*)%%'")
        assert cursor.fetchone()[0] == 1


def test_the_figures_are_the_same_without_prepared_statements(bob, overdue_in_north):
    prepared = dashboard_figures(user=bob, team=None, as_of=today())
    threshold, connection.connection.prepare_threshold = connection.connection.prepare_threshold, None
    try:  # as behind a pooler that does not carry prepared statements
        assert dashboard_figures(user=bob, team=None, as_of=today()) == prepared
    finally:
        connection.connection.prepare_threshold = threshold


@pytest.mark.parametrize("who", ["alice", "bob"])
@pytest.mark.parametrize("picked", [None, "north"])
def test_the_kept_statement_counts_what_one_built_afresh_counts(request, overdue_in_north, who, picked):
    user, team = request.getfixturevalue(who), request.getfixturevalue(picked) if picked else None
    OffenderFactory(officer=None)
    as_of = today()
    for _ in range(2):
        kept, parts, forecast = dashboard_reading(user=user, team=team, as_of=as_of)
        afresh, same_parts, same_forecast = dashboard_reading.afresh(user=user, team=team, as_of=as_of)
        assert (kept, parts, forecast) == (afresh, same_parts, same_forecast)
        assert read_kept(kept)[0]["offenders_in_community"] == (3 if team is None else 2)


def test_a_supervisor_given_another_team_counts_its_cases_from_their_next_request(bob, overdue_in_north, south):
    OffenderFactory(officer=OfficerFactory(team=south))
    before = dashboard_figures(user=fresh(bob), team=None, as_of=today())["today"]["offenders_in_community"]
    south.supervisors.add(bob)
    after = dashboard_figures(user=fresh(bob), team=None, as_of=today())["today"]["offenders_in_community"]
    assert (before, after) == (2, 3)


def test_sql_kept_per_scope_is_built_once_per_user_team_and_day(bob, beth, north):
    built = []

    @built_per_scope
    def teams_of(*, user, team, as_of):
        built.append(user.username)
        return Team.objects.filter(supervisors=user).query.sql_with_params()

    for _ in range(3):
        teams_of(user=fresh(bob), team=None, as_of=today())
    teams_of(user=fresh(beth), team=None, as_of=today())
    teams_of(user=fresh(bob), team=north, as_of=today())
    assert built == ["bob", "beth", "bob"]


def test_a_queryset_kept_per_scope_is_a_clone_on_each_call_and_reads_the_rows_as_they_are_then(bob, north):
    @built_per_scope
    def offenders_of(*, user, team):
        return Offender.objects.filter(officer__team__supervisors=user).order_by("pk")

    first = offenders_of(user=fresh(bob), team=None)
    assert list(first) == []
    added = OffenderFactory(officer=OfficerFactory(team=north))
    second = offenders_of(user=fresh(bob), team=None)
    assert second is not first and list(second) == [added]


def test_sql_kept_per_scope_may_not_read_the_rows_it_is_built_for(bob, overdue_in_north):
    @built_per_scope
    def reads_while_building(*, user, team, as_of):
        latest = Offender.objects.order_by("-pk").values_list("pk", flat=True).first()
        return Offender.objects.filter(pk=latest).query.sql_with_params()

    with pytest.raises(RuntimeError, match="read the database while building"):
        reads_while_building(user=fresh(bob), team=None, as_of=today())


def test_the_dashboard_shows_the_counted_figures(client, bob, overdue_in_north):
    client.force_login(bob)
    html = client.get(reverse("dashboard")).content.decode()
    assert "0 requests to cancel or defer a visit" in html
    assert "0 officers away today" in html
