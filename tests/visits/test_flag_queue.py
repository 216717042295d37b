"""The open flags as a work queue: Bob (North's supervisor) acknowledges and assigns, Charlie (North's officer) is
assigned and adds notes, Erin (South's supervisor) and Dave (South's officer) see none of it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from offenders.models import OffenderStatus, Officer
from tests.caseload.conftest import cells_both_ways
from tests.factories import OffenderFactory, OfficerFactory, VisitFactory, tier
from tests.visits.test_concurrency import race
from visits.digests import supervisor_digests_send
from visits.flag_queue import UNACKNOWLEDGED_DAYS, flag_acknowledge, flag_assign, flag_note_add
from visits.flagging import flags_refresh
from visits.models import Flag, FlagAction, FlagKind, Visit, VisitStatus

pytestmark = pytest.mark.django_db
D = dt.date(2016, 11, 14)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def colleague(north):
    """Another officer of North, whose cases Charlie does not see."""
    return OfficerFactory(staff_id="OM101", name="Cora Colleague", team=north)


@pytest.fixture
def overdue(charlie):
    """A high-tier case of Charlie's whose visit is ten days late on D, flagged."""
    offender = OffenderFactory(officer=Officer.objects.get(staff_id="OM100"), risk_tier=tier("high"),
                               registered_on=D - dt.timedelta(days=200))
    VisitFactory(offender=offender, due_on=D - dt.timedelta(days=10))
    flags_refresh(as_of=D)
    return Flag.objects.get(kind=FlagKind.OVERDUE_VISIT, offender=offender)


def test_acknowledging_a_flag_does_not_clear_it(client, bob, overdue):
    client.force_login(bob)
    response = client.post(f"/visits/flags/{overdue.pk}/acknowledge/", follow=True)
    assert "Flag acknowledged. It stays open" in response.content.decode()
    overdue.refresh_from_db()
    assert overdue.is_open and overdue.acknowledged_by == bob and overdue.acknowledged_at is not None
    assert list(overdue.actions.values_list("kind", "user__username")) == [("acknowledged", "bob")]


def test_a_flag_is_acknowledged_once_and_the_second_hears_by_whom(bob, alice, overdue):
    flag_acknowledge(flag=overdue, user=bob)
    with pytest.raises(ValidationError, match="already acknowledged by bob on"):
        flag_acknowledge(flag=overdue, user=alice)


def test_a_supervisor_of_another_team_gets_404(client, erin, dave, overdue):
    for user in (erin, dave):
        client.force_login(user)
        for action in ("", "acknowledge/", "assign/", "note/"):
            method = client.get if not action else client.post
            assert method(f"/visits/flags/{overdue.pk}/{action}").status_code == 404
    assert not FlagAction.objects.exists()


def test_an_officer_may_add_a_note_but_not_acknowledge_or_assign(client, charlie, overdue):
    client.force_login(charlie)
    assert client.post(f"/visits/flags/{overdue.pk}/acknowledge/").status_code == 404
    assert client.post(f"/visits/flags/{overdue.pk}/assign/", {"officer": charlie.officer.pk}).status_code == 404
    client.post(f"/visits/flags/{overdue.pk}/note/", {"text": "  Visit booked for Monday.  "})
    assert list(overdue.actions.values_list("kind", "text")) == [("note", "Visit booked for Monday.")]
    page = client.get(f"/visits/flags/{overdue.pk}/").content.decode()
    assert "Visit booked for Monday." in page and "Acknowledge</button>" not in page


def test_assigning_a_flag_acknowledges_it_and_only_an_officer_of_its_team_may_take_it(bob, dave, colleague,
                                                                                    overdue):
    with pytest.raises(ValidationError, match="not an active officer of this flag's team"):
        flag_assign(flag=overdue, officer=dave.officer, user=bob)
    flag = flag_assign(flag=overdue, officer=colleague, user=bob)
    assert (flag.assigned_to, flag.acknowledged_by) == (colleague, bob)
    assert list(flag.actions.values_list("kind", "officer")) == [("acknowledged", None), ("assigned", colleague.pk)]
    with pytest.raises(ValidationError, match="already assigned to Cora Colleague"):
        flag_assign(flag=overdue, officer=colleague, user=bob)


def test_an_officer_sees_flags_assigned_to_them(client, bob, charlie, colleague):
    not_theirs = OffenderFactory(officer=colleague, status=OffenderStatus.MISSING, surname="Hiddenworth")
    flags_refresh(as_of=D)
    flag = Flag.objects.get(kind=FlagKind.MISSING_OFFENDER, offender=not_theirs)
    flag_assign(flag=flag, officer=charlie.officer, user=bob)
    client.force_login(charlie)
    home = client.get("/visits/mine/").content.decode()
    assert "1 flag assigned to you" in home and "/visits/flags/?assigned=me" in home
    page = client.get("/visits/flags/", {"assigned": "me"}).content.decode()
    assert not_theirs.reference in page and "Hiddenworth" not in page
    assert f"/visits/offenders/{not_theirs.pk}/" not in page  # not their case: no link to a 404
    assert client.get(f"/visits/flags/{flag.pk}/").status_code == 200
    client.post(f"/visits/flags/{flag.pk}/note/", {"text": "Called at the last address: nobody."})
    assert flag.actions.filter(kind="note", user=charlie).exists()


def test_the_list_links_each_subject_and_filters_the_unacknowledged(client, bob, north, overdue):
    busy = OfficerFactory(staff_id="OM150", team=north)
    OffenderFactory.create_batch(51, officer=busy, registered_on=D)
    flags_refresh(as_of=D, whole_register=True)
    flag_acknowledge(flag=overdue, user=bob)
    client.force_login(bob)
    page = client.get("/visits/flags/").content.decode()
    assert f'href="/visits/offenders/{overdue.offender_id}/"' in page
    assert f'href="/visits/mine/?officer={busy.pk}"' in page and f'href="/visits/flags/{overdue.pk}/"' in page
    unacknowledged = client.get("/visits/flags/", {"acknowledged": "no"}).content.decode()
    assert "OM150" in unacknowledged and f'href="/visits/flags/{overdue.pk}/"' not in unacknowledged


def test_the_list_shows_each_cell_as_django_tables2_would_and_pages_without_counting(client, bob, north, overdue,
                                                                                    django_assert_max_num_queries):
    busy = OfficerFactory(staff_id="OM150", team=north)
    OffenderFactory.create_batch(51, officer=busy, registered_on=D, status=OffenderStatus.MISSING)
    flags_refresh(as_of=D, whole_register=True)
    flag_acknowledge(flag=overdue, user=bob)
    flag_assign(flag=Flag.objects.filter(officer=busy).get(), officer=busy, user=bob)
    client.force_login(bob)
    with django_assert_max_num_queries(8) as asked:
        response = client.get("/visits/flags/")
    theirs, ours = cells_both_ways(response.context["table"])
    assert ours == theirs and len(ours) == 50
    assert 'rel="next"' in response.text
    assert not [query for query in asked.captured_queries if "COUNT(" in query["sql"]]


def test_a_cleared_flag_cannot_be_acknowledged_assigned_or_noted(client, bob, charlie, overdue):
    Visit.objects.filter(offender=overdue.offender).update(status=VisitStatus.COMPLETED, completed_on=D)
    flags_refresh(as_of=D + dt.timedelta(days=1), whole_register=True)
    client.force_login(bob)
    page = client.post(f"/visits/flags/{overdue.pk}/acknowledge/", follow=True).content.decode()
    assert "This flag was cleared on" in page and "nothing to acknowledge" in page
    for call in (lambda: flag_assign(flag=overdue, officer=charlie.officer, user=bob),
                 lambda: flag_note_add(flag=overdue, user=bob, text="Too late")):
        with pytest.raises(ValidationError, match="This flag was cleared on"):
            call()
    assert not FlagAction.objects.exists()


def test_the_flag_run_keeps_the_acknowledgement_while_the_flag_stays_open(bob, colleague, overdue):
    flag_assign(flag=overdue, officer=colleague, user=bob)
    flags_refresh(as_of=D + dt.timedelta(days=85), whole_register=True)  # now late by more than an interval
    flag = Flag.objects.get(kind=FlagKind.OVERDUE_VISIT, cleared_at__isnull=True)
    assert flag.pk == overdue.pk and flag.severity == overdue.severity + 1
    assert (flag.acknowledged_by, flag.assigned_to) == (bob, colleague)


def test_a_flag_cleared_then_raised_again_is_unacknowledged(bob, colleague, charlie):
    offender = OffenderFactory(officer=colleague, status=OffenderStatus.MISSING)
    flags_refresh(as_of=D)
    first = Flag.objects.get(kind=FlagKind.MISSING_OFFENDER)
    flag_assign(flag=first, officer=colleague, user=bob)
    for status in (OffenderStatus.CUSTODY, OffenderStatus.MISSING):
        type(offender).objects.filter(pk=offender.pk).update(status=status)
        flags_refresh(as_of=D, whole_register=True)
    again = Flag.objects.get(kind=FlagKind.MISSING_OFFENDER, cleared_at__isnull=True)
    assert again.pk != first.pk and (again.acknowledged_at, again.assigned_to) == (None, None)
    first.refresh_from_db()
    assert first.cleared_at is not None and first.acknowledged_by == bob  # its history stays with it


def test_the_work_on_a_flag_is_never_changed_or_deleted(bob, overdue):
    note = flag_note_add(flag=overdue, user=bob, text="Spoke to the officer.")
    for change in (lambda: FlagAction.objects.filter(pk=note.pk).update(text="Nothing"), note.delete):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    with pytest.raises(IntegrityError), transaction.atomic():  # nor is a flag worked on deleted
        Flag.objects.filter(pk=overdue.pk).delete()
        connection.check_constraints()  # the key is checked at commit
    assert FlagAction.objects.get().text == "Spoke to the officer."


def test_the_database_refuses_an_acknowledgement_without_its_author(overdue):
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.filter(pk=overdue.pk).update(acknowledged_at=overdue.raised_at)
    with pytest.raises(IntegrityError), transaction.atomic():  # assigned, never acknowledged
        Flag.objects.filter(pk=overdue.pk).update(assigned_to=overdue.offender.officer, assigned_at=overdue.raised_at)


def test_two_supervisors_acknowledging_at_once_make_one_acknowledgement(transactional_db, bob, alice, overdue):
    results = race(lambda: flag_acknowledge(flag=overdue, user=bob), lambda: flag_acknowledge(flag=overdue, user=alice))
    refused = [result for result in results if isinstance(result, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], ValidationError) and refused[0].code == "acknowledged"
    assert FlagAction.objects.filter(kind="acknowledged").count() == 1


MORNING = dt.datetime(2016, 11, 14, 6, 0, tzinfo=LONDON)


def test_the_digest_lists_flags_left_unacknowledged_for_more_than_three_days(bob, charlie, mailoutbox):
    assert UNACKNOWLEDGED_DAYS == 3
    bob.email = "bob@example.org"
    bob.save()
    cases = {}
    for name, days_ago in (("waiting", 4), ("acknowledged", 4), ("recent", 3)):
        cases[name] = OffenderFactory(officer=charlie.officer, status=OffenderStatus.MISSING, surname=f"Case{name}")
        with time_machine.travel(MORNING - dt.timedelta(days=days_ago, hours=5), tick=False):
            flags_refresh(as_of=(MORNING - dt.timedelta(days=days_ago)).date(), whole_register=True)
    with time_machine.travel(MORNING - dt.timedelta(days=1), tick=False):
        flag_acknowledge(flag=Flag.objects.get(offender=cases["acknowledged"]), user=bob)
        supervisor_digests_send()  # yesterday's: everything was new then
    with time_machine.travel(MORNING, tick=False):
        assert supervisor_digests_send() == 1  # nothing new, but a flag waits
    mail = mailoutbox[-1]
    assert "1 not acknowledged" in mail.subject
    assert "Flags left unacknowledged for more than 3 days (1):" in mail.body
    assert f"{cases['waiting'].reference} (medium): missing offender (severity 5), raised 2016-11-10 (4 days ago)" \
        in mail.body
    assert cases["acknowledged"].reference not in mail.body and cases["recent"].reference not in mail.body
    assert "Casewaiting" not in mail.body
