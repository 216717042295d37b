import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from offenders.audit import record_access
from offenders.models import Offender, OffenderAccess
from tests.factories import OffenderFactory, VisitFactory
from visits.models import Visit, VisitStatus

pytestmark = pytest.mark.django_db


def test_opening_an_offenders_page_logs_who_when_which_and_from_where(client, world, signed_in):
    signed_in(world.charlie)
    response = client.get(f"/visits/offenders/{world.north_offender.pk}/?tab=visits",
                          REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="Field phone")
    assert response.status_code == 200
    access = OffenderAccess.objects.get()
    assert (access.user, access.offender, access.kind) == (world.charlie, world.north_offender, "detail")
    assert access.ip_address == "192.0.2.10"
    assert access.path == f"/visits/offenders/{world.north_offender.pk}/"
    assert access.user_agent == "Field phone"
    assert access.accessed_at is not None


def test_a_refused_page_logs_nothing(client, world, signed_in):
    signed_in(world.dave)
    assert client.get(f"/visits/offenders/{world.north_offender.pk}/").status_code == 404
    assert not OffenderAccess.objects.exists()


def test_an_export_is_logged_as_one_row_by_two_statements_however_many_rows(world, django_assert_num_queries):
    OffenderFactory.create_batch(20, officer=world.north_officer)
    request = RequestFactory().get("/dashboard/export/", REMOTE_ADDR="192.0.2.20")
    everything = Offender.objects.filter(officer__team=world.north)
    with django_assert_num_queries(2):  # a SELECT of the ids, an INSERT of the row
        logged = record_access(user=world.bob, offenders=everything, request=request, kind="export")
    assert logged == 21
    access = OffenderAccess.objects.get(user=world.bob, kind="export", ip_address="192.0.2.20")
    assert access.offenders == sorted(everything.values_list("pk", flat=True))


def test_an_export_of_nothing_logs_nothing(world):
    assert record_access(user=world.bob, offenders=Offender.objects.none(), request=None, kind="export") == 0
    assert not OffenderAccess.objects.exists()


def test_the_offender_ids_of_any_rows_are_logged_once_per_offender(world, django_assert_num_queries):
    VisitFactory(offender=world.north_offender, status=VisitStatus.COMPLETED, completed_on=world.north_visit.due_on)
    visits = Visit.objects.filter(offender__officer__team=world.north)
    assert visits.count() == 2
    with django_assert_num_queries(2):
        logged = record_access(user=world.bob, offenders=visits.values("offender_id"), request=None, kind="export")
    assert logged == 1
    assert OffenderAccess.objects.get().offenders == [world.north_offender.pk]


def test_rows_that_are_not_offenders_must_name_their_offender_ids(world):
    with pytest.raises(ValueError, match="Visit rows are not offenders"):
        record_access(user=world.bob, offenders=Visit.objects.all(), request=None, kind="export")
    with pytest.raises(ValueError, match="one column"):
        record_access(user=world.bob, offenders=Visit.objects.values("offender_id", "officer_id"), request=None,
                      kind="export")
    assert not OffenderAccess.objects.exists()


def test_a_list_of_offenders_or_ids_is_logged_too(world):
    request = RequestFactory().get("/api/v1/offenders/")
    assert record_access(user=world.alice, offenders=[world.north_offender, world.south_offender.pk],
                         request=request, kind="api") == 2


def test_an_unknown_kind_of_access_is_refused(world):
    with pytest.raises(ValueError, match="bulk"):
        record_access(user=world.alice, offenders=[world.north_offender], request=None, kind="bulk")


def test_the_read_log_cannot_be_edited_or_deleted(world):
    record_access(user=world.alice, offenders=world.north_offender, request=None, kind="detail")
    with pytest.raises(DatabaseError, match="Cannot"), transaction.atomic():
        OffenderAccess.objects.update(user=world.bob)
    with pytest.raises(DatabaseError, match="Cannot"), transaction.atomic():
        OffenderAccess.objects.all().delete()
    assert OffenderAccess.objects.get().user == world.alice


def test_a_read_of_an_offender_or_by_a_user_who_does_not_exist_is_refused(world):
    with pytest.raises(IntegrityError, match="offender 999999"), transaction.atomic():
        OffenderAccess.objects.create(offender_id=999999, user=world.alice, kind="detail")
    with pytest.raises(IntegrityError, match="user 999999"), transaction.atomic():
        OffenderAccess.objects.create(offender=world.north_offender, user_id=999999, kind="detail")
    with pytest.raises(IntegrityError, match="offender 999999"), transaction.atomic():
        OffenderAccess.objects.create(offenders=[world.north_offender.pk, 999999], user=world.alice, kind="export")
    assert not OffenderAccess.objects.exists()


@pytest.mark.parametrize("subjects", [{}, {"offenders": []}, {"offender": True, "offenders": [1]}])
def test_a_read_names_one_offender_or_an_exports_offenders(world, subjects):
    if subjects.get("offender"):
        subjects = {**subjects, "offender": world.north_offender, "offenders": [world.south_offender.pk]}
    with pytest.raises(IntegrityError, match="offender_access_one_or_many"), transaction.atomic():
        OffenderAccess.objects.create(user=world.alice, kind="export", **subjects)


def test_an_offender_or_user_named_in_the_read_log_cannot_be_deleted_even_in_sql(world):
    record_access(user=world.alice, offenders=world.north_offender, request=None, kind="detail")
    with connection.cursor() as cursor:
        with pytest.raises(IntegrityError, match="the read log refers to it"), transaction.atomic():
            cursor.execute("DELETE FROM visits_visit WHERE offender_id = %s", [world.north_offender.pk])
            cursor.execute("DELETE FROM offenders_offender WHERE id = %s", [world.north_offender.pk])
        with pytest.raises(IntegrityError, match="the read log refers to it"), transaction.atomic():
            cursor.execute("DELETE FROM auth_user_groups WHERE user_id = %s", [world.alice.pk])
            cursor.execute("DELETE FROM auth_user WHERE id = %s", [world.alice.pk])
    assert OffenderAccess.objects.get().offender == world.north_offender


def test_an_offender_named_by_an_export_cannot_be_deleted_even_in_sql(world):
    record_access(user=world.alice, offenders=Offender.objects.filter(pk=world.south_offender.pk), request=None,
                  kind="export")
    with (connection.cursor() as cursor, pytest.raises(IntegrityError, match="the read log refers to it"),
          transaction.atomic()):
        cursor.execute("DELETE FROM visits_visit WHERE offender_id = %s", [world.south_offender.pk])
        cursor.execute("DELETE FROM offenders_offender WHERE id = %s", [world.south_offender.pk])
    assert Offender.objects.filter(pk=world.south_offender.pk).exists()


def test_opening_a_record_in_the_admin_is_logged(client, world, signed_in):
    world.alice.is_superuser = True
    world.alice.save()
    signed_in(world.alice)
    assert client.get(f"/admin/offenders/offender/{world.north_offender.pk}/change/").status_code == 200
    assert OffenderAccess.objects.get().kind == "admin"


def test_admins_search_the_read_log_by_reference_user_or_address(client, world):
    client.force_login(world.charlie)
    client.get(f"/visits/offenders/{world.north_offender.pk}/", REMOTE_ADDR="192.0.2.30")
    client.force_login(world.dave)
    client.get(f"/visits/offenders/{world.south_offender.pk}/", REMOTE_ADDR="192.0.2.40")
    client.force_login(world.alice)
    record_access(user=world.bob, offenders=Offender.objects.filter(pk=world.north_offender.pk),
                  request=RequestFactory().get("/dashboard/unseen/", REMOTE_ADDR="192.0.2.50"), kind="export")
    for query, shown, hidden in (("N-0001", b"charlie", b"dave"), ("N-0001", b"192.0.2.50", b"192.0.2.40"),
                                 ("dave", b"S-0001", b"N-0001"), ("192.0.2.30", b"charlie", b"dave")):
        response = client.get("/admin/offenders/offenderaccess/", {"q": query})
        assert response.status_code == 200
        assert shown in response.content and hidden not in response.content, query


def test_an_exports_admin_page_counts_its_offenders_rather_than_listing_them(client, world):
    OffenderFactory.create_batch(3, officer=world.north_officer)
    record_access(user=world.bob, offenders=Offender.objects.all(), request=None, kind="export")
    access = OffenderAccess.objects.get()
    client.force_login(world.alice)
    page = client.get(f"/admin/offenders/offenderaccess/{access.pk}/change/").content.decode()
    assert "Offenders exported" in page and ">5<" in page.replace(" ", "").replace("\n", "")
    assert str(access.offenders) not in page


def test_nothing_can_be_deleted_from_the_register_through_the_admin(client, world):
    world.alice.is_superuser = True
    world.alice.save()
    client.force_login(world.alice)
    response = client.post(f"/admin/offenders/offender/{world.north_offender.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Offender.objects.filter(pk=world.north_offender.pk).exists()


def test_no_admin_page_of_the_register_or_visits_can_delete_anything(rf, world):
    from django.contrib import admin

    world.alice.is_superuser = True
    request = rf.get("/admin/")
    request.user = world.alice
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in ("offenders", "visits", "caseload"):
            assert not model_admin.has_delete_permission(request), model._meta.label
            for inline in model_admin.get_inline_instances(request):
                assert not (inline.can_delete and inline.has_delete_permission(request)), inline


def test_the_read_log_list_counts_each_exports_offenders_without_loading_their_ids(client, world):
    record_access(user=world.bob, offenders=Offender.objects.all(), request=None, kind="export")
    client.force_login(world.alice)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/admin/offenders/offenderaccess/").content.decode()
    column = '"offenders_offenderaccess"."offenders"'
    selected = [query["sql"].split(" FROM ")[0] for query in queries if column in query["sql"]]
    assert selected and all(column not in sql.replace(f"cardinality({column})", "") for sql in selected)
    assert 'class="field-exported">2<' in page
