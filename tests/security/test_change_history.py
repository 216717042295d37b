import pytest
from django.db import connection
from pghistory.models import Context

from offenders.history import history_context
from offenders.models import Offender, OffenderEvent, RiskTier, RiskTierEvent, TeamSupervisorsEvent
from tests.factories import OffenderFactory, OfficerFactory, tier
from visits.models import Visit, VisitEvent

pytestmark = pytest.mark.django_db


def test_it_records_an_offender_joining_the_register_and_each_change(north):
    offender = OffenderFactory(officer=OfficerFactory(team=north))
    offender.status = "missing"
    offender.save()
    events = OffenderEvent.objects.filter(pgh_obj_id=offender.pk).order_by("pgh_id")
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert events.last().status == "missing"


def test_it_records_bulk_writes_that_signals_would_miss(north):
    officer = OfficerFactory(team=north)
    Offender.objects.bulk_create(
        [OffenderFactory.build(officer=officer, risk_tier=tier("low")) for _ in range(3)]
    )
    Offender.objects.filter(officer=officer).update(status="custody")
    assert OffenderEvent.objects.filter(officer_id=officer.pk, pgh_label="insert").count() == 3
    assert OffenderEvent.objects.filter(officer_id=officer.pk, pgh_label="update", status="custody").count() == 3


def test_it_records_raw_sql_writes_too():
    with connection.cursor() as cursor:
        cursor.execute("UPDATE offenders_risktier SET visit_interval_days = 60 WHERE code = 'high'")
    event = RiskTierEvent.objects.filter(pgh_obj_id=tier("high").pk, pgh_label="update").get()
    assert event.visit_interval_days == 60


def test_it_records_who_leads_which_team(north, bob):
    assert TeamSupervisorsEvent.objects.filter(team=north, user=bob, pgh_label="insert").exists()
    north.supervisors.remove(bob)
    assert TeamSupervisorsEvent.objects.filter(team=north, user=bob, pgh_label="delete").exists()


def test_it_records_visits_without_their_generated_closing_date(north):
    from tests.factories import VisitFactory

    visit = VisitFactory(offender=OffenderFactory(officer=OfficerFactory(team=north)))
    Visit.objects.filter(pk=visit.pk).update(status="completed", completed_on="2016-12-02")
    assert VisitEvent.objects.filter(pgh_obj_id=visit.pk, pgh_label="update", status="completed").exists()


def test_a_command_or_import_names_itself_in_the_history(alice):
    with history_context(user=alice.pk, command="import_register"):
        RiskTier.objects.filter(code="low").update(visit_interval_days=400)
    event = RiskTierEvent.objects.get(pgh_label="update")
    assert event.pgh_context.metadata == {"user": alice.pk, "command": "import_register"}


def test_the_middleware_attaches_the_signed_in_user_to_changes(client, alice, north):
    alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    response = client.post(f"/admin/offenders/team/{north.pk}/change/", {
        "name": "North", "caseload_ceiling_per_fte": 40, "capacity_points_per_fte": 100, "full_time_hours": 37,
    }, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302, response.content[:2000]
    from offenders.models import TeamEvent

    event = TeamEvent.objects.filter(pgh_obj_id=north.pk, pgh_label="update").get()
    assert event.caseload_ceiling_per_fte == 40
    assert event.pgh_context.metadata["user"] == alice.pk
    assert event.pgh_context.metadata["ip"] == "10.9.8.7"
    assert event.pgh_context.metadata["url"] == f"/admin/offenders/team/{north.pk}/change/"


def test_the_history_cannot_be_edited_or_deleted(north):
    OffenderFactory(officer=OfficerFactory(team=north))
    with pytest.raises(Exception, match="Cannot"):  # noqa: B017, PT011
        OffenderEvent.objects.update(surname="Rewritten")


def test_admins_can_search_the_history_and_no_one_else_can_see_it(client, alice, bob, north):
    OffenderFactory(reference="HIST-42", officer=OfficerFactory(team=north))
    OffenderFactory(reference="HIST-99", officer=OfficerFactory(team=north))
    client.force_login(alice)
    response = client.get("/admin/caseload/changeevent/", {"q": "HIST-42"})
    assert response.status_code == 200
    assert b"HIST-42" in response.content and b"HIST-99" not in response.content
    client.force_login(bob)
    assert client.get("/admin/caseload/changeevent/").status_code == 302


def test_context_rows_hold_no_names_or_addresses(client, alice, north):
    offender = OffenderFactory(surname="Quillfeather", address="9 Elm Close", officer=OfficerFactory(team=north))
    with history_context(user=alice.pk):
        Offender.objects.filter(pk=offender.pk).update(status="custody")
    for context in Context.objects.all():
        assert "Quillfeather" not in str(context.metadata) and "Elm Close" not in str(context.metadata)


def test_a_celery_task_names_itself_in_the_history():
    from celery.signals import task_postrun, task_prerun

    from visits.tasks import refresh_flags

    task_prerun.send(sender=refresh_flags, task_id="t-1", task=refresh_flags)
    RiskTier.objects.filter(code="low").update(visit_interval_days=300)
    task_postrun.send(sender=refresh_flags, task_id="t-1", task=refresh_flags)
    event = RiskTierEvent.objects.get(pgh_label="update")
    assert event.pgh_context.metadata == {"task": "visits.tasks.refresh_flags"}


def test_every_history_trigger_that_joins_old_and_new_rows_joins_them_by_hash(db):
    """A loop over old and new rows would cost n² for a statement that changes n rows (bench/import_register.py,
    1% changed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, proconfig FROM pg_proc WHERE prosrc LIKE '%%JOIN new_values ON%%'")
        functions = cursor.fetchall()
    assert len(functions) >= 5
    assert all("enable_nestloop=off" in (config or []) for _, config in functions)


def test_saving_one_row_compiles_nothing_in_its_history_trigger(db):
    """With nested loops off, the events' insert is costed past the JIT threshold: a one-row save would spend
    a fifth of a second compiling it (bench/log_visit.py)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, proconfig FROM pg_proc WHERE prosrc LIKE '%%JOIN new_values ON%%'")
        functions = cursor.fetchall()
    assert functions and all("jit=off" in (config or []) for _, config in functions)
