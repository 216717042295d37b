"""The visit interval (the plan's override, else the tier's default) and the next visit due (one interval
after the last visit, else the first-visit allowance after registration or a return to the community): the
services, the import and the pages' SQL give the same dates."""

import datetime as dt

import pytest
from django.db import connection

from caseload.imports.services import import_file
from offenders.models import Offender, OffenderStatus, Officer
from tests.factories import OffenderFactory, VisitFactory, tier
from tests.rules.conftest import TODAY, days_ago
from visits import rules, services
from visits.models import OPEN_STATUSES, Visit

pytestmark = pytest.mark.django_db
HEADER = "reference,surname,forenames,date_of_birth,risk_tier,officer,status,registered_on,visit_interval_days," \
         "last_visit_on"


@pytest.fixture
def imported(tmp_path, charlie):
    """Offenders loaded from a register file, each with the same facts as one the services look after."""
    rows = [
        f"I-HIGH,A,B,1970-01-01,high,OM100,community,2010-01-01,,{days_ago(10)}",
        f"I-PLAN,A,B,1970-01-01,medium,OM100,community,2010-01-01,30,{days_ago(10)}",
        f"I-NEW,A,B,1970-01-01,low,OM100,community,{TODAY},,",
    ]
    path = tmp_path / "register.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    import_file(kind="register", path=path)
    return {offender.reference: offender for offender in Offender.objects.filter(reference__startswith="I-")}


def due(offender) -> dt.date:
    return Visit.objects.get(offender=offender, status__in=OPEN_STATUSES).due_on


def visited(officer: Officer, user, **offender) -> Offender:
    """An offender whose visit the services log 10 days ago."""
    case = OffenderFactory(officer=officer, registered_on=dt.date(2010, 1, 1), **offender)
    open_visit = VisitFactory(offender=case, due_on=days_ago(12))
    services.visit_complete(offender=case, visit_id=open_visit.pk, user=user, visited_on=days_ago(10),
                            kind=Visit.Kind.HOME_UNANNOUNCED)
    return case


def test_the_interval_is_the_same_in_python_and_in_sql(charlie):
    with_plan = OffenderFactory(officer=charlie.officer, visit_interval_days=30)
    by_tier = OffenderFactory(officer=charlie.officer, risk_tier=tier("very_high"))
    in_sql = dict(Offender.objects.annotate(interval=rules.interval_days()).values_list("pk", "interval"))
    assert {o.pk: rules.interval_of(o) for o in (with_plan, by_tier)} == in_sql == {with_plan.pk: 30, by_tier.pk: 30}


def test_a_visit_logged_and_a_visit_imported_make_the_same_next_visit_due(charlie, imported):
    by_service = visited(charlie.officer, charlie, risk_tier=tier("high"))
    assert due(by_service) == due(imported["I-HIGH"]) == days_ago(10) + dt.timedelta(days=91)


def test_the_plans_interval_gives_the_same_next_visit_due_in_the_services_and_the_import(charlie, imported):
    by_service = visited(charlie.officer, charlie, visit_interval_days=30)
    assert due(by_service) == due(imported["I-PLAN"]) == days_ago(10) + dt.timedelta(days=30)


def test_a_return_to_the_community_and_a_new_registration_get_the_same_first_visit(charlie, imported):
    returning = OffenderFactory(officer=charlie.officer, status=OffenderStatus.CUSTODY)
    services.offender_change_status(offender=returning, status=OffenderStatus.COMMUNITY, user=charlie,
                                    reason="Released")
    assert due(returning) == due(imported["I-NEW"]) == TODAY + dt.timedelta(days=14)


@pytest.mark.parametrize("last_seen_on", [days_ago(40), None])
def test_the_next_visit_due_is_the_same_in_python_and_in_sql(charlie, last_seen_on):
    offender = OffenderFactory(officer=charlie.officer, registered_on=days_ago(3))
    inputs = [last_seen_on, rules.interval_of(offender), offender.registered_on, rules.first_visit_days()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + rules.NEXT_VISIT_DUE.sql(last_seen="%s::date", interval="%s", start="%s::date",
                                                           first_days="%s"), inputs)
        in_sql = cursor.fetchone()[0]
    in_python = rules.next_visit_due(last_seen_on=last_seen_on, interval=inputs[1], start=offender.registered_on)
    assert in_python == in_sql
