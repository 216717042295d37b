import datetime as dt

import pytest
from django.urls import reverse

from caseload.signed_in import user_as_a_request_reads_them
from notifications.models import Notification
from tests.factories import OffenderFactory, VisitFactory, tier
from tests.visits.conftest import TODAY
from visits.case_cards import SORTS, card_rows
from visits.models import Review, ReviewKind
from visits.paging import rows_planned_once
from visits.selectors import officer_caseload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def references(response):
    return [card["reference"] for card in response.context["cards"]]


def card_of(response, reference):
    return next(card for card in response.context["cards"] if card["reference"] == reference)


@pytest.fixture
def caseload(charlie):
    officer = charlie.officer
    soon = VisitFactory(offender=OffenderFactory(officer=officer, reference="SOON"), due_on=TODAY + dt.timedelta(3))
    late = VisitFactory(offender=OffenderFactory(officer=officer, reference="LATE", risk_tier=tier("high")),
                        due_on=TODAY - dt.timedelta(10))
    later = VisitFactory(offender=OffenderFactory(officer=officer, reference="LATER"), due_on=TODAY + dt.timedelta(60))
    OffenderFactory(officer=officer, reference="JAILED", status="custody")
    OffenderFactory(officer=officer, reference="GONE", status="missing")
    return soon, late, later


def test_the_most_urgent_come_first_missing_then_overdue_then_next_due(client, charlie, caseload):
    client.force_login(charlie)
    response = client.get(reverse("visits:my_caseload"))
    assert references(response) == ["GONE", "LATE", "SOON", "LATER", "JAILED"]
    assert "10 days overdue" in response.text and "in 3 days" in response.text


def test_an_officer_sees_only_their_own_caseload(client, dave, caseload):
    VisitFactory(offender=OffenderFactory(officer=dave.officer, reference="SOUTH-1"))
    client.force_login(dave)
    assert references(client.get(reverse("visits:my_caseload"))) == ["SOUTH-1"]


def test_a_supervisor_sees_their_teams_caseloads_with_the_officer_column(client, bob, dave, caseload):
    OffenderFactory(officer=dave.officer, reference="SOUTH-1")
    client.force_login(bob)
    response = client.get(reverse("visits:my_caseload"))
    assert "SOUTH-1" not in references(response)
    assert len(references(response)) == 5
    assert {card["officer"] for card in response.context["cards"]} == {"Charlie Chalk (OM100)"}
    assert "<dt>Officer</dt><dd>Charlie Chalk (OM100)</dd>" in response.text


def test_an_officers_own_cards_do_not_name_the_officer(client, charlie, caseload):
    client.force_login(charlie)
    response = client.get(reverse("visits:my_caseload"))
    assert "<dt>Officer</dt>" not in response.text and "Charlie Chalk (OM100)" not in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"due": "overdue"}, ["LATE"]),
        ({"due": "week"}, ["LATE", "SOON"]),
        ({"due": "unscheduled"}, ["GONE", "JAILED"]),
        ({"status": "custody"}, ["JAILED"]),
        ({"q": "late"}, ["LATE"]),
    ],
)
def test_the_caseload_can_be_filtered(client, charlie, caseload, query, expected):
    client.force_login(charlie)
    assert references(client.get(reverse("visits:my_caseload"), query)) == expected


def test_the_caseload_can_be_filtered_by_tier(client, charlie, caseload):
    client.force_login(charlie)
    assert references(client.get(reverse("visits:my_caseload"), {"risk_tier": tier("high").pk})) == ["LATE"]


def test_the_caseload_sorts_by_everything_a_card_shows_each_way(client, bob, caseload):
    client.force_login(bob)
    for key, _, _ in SORTS:
        for direction in ("", "-"):
            response = client.get(reverse("visits:my_caseload"), {"sort": f"{direction}{key}"})
            assert response.status_code == 200, key
            assert len(references(response)) == 5, key
    by_reference = references(client.get(reverse("visits:my_caseload"), {"sort": "-reference"}))
    assert by_reference == ["SOON", "LATER", "LATE", "JAILED", "GONE"]
    by_next_visit = references(client.get(reverse("visits:my_caseload"), {"sort": "next_due_on"}))
    assert by_next_visit[:3] == ["LATE", "SOON", "LATER"]


def test_an_officer_is_not_offered_a_sort_by_officer(client, charlie, caseload):
    client.force_login(charlie)
    assert 'value="officer"' not in client.get(reverse("visits:my_caseload")).text


def test_each_card_shows_what_falls_due_on_the_case_in_words(client, charlie, caseload):
    soon, late, _ = caseload
    Review.objects.create(offender=late.offender, kind=ReviewKind.ASSESSMENT, due_on=TODAY - dt.timedelta(2))
    Review.objects.create(offender=soon.offender, kind=ReviewKind.NOTIFICATION, due_on=TODAY + dt.timedelta(40))
    Notification.objects.create(offender=soon.offender, kind="travel", notified_on=TODAY - dt.timedelta(9),
                                departs_on=TODAY - dt.timedelta(2), returns_on=TODAY + dt.timedelta(5))
    client.force_login(charlie)
    response = client.get(reverse("visits:my_caseload"))
    late_card, soon_card = card_of(response, "LATE"), card_of(response, "SOON")
    assert (late_card["urgency"], late_card["urgency_class"]) == ("10 days overdue", "overdue")
    assert late_card["review"] == {"text": "12 Nov 2016", "overdue": True}
    assert '<span class="due overdue">12 Nov 2016 · assessment due</span>' in response.text
    assert soon_card["notification"] == {"text": "24 Dec 2016", "overdue": False}
    assert soon_card["status"] == "In the community · abroad until 19 Nov 2016"
    assert (soon_card["urgency"], soon_card["next_due"], soon_card["last_seen"]) == ("in 3 days", "17 Nov 2016",
                                                                                      "never")
    assert card_of(response, "JAILED")["urgency"] == "not scheduled"
    assert response.text.count('<li class="case missing">') == 1


def test_each_card_links_to_the_offenders_page(client, charlie, caseload):
    client.force_login(charlie)
    response = client.get(reverse("visits:my_caseload"))
    assert f'<a href="/visits/offenders/{caseload[0].offender.pk}/">SOON</a>' in response.text


def test_the_caseload_pages_fifty_cards_at_a_time_keeping_the_filters(client, charlie):
    OffenderFactory.create_batch(55, officer=charlie.officer)
    client.force_login(charlie)
    first = client.get(reverse("visits:my_caseload"), {"status": "community"})
    assert len(first.context["cards"]) == 50 and "55 offenders" in first.text
    assert "?status=community&amp;page=2" in first.text
    assert len(client.get(reverse("visits:my_caseload"), {"status": "community", "page": 2}).context["cards"]) == 5


@pytest.mark.parametrize("role", ["charlie", "bob"])
def test_the_caseload_asks_the_database_no_more_for_more_offenders(client, request, django_assert_max_num_queries,
                                                                   role, caseload):
    user = request.getfixturevalue(role)
    client.force_login(user)
    with django_assert_max_num_queries(16) as few:
        client.get(reverse("visits:my_caseload"))
    for n in range(30):
        VisitFactory(offender=OffenderFactory(officer=caseload[0].offender.officer), due_on=TODAY + dt.timedelta(n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("visits:my_caseload"))


def test_the_fortnight_lists_visits_and_reviews_falling_due_but_no_mappa_review_of_a_level_one_case(client, charlie):
    reviewed = OffenderFactory(officer=charlie.officer, reference="LEVEL-2", mappa_level=2)
    not_reviewed = OffenderFactory(officer=charlie.officer, reference="LEVEL-1", mappa_level=1)
    VisitFactory(offender=not_reviewed, due_on=TODAY + dt.timedelta(2))
    for offender in (reviewed, not_reviewed):
        Review.objects.create(offender=offender, kind=ReviewKind.MAPPA, due_on=TODAY + dt.timedelta(5))
    Review.objects.create(offender=reviewed, kind=ReviewKind.ASSESSMENT, due_on=TODAY + dt.timedelta(20))
    client.force_login(charlie)
    fortnight = client.get(reverse("visits:my_caseload")).context["fortnight"]
    assert [(item.on, item.reference, item.what) for item in fortnight] == [
        (TODAY + dt.timedelta(2), "LEVEL-1", "Visit"), (TODAY + dt.timedelta(5), "LEVEL-2", "MAPPA review")]


def test_the_first_page_read_by_a_prepared_statement_holds_the_rows_the_orm_reads(charlie, bob, caseload):
    for user in (charlie, bob):
        page = card_rows(officer_caseload(user=user_as_a_request_reads_them(user.pk)))[:50]
        assert rows_planned_once(page) == list(page) and len(page) == 5


def test_a_first_page_django_knows_to_be_empty_is_read_as_no_rows(charlie, caseload):
    assert rows_planned_once(card_rows(officer_caseload(user=charlie).none())) == []
    assert rows_planned_once(card_rows(officer_caseload(user=charlie).filter(pk__in=[]))) == []
