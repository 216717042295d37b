import datetime as dt

import pytest
from django.urls import reverse

from offenders.models import OffenderStatus
from tests.factories import OffenderFactory, OfficerFactory, VisitFactory, tier
from tests.visits.conftest import TODAY
from visits.models import CaseAction, Visit, VisitStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def visit(charlie):
    return VisitFactory(offender=OffenderFactory(officer=charlie.officer, reference="REF-C1"), due_on=TODAY)


def log_url(offender):
    return reverse("visits:log_visit", args=[offender.pk])


def form(visit, **changes):
    data = {"visit": visit.pk, "visited_on": "2016-11-14", "kind": "home_unannounced", "outcome": "seen",
            "notes": "", "new_address": "", "new_postcode": ""}
    return {**data, **changes}


def test_an_officer_logs_a_visit_and_is_sent_back_to_the_offender_page(client, charlie, visit):
    client.force_login(charlie)
    response = client.post(log_url(visit.offender), form(visit), follow=True)
    assert response.redirect_chain[-1][0] == reverse("visits:offender_detail", args=[visit.offender.pk])
    assert "Visit logged." in response.text
    assert "Next visit due 15 May 2017" in response.text  # medium: 182 days


def test_the_log_form_accepts_uk_dates(client, charlie, visit):
    client.force_login(charlie)
    client.post(log_url(visit.offender), form(visit, visited_on="12/11/2016"))
    visit.refresh_from_db()
    assert visit.completed_on == dt.date(2016, 11, 12)


def test_a_future_date_is_shown_next_to_the_field_and_nothing_is_saved(client, charlie, visit):
    client.force_login(charlie)
    response = client.post(log_url(visit.offender), form(visit, visited_on="2016-11-15"))
    assert response.status_code == 200
    assert "15/11/2016 is in the future" in response.context["form"].errors["visited_on"][0]
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SCHEDULED


def test_a_stale_form_gets_a_clear_message_instead_of_a_second_completion(client, charlie, bob, visit):
    client.force_login(bob)
    client.post(log_url(visit.offender), form(visit))
    client.force_login(charlie)
    response = client.post(log_url(visit.offender), form(visit), follow=True)
    assert "This visit was already logged by bob" in response.text
    assert Visit.objects.filter(offender=visit.offender, status=VisitStatus.COMPLETED).count() == 1


def test_an_officer_cannot_log_a_visit_outside_their_caseload(client, dave, visit):
    client.force_login(dave)
    assert client.get(log_url(visit.offender)).status_code == 404
    assert client.post(log_url(visit.offender), form(visit)).status_code == 404
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SCHEDULED


@pytest.mark.parametrize("name", ["change_tier", "change_status", "reactive", "reassign"])
def test_supervisor_actions_are_not_found_for_officers(client, charlie, visit, name):
    client.force_login(charlie)
    assert client.get(reverse(f"visits:{name}", args=[visit.offender.pk])).status_code == 404


def test_a_supervisor_cannot_act_on_another_teams_offender(client, bob, dave):
    offender = OffenderFactory(officer=dave.officer)
    client.force_login(bob)
    response = client.post(reverse("visits:change_status", args=[offender.pk]), {"status": "custody", "reason": "x"})
    assert response.status_code == 404


def test_the_offender_page_shows_supervisor_actions_only_to_supervisors(client, charlie, bob, visit):
    client.force_login(charlie)
    assert "Supervisor actions" not in client.get(reverse("visits:offender_detail", args=[visit.offender.pk])).text
    client.force_login(bob)
    assert "Supervisor actions" in client.get(reverse("visits:offender_detail", args=[visit.offender.pk])).text


def test_a_missing_reason_is_reported_on_the_field(client, bob, visit):
    client.force_login(bob)
    response = client.post(reverse("visits:change_status", args=[visit.offender.pk]), {"status": "custody"})
    assert response.context["form"].errors["reason"] == ["This field is required."]


def test_a_supervisor_changes_the_tier_through_the_form(client, bob, visit):
    client.force_login(bob)
    client.post(reverse("visits:change_tier", args=[visit.offender.pk]),
                {"risk_tier": tier("high").pk, "assessed_on": "2016-11-14", "tool": "arms", "reason": "ARMS review"})
    visit.offender.refresh_from_db()
    assert visit.offender.risk_tier == tier("high")
    assert visit.offender.assessments.get().tool == "arms"


def test_a_supervisor_sets_reactive_management_and_the_status_through_the_forms(client, bob, charlie):
    offender = OffenderFactory(officer=charlie.officer, risk_tier=tier("low"))
    client.force_login(bob)
    client.post(reverse("visits:reactive", args=[offender.pk]),
                {"reactive": "yes", "reason": "Criteria met"})
    client.post(reverse("visits:change_status", args=[offender.pk]), {"status": "abroad", "reason": "Travel notified"})
    offender.refresh_from_db()
    assert offender.reactive and offender.status == OffenderStatus.ABROAD
    assert CaseAction.objects.filter(offender=offender).count() == 2


def test_a_supervisor_can_only_reassign_to_officers_in_their_teams(client, bob, dave, visit):
    client.force_login(bob)
    url = reverse("visits:reassign", args=[visit.offender.pk])
    response = client.post(url, {"officer": dave.officer.pk, "reason": "Balancing"})
    assert "Select a valid choice" in response.context["form"].errors["officer"][0]
    erin = OfficerFactory(staff_id="OM101", team=visit.offender.officer.team)
    client.post(url, {"officer": erin.pk, "reason": "Balancing"})
    visit.offender.refresh_from_db()
    assert visit.offender.officer == erin


@pytest.mark.parametrize("name", ["log_visit", "change_tier", "change_status", "reactive", "reassign"])
def test_every_action_form_opens_for_a_supervisor(client, bob, visit, name):
    client.force_login(bob)
    response = client.get(reverse(f"visits:{name}", args=[visit.offender.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    if "visit" in form.fields:
        assert form["visit"].value() == visit.pk


@pytest.mark.parametrize("later_visits", [0, 3, 49, 50, 60])
def test_the_offender_page_shows_the_open_visit_however_many_later_due_visits_come_before_it(
        client, charlie, visit, later_visits):
    for days in range(1, later_visits + 1):
        VisitFactory(offender=visit.offender, due_on=TODAY + dt.timedelta(days=days), status=VisitStatus.COMPLETED,
                     completed_on=TODAY - dt.timedelta(days=days))
    client.force_login(charlie)
    response = client.get(reverse("visits:offender_detail", args=[visit.offender.pk]))
    assert response.context["open_visit"] == visit
    assert len(response.context["visits"]) == min(later_visits + 1, 50)
